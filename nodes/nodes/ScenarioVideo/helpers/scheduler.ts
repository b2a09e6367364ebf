import type { IExecuteFunctions } from 'n8n-workflow';
import { GenerationScheduler } from '../core';

/**
 * One scheduler of the team's generation slots per credential and API, for this n8n process: every
 * item of an execution and every concurrent execution using the same credential submits through it,
 * so what one learns from a 429 (the team's limit) holds for all, and a refused submit waits for one
 * of their jobs to end. (In queue mode each worker has its own; each adapts to the API's answers.)
 */
const schedulers = new Map<string, GenerationScheduler>();

/** Bounded: a process sees few credentials; past this, the oldest idle one is forgotten. */
const MAX_SCHEDULERS = 64;

export function schedulerFor(this: IExecuteFunctions, baseUrl: string): GenerationScheduler {
	const credential = this.getNode().credentials?.scenarioApi;
	const key = `${credential?.id ?? credential?.name ?? 'default'} ${baseUrl}`;
	let scheduler = schedulers.get(key);
	if (scheduler === undefined) {
		if (schedulers.size >= MAX_SCHEDULERS) {
			for (const [k, s] of schedulers) {
				if (s.running === 0 && s.queued === 0) {
					schedulers.delete(k);
					break;
				}
			}
		}
		scheduler = new GenerationScheduler();
		schedulers.set(key, scheduler);
	}
	return scheduler;
}
