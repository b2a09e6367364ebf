import { sleep } from 'n8n-workflow';
import type { ClockPort, SleepPort } from '../core';

/**
 * The core's sleep port on n8n's `sleep`. From n8n-workflow 2.34 `sleep(ms, signal)` rejects as
 * soon as the execution is cancelled; older hosts ignore the signal, so it is also checked before
 * and after every sleep (a cancel then stops the wait at the next poll at the latest).
 */
export const n8nSleep: SleepPort = async (ms, signal) => {
	if (signal?.aborted) throw abortReason(signal);
	await sleep(Math.max(0, ms), signal);
	if (signal?.aborted) throw abortReason(signal);
};

export const systemClock: ClockPort = { now: () => Date.now() };

const abortReason = (signal: AbortSignal): unknown =>
	signal.reason ?? new Error('The execution was cancelled');
