import type { IDataObject, IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { fieldLabel, labelFieldNames } from '../actions/fields';
import { nextStep, ScenarioError, scenarioErrorJson, toScenarioError } from '../core';

/** Codes that come from the API's own answer: shown as NodeApiError (with the HTTP status). */
const API_CODES = new Set(['unauthorized', 'forbidden', 'rate_limited', 'server', 'network']);

const resumeHint = (jobId: string): string =>
	`The job keeps running on Scenario and is already paid for. Use "Job → Wait" with job ID ${jobId} to get the video without paying again.`;

/** Items as n8n's UI numbers them: "Item 1" is the first (the index is 0-based). */
export const itemLabel = (itemIndex: number): string => `Item ${itemIndex + 1}`;

/** A sentence that ends as one, so the next one does not run into it (a hint often has no period). */
const sentence = (text: string): string => {
	const t = text.trim();
	return t === '' || /[.!?…]$/.test(t) ? t : `${t}.`;
};

/**
 * How to fix it, in the words of n8n's UX guidelines (the message says what happened). What to do is
 * the core's decision (`nextStep`); this only words it for the node's UI.
 */
export const describeFix = (e: ScenarioError): string => {
	const parts: string[] = [];
	if (e.hint !== undefined) parts.push(`Scenario's hint: ${e.hint}`);
	const step = nextStep(e);
	switch (step.kind) {
		case 'check-credentials':
			parts.push('Check the API key and secret in the Scenario API credential.');
			break;
		case 'check-permissions':
			parts.push('This API key may not do this. Check its permissions and the team it belongs to.');
			break;
		case 'fix-input':
			parts.push(
				step.field !== undefined
					? `Check the "${fieldLabel(step.field)}" parameter.`
					: 'Check the node parameters.',
			);
			break;
		case 'wait-team-limit':
			parts.push(
				'Scenario kept refusing for the team\'s limit of generations at once, and none of this workflow\'s own jobs ended meanwhile: other work fills the team. Run again later, or raise "Wait Timeout (Minutes)" to wait longer.',
			);
			break;
		case 'download-again':
			parts.push(
				`Download it again with "Job → Wait" and job ID ${step.jobId}; nothing is paid again.`,
			);
			break;
		case 'job-failed':
			parts.push(
				step.refunded
					? 'Scenario refunds failed jobs. Adjust the prompt or parameters and try again.'
					: 'Scenario did not refund this job.',
			);
			break;
		case 'find-unknown-submit': {
			const sent = step.sentAfter !== undefined ? ` after ${step.sentAfter}` : '';
			parts.push(
				`The submit may have been paid: it reached Scenario but no answer came back, and no job was found for it in time. ` +
					`Look for a job created${sent} among your recent Scenario jobs (in Scenario's web app, or with "scenario-video jobs"), ` +
					'then get it with "Job → Wait" and its job ID. Running this item again submits (and pays) again.',
			);
			break;
		}
		case 'check-network':
			// n8n's own network settings are the user's to check; a job that exists is what matters.
			if (step.jobId !== undefined) parts.push(resumeHint(step.jobId));
			break;
		case 'resume':
			parts.push(resumeHint(step.jobId));
			break;
		case 'none':
			break;
	}
	if (e.traceId !== undefined) parts.push(`Scenario trace ID: ${e.traceId}`);
	return parts.map(sentence).join(' ');
};

/**
 * What went wrong in the UI's words: a parameter is named as the node shows it ("Number of Frames",
 * not `numFrames`); the core's per-field issues are rebuilt with those names.
 */
const whatHappened = (e: ScenarioError): string => {
	const issues = e.details?.issues;
	if (e.code === 'invalid_input' && Array.isArray(issues) && issues.length > 0) {
		const list = (issues as Array<{ field?: unknown; message?: unknown }>).map(
			(i) => `${fieldLabel(String(i.field))}: ${String(i.message)}`,
		);
		return `Invalid parameters: ${list.join('; ')}`;
	}
	return e.code === 'invalid_input' ? labelFieldNames(e.message) : e.message;
};

/**
 * The message, naming the job whenever there is one, ending with the item as n8n's UI numbers it
 * ("… (Item 2)" for the second input item).
 */
export const messageOf = (e: ScenarioError, itemIndex: number): string => {
	const base = whatHappened(e).replace(/\.$/, '');
	const withJob =
		e.jobId !== undefined && !base.includes(e.jobId) ? `${base} (job ${e.jobId})` : base;
	return `${withJob} (${itemLabel(itemIndex)})`;
};

/** The error JSON a failed item carries with "Continue On Fail" (the core's, see above): never a credential. */
export const errorJson = (error: unknown, itemIndex: number): IDataObject => {
	const e = toScenarioError(error);
	// The core's error JSON, its message replaced by the node's own (field labels, the item).
	const json: IDataObject = { error: messageOf(e, itemIndex) };
	for (const [k, v] of Object.entries(scenarioErrorJson(e))) {
		if (k !== 'message') json[k] = v as IDataObject[string];
	}
	const description = describeFix(e);
	if (description !== '') json.description = description;
	return json;
};

/**
 * Any failure of one item as the n8n error to throw: NodeApiError for what the API said,
 * NodeOperationError for the rest, always naming the job id and the item.
 */
export function toNodeError(
	this: IExecuteFunctions,
	error: unknown,
	itemIndex: number,
	extraDescription?: string,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	const e = error instanceof ScenarioError ? error : toScenarioError(error);
	const message = messageOf(e, itemIndex);
	const description = [describeFix(e), extraDescription ?? ''].filter((s) => s !== '').join(' ');
	if (API_CODES.has(e.code)) {
		return new NodeApiError(this.getNode(), e.toJSON() as JsonObject, {
			message,
			description,
			itemIndex,
			...(e.status !== undefined ? { httpCode: String(e.status) } : {}),
		});
	}
	return new NodeOperationError(this.getNode(), message, { description, itemIndex });
}
