/**
 * Job statuses are not stored: they are computed from the clock, the job's creation time, its
 * duration and its scripted outcome every time a job is read. So a manual clock drives jobs
 * exactly, a real clock drives them in real time, and nothing in the fake runs in the background.
 */
import { TERMINAL_STATUSES as TERMINAL, type JobStatus } from '@scenario-video/core';
import type { JobOutcome } from './options.js';

// The documented statuses come from the core's one list, so the fake and the client cannot disagree.
export { JOB_STATUSES, type JobStatus } from '@scenario-video/core';
export { TERMINAL };

/** When each status starts, as a fraction of the job's duration (success at 1). */
const PHASES: Array<[JobStatus, number]> = [
  ['pending', 0],
  ['queued', 0.05],
  ['warming-up', 0.15],
  ['in-progress', 0.25],
  ['finalizing', 0.85],
  ['success', 1],
];
const RUN_START = 0.25;
/** Failure and platform cancel strike where finalizing would start; `never` freezes at mid-run. */
const END_EARLY = 0.85;
const NEVER_FREEZE = 0.55;

export interface TimelineInput {
  createdAt: number;
  durationMs: number;
  outcome: JobOutcome;
  /** Set when a client cancel was accepted (cancelable job types only). */
  canceledAt?: number;
}

export interface TimelineView {
  status: JobStatus;
  progress: number;
  statusHistory: Array<{ status: JobStatus; date: string }>;
  updatedAt: number;
  /** When the job reached a terminal status, if it did. */
  endedAt?: number;
}

function progressAt(t: number, job: TimelineInput): number {
  const d = job.durationMs;
  if (d <= 0) return 1;
  const p = (t - job.createdAt - RUN_START * d) / ((1 - RUN_START) * d);
  return Math.round(Math.min(1, Math.max(0, p)) * 100) / 100;
}

/** The moment the job ends, and how, if it ever does on its own. */
export function scheduledEnd(job: TimelineInput): { status: JobStatus; at: number } | undefined {
  const d = job.durationMs;
  if (job.outcome === 'success') return { status: 'success', at: job.createdAt + d };
  if (job.outcome === 'failure') return { status: 'failure', at: job.createdAt + END_EARLY * d };
  if (job.outcome === 'canceled') return { status: 'canceled', at: job.createdAt + END_EARLY * d };
  return undefined;
}

export function viewJob(job: TimelineInput, now: number): TimelineView {
  const d = job.durationMs;
  const natural = scheduledEnd(job);
  let end = natural;
  if (job.canceledAt !== undefined && (!end || job.canceledAt < end.at)) {
    end = { status: 'canceled', at: job.canceledAt };
  }
  const history: Array<{ status: JobStatus; at: number }> = [];
  for (const [status, frac] of PHASES) {
    const at = job.createdAt + frac * d;
    if (status === 'success') break;
    if (end && at >= end.at && status !== 'pending') break;
    if (job.outcome === 'never' && status === 'finalizing') break;
    if ((job.outcome === 'failure' || job.outcome === 'canceled') && status === 'finalizing') break;
    if (at > now) break;
    history.push({ status, at });
  }
  if (end && end.at <= now) history.push({ status: end.status, at: end.at });

  const last = history[history.length - 1]!;
  let progress: number;
  if (last.status === 'success') progress = 1;
  else if (job.outcome === 'never') progress = progressAt(Math.min(now, job.createdAt + NEVER_FREEZE * d), job);
  else if (TERMINAL.has(last.status)) progress = progressAt(last.at, job);
  else progress = progressAt(now, job);
  if (last.status === 'pending' || last.status === 'queued' || last.status === 'warming-up') progress = 0;

  return {
    status: last.status,
    progress,
    statusHistory: history.map((h) => ({ status: h.status, date: new Date(h.at).toISOString() })),
    updatedAt: last.at,
    ...(TERMINAL.has(last.status) ? { endedAt: last.at } : {}),
  };
}
