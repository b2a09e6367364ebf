import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { runPool } from '../core';
import { errorJson, itemLabel, toNodeError } from './errors';

export interface ItemRun {
	/** Fires when the execution is cancelled, or when another item failed without "Continue On Fail". */
	signal: AbortSignal;
	/** Record the job this item works on, so a failure elsewhere can still name it. */
	noteJob(jobId: string): void;
	/** Record that the item's video was delivered (paid and downloaded), with its assets. */
	noteDelivered(jobId: string, assetIds: readonly string[]): void;
}

export interface RunItemsOptions {
	/** Items in flight at once ("Max Concurrent Jobs"). */
	maxConcurrent: number;
	/** `this.continueOnFail()`, read by the node's `execute`. */
	continueOnFail: boolean;
}

export const DEFAULT_MAX_CONCURRENT_JOBS = 4;

/** Aborts when either signal does (`AbortSignal.any` where the host's Node has it). */
const eitherSignal = (cancel: AbortSignal | undefined, stop: AbortSignal): AbortSignal => {
	if (cancel === undefined) return stop;
	const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
	if (typeof any === 'function') return any.call(AbortSignal, [cancel, stop]);
	const both = new AbortController();
	for (const s of [cancel, stop]) {
		if (s.aborted) both.abort(s.reason);
		else s.addEventListener('abort', () => both.abort(s.reason), { once: true });
	}
	return both.signal;
};

interface JobNote {
	jobId: string;
	assetIds?: readonly string[];
}

/** Every job of the execution, for an error that must not lose one: delivered ones with their assets. */
const jobsNote = (jobs: Map<number, JobNote>, failedItem: number): string | undefined => {
	const lines = [...jobs.entries()]
		.filter(([i]) => i !== failedItem)
		.sort(([a], [b]) => a - b)
		.map(([i, j]) =>
			j.assetIds !== undefined
				? `${j.jobId} (${itemLabel(i)}, finished: asset ${j.assetIds.join(', ')})`
				: `${j.jobId} (${itemLabel(i)}, still running or stopped while waiting)`,
		);
	if (lines.length === 0) return undefined;
	return (
		`The other items' jobs are paid and kept on Scenario: ${lines.join('; ')}. ` +
		'Get any of them with "Job → Wait" and its job ID instead of submitting again, or turn on "Continue On Fail" to keep the other items\' results.'
	);
};

/**
 * Run every input item through `run`, at most `maxConcurrent` at a time (the core's pool), outputs in
 * input order. Paid submits go through the team's scheduler the operation hands to `run`.
 * - "Continue On Fail": a failed item becomes `{ error, code, jobId, … }` paired with its input.
 * - Otherwise the first failure stops the other items (no new ones start; running ones stop waiting)
 *   and is thrown, naming every other job of the execution — finished ones with their asset ids,
 *   running ones — so none is lost or paid again. (n8n keeps no output of a node that throws.)
 * - A cancelled execution stops everything at once, whatever "Continue On Fail" says.
 */
export async function runItems(
	this: IExecuteFunctions,
	options: RunItemsOptions,
	run: (itemIndex: number, item: ItemRun) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const count = this.getInputData().length;
	const cancel = this.getExecutionCancelSignal();
	const stop = new AbortController();
	const signal = eitherSignal(cancel, stop.signal);
	const results: INodeExecutionData[][] = [];
	const jobs = new Map<number, JobNote>();
	let failure: { itemIndex: number; error: unknown } | undefined;
	// Each item gets its own signal, fed by one listener on the shared one. n8n's sleep and every
	// request listen for an abort while they run; many items doing so on one signal trip Node's
	// MaxListenersExceededWarning ("possible EventTarget memory leak") in the n8n log.
	const live = new Set<AbortController>();
	const abortAll = () => {
		for (const own of live) own.abort(signal.reason);
	};
	signal.addEventListener('abort', abortAll, { once: true });

	const indices = Array.from({ length: count }, (_, i) => i);
	const runOne = async (itemIndex: number) => {
		const own = new AbortController();
		live.add(own);
		if (signal.aborted) own.abort(signal.reason);
		try {
			results[itemIndex] = await run(itemIndex, {
				signal: own.signal,
				noteJob: (jobId) => jobs.set(itemIndex, { jobId }),
				noteDelivered: (jobId, assetIds) => jobs.set(itemIndex, { jobId, assetIds }),
			});
		} catch (error) {
			if (cancel?.aborted) {
				failure ??= { itemIndex, error };
			} else if (stop.signal.aborted) {
				// Stopped because another item failed: reported with that item's error.
			} else if (options.continueOnFail) {
				results[itemIndex] = [
					{ json: errorJson(error, itemIndex), pairedItem: { item: itemIndex } },
				];
			} else {
				failure ??= { itemIndex, error };
				stop.abort(new Error(`item ${itemIndex} failed`));
			}
		} finally {
			live.delete(own);
		}
	};
	const limit = Math.max(1, Math.floor(options.maxConcurrent) || 1);
	try {
		await runPool(indices, limit, runOne, signal);
	} finally {
		signal.removeEventListener('abort', abortAll);
	}

	if (failure !== undefined) {
		const { itemIndex, error } = failure;
		throw toNodeError.call(this, error, itemIndex, jobsNote(jobs, itemIndex));
	}
	return results.flat();
}

/** "Max Concurrent Jobs", defaulting when the parameter is not shown for the operation. */
export function maxConcurrentJobs(this: IExecuteFunctions): number {
	const value = this.getNodeParameter(
		'options.maxConcurrentJobs',
		0,
		DEFAULT_MAX_CONCURRENT_JOBS,
	) as number;
	return Number.isFinite(value) && value >= 1 ? Math.floor(value) : DEFAULT_MAX_CONCURRENT_JOBS;
}
