import {
	DEFAULT_POLL_SCHEDULE,
	TERMINAL_STATUSES,
	basePollDelayMs,
	type PollScheduleOptions,
	type PollState,
	type ScenarioJob,
} from '../../core';

/**
 * What Job → Get adds to the job so a workflow can loop on it without expressions of its own:
 * `done` (the job will not change any more: success, failure or canceled; then Job → Wait returns
 * the video or the job's error at once) and `nextWaitSeconds` (when to look again).
 *
 * The suggestion is the core's poll schedule, the one Job → Wait and Generate poll on, read from
 * this single look at the job: growing with the job's age while it queues, and once progress
 * moves, aimed at the end estimated from its speed (0.9 of the way when the end is far, just
 * after it when it is near). Its ceiling is raised from the in-process 15 s to 10 minutes,
 * because each look of a Wait-node loop resumes an execution: a loop should look when the job
 * may be done, not every few seconds (and an offloading Wait node waits at least 65 s anyway).
 */
export interface NextCheck {
	done: boolean;
	/** Whole seconds, at least 1; 0 when done. */
	nextWaitSeconds: number;
}

/** The longest suggested wait: a loop still looks at a stuck or slow job every 10 minutes. */
export const LOOP_SCHEDULE: PollScheduleOptions = { ...DEFAULT_POLL_SCHEDULE, maxMs: 10 * 60_000 };

/** Names some docs and clients use for the documented statuses (as the core's wait reads them). */
const ALIASES: Readonly<Record<string, string>> = { failed: 'failure', cancelled: 'canceled' };

const time = (iso: string | undefined, now: number): number | undefined => {
	const ms = iso === undefined ? Number.NaN : Date.parse(iso);
	// A date from the future (clock skew) says nothing about age: treat it as now.
	return Number.isFinite(ms) ? Math.min(ms, now) : undefined;
};

export const nextCheck = (job: ScenarioJob, now: number): NextCheck => {
	const status = ALIASES[job.status] ?? job.status;
	if (TERMINAL_STATUSES.has(status)) return { done: true, nextWaitSeconds: 0 };

	const createdAt = time(job.createdAt, now) ?? now;
	const history = Array.isArray(job.statusHistory) ? job.statusHistory : [];
	const statusSince = time(history[history.length - 1]?.date, now) ?? createdAt;
	const state: PollState = { ageMs: now - createdAt, status, statusAgeMs: now - statusSince };
	const progress = job.progress;
	if (progress !== undefined) {
		state.progress = Math.min(1, Math.max(0, progress));
		state.progressAgeMs = 0;
		// One look has no speed of its own: progress since the job started running (or was created).
		const running = history.find((h) => h.status === 'in-progress');
		const ranMs = now - (time(running?.date, now) ?? createdAt);
		if (state.progress > 0 && ranMs > 0) state.progressPerMs = state.progress / ranMs;
	}
	return {
		done: false,
		nextWaitSeconds: Math.max(1, Math.ceil(basePollDelayMs(state, LOOP_SCHEDULE) / 1000)),
	};
};
