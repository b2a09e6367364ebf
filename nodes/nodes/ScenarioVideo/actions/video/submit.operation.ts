import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import {
	includeInputFieldsOption,
	maxConcurrentJobsOption,
	tuningOptions,
	videoInputFields,
} from '../fields';
import type { OperationExecute } from '../types';
import { SUBMIT_RECOVERY_WINDOW_MS } from '../../core';
import { readRenderInput, submitParams } from '../../helpers/input';
import { withInputFields } from '../../helpers/output';
import { maxConcurrentJobs, runItems } from '../../helpers/run';

const properties: INodeProperties[] = [
	...videoInputFields,
	{
		displayName: 'Additional Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [includeInputFieldsOption, maxConcurrentJobsOption, ...tuningOptions].sort((a, b) =>
			a.displayName.localeCompare(b.displayName),
		),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['submit'] } },
	properties,
);

/**
 * Video → Submit: validate, upload the images, submit once and return the job at once. Pair it
 * with Job → Wait (now, after a Wait node, or in another workflow) to get the video.
 */
export const execute: OperationExecute = async function (env) {
	const { client } = env;
	return await runItems.call(
		this,
		{ maxConcurrent: maxConcurrentJobs.call(this), continueOnFail: env.continueOnFail },
		async (itemIndex, item) => {
			const input = await readRenderInput.call(this, itemIndex);
			const request = await submitParams(client, input, item.signal);
			// The team's slot while it submits; an unanswered submit is looked for until its job appears
			// (within the recovery window) rather than reported at once as possibly paid.
			const handle = await client.submit(request, {
				signal: item.signal,
				scheduler: env.scheduler,
				lookForMs: SUBMIT_RECOVERY_WINDOW_MS,
			});
			item.noteJob(handle.jobId);
			const json: IDataObject = {
				jobId: handle.jobId,
				status: 'submitted',
				modelId: handle.modelId,
				submittedAt: handle.submittedAt,
				input: handle.input as IDataObject,
				...(handle.creativeUnitsCost !== undefined
					? { creativeUnitsCost: handle.creativeUnitsCost }
					: {}),
				...(handle.recovered === true ? { recovered: true } : {}),
			};
			return [
				{ json: withInputFields.call(this, itemIndex, json), pairedItem: { item: itemIndex } },
			];
		},
	);
};
