import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { errorJson, toNodeError } from './errors';

export interface ItemRun {
	/** Fires when the execution is cancelled, or when another item failed without "Continue On Fail". */
	signal: AbortSignal;
	/** Record the job this item works on, so a failure elsewhere can still name it. */
	noteJob(jobId: string): void;
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

/**
 * Run every input item through `run`, at most `maxConcurrent` at a time, outputs in input order.
 * - "Continue On Fail": a failed item becomes `{ error, code, jobId, … }` paired with its input.
 * - Otherwise the first failure stops the other items (no new ones start; running ones stop
 *   waiting) and is thrown, naming the jobs the other items had submitted so they can be resumed
 *   with "Job → Wait" instead of paying again.
 * - A cancelled execution stops everything at once, whatever "Continue On Fail" says.
 */
export async function runItems(
	this: IExecuteFunctions,
	maxConcurrent: number,
	run: (itemIndex: number, item: ItemRun) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const count = this.getInputData().length;
	const cancel = this.getExecutionCancelSignal();
	const stop = new AbortController();
	const signal = eitherSignal(cancel, stop.signal);
	const results: INodeExecutionData[][] = [];
	const jobs = new Map<number, string>();
	let failure: { itemIndex: number; error: unknown } | undefined;
	let next = 0;
	// Each item gets its own signal, fed by one listener on the shared one. n8n's sleep and every
	// request listen for an abort while they run; many items doing so on one signal trip Node's
	// MaxListenersExceededWarning ("possible EventTarget memory leak") in the n8n log.
	const live = new Set<AbortController>();
	const abortAll = () => {
		for (const own of live) own.abort(signal.reason);
	};
	signal.addEventListener('abort', abortAll, { once: true });

	const worker = async () => {
		while (next < count && !signal.aborted) {
			const itemIndex = next++;
			const own = new AbortController();
			live.add(own);
			if (signal.aborted) own.abort(signal.reason);
			try {
				results[itemIndex] = await run(itemIndex, {
					signal: own.signal,
					noteJob: (jobId) => jobs.set(itemIndex, jobId),
				});
			} catch (error) {
				if (cancel?.aborted) {
					failure ??= { itemIndex, error };
				} else if (stop.signal.aborted) {
					// Stopped because another item failed: reported with that item's error.
				} else if (this.continueOnFail()) {
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
		}
	};
	const workers = Math.max(1, Math.min(Math.floor(maxConcurrent) || 1, count));
	try {
		await Promise.all(Array.from({ length: workers }, worker));
	} finally {
		signal.removeEventListener('abort', abortAll);
	}

	if (failure !== undefined) {
		const { itemIndex, error } = failure;
		const others = [...jobs.entries()]
			.filter(([i]) => i !== itemIndex && results[i] === undefined)
			.map(([i, jobId]) => `${jobId} (item ${i})`);
		const note =
			others.length > 0
				? `Other items' jobs were left running on Scenario: ${others.join(', ')}. Get them with "Job → Wait" instead of submitting again, or turn on "Continue On Fail" to keep the other items' results.`
				: undefined;
		throw toNodeError.call(this, error, itemIndex, note);
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
