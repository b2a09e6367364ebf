import { pause, type ApiContext, type Emit } from './api.js';
import { ScenarioError, abortedError } from './errors.js';
import { JOB_STATUSES } from './events.js';
import { getJob, type ScenarioJob } from './jobs.js';
import { DEFAULT_POLL_SCHEDULE, PollObserver, nextPollDelayMs, type PollScheduleOptions } from './poll-schedule.js';
import { isTransient } from './retry.js';

export interface WaitOptions {
  signal?: AbortSignal;
  emit?: Emit;
  /** Give up waiting after this long (default 30 minutes). The job keeps running; resume by id. */
  timeoutMs?: number;
  /** How long an undocumented status is tolerated before it is reported (default 5 minutes). */
  unknownStatusTimeoutMs?: number;
  /** Polls whose retries all failed that are tolerated in a row (default 3) before giving up. */
  maxFailedPolls?: number;
  schedule?: PollScheduleOptions;
  /**
   * When the job was created, if known (a handle's `submittedAt`, ISO or ms): a job younger than
   * the schedule's `minMs` is first looked at when it is `minMs` old, not at once (it was just
   * seen in the submit's answer; an immediate look only costs a request).
   */
  createdAt?: string | number;
}

export const DEFAULT_WAIT_TIMEOUT_MS = 30 * 60_000;
export const DEFAULT_UNKNOWN_STATUS_TIMEOUT_MS = 5 * 60_000;

const KNOWN: ReadonlySet<string> = new Set(JOB_STATUSES);
/** Names some docs and clients use for the documented statuses. */
const ALIASES: Readonly<Record<string, string>> = { failed: 'failure', cancelled: 'canceled' };
/** A hard bound on the loop, whatever the clock does. */
const MAX_POLLS = 100_000;

const round2 = (p: number | undefined): number | undefined => (p === undefined ? undefined : Math.round(p * 100) / 100);

export const jobFailedError = (job: ScenarioJob): ScenarioError => {
  const reason = typeof job.metadata.error === 'string' && job.metadata.error !== '' ? job.metadata.error : undefined;
  const hint = typeof job.metadata.hint === 'string' && job.metadata.hint !== '' ? job.metadata.hint : undefined;
  return new ScenarioError({
    code: 'job_failed',
    message: `Job ${job.jobId} failed: ${reason ?? 'the API gave no reason'}${hint ? ` (hint: ${hint})` : ''}`,
    jobId: job.jobId,
    retryable: false,
    details: { refunded: job.billing?.disableRefund !== true, ...(job.billing ? { billing: job.billing } : {}) },
    ...(reason !== undefined ? { reason } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
};

/**
 * Poll `GET /jobs/{id}` on the adaptive schedule until the job ends. Resolves with the job on
 * `success`; throws `job_failed` (with the API's `metadata.error` and `hint`), `job_canceled`,
 * `timed_out` (naming the job: it may still finish; `retryable: false`, because a retry of the render
 * would pay again: the safe retry is waiting for the same job id), `aborted`, or `server` when the job reports
 * an undocumented status for longer than `unknownStatusTimeoutMs`. Emits `status` only when the
 * status or the progress (to 1 %) changes.
 */
export const waitForJob = async (ctx: ApiContext, jobId: string, options: WaitOptions = {}): Promise<ScenarioJob> => {
  const { signal, emit } = options;
  const clock = ctx.ports.clock;
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  const unknownTimeoutMs = options.unknownStatusTimeoutMs ?? DEFAULT_UNKNOWN_STATUS_TIMEOUT_MS;
  const maxFailedPolls = options.maxFailedPolls ?? 3;
  const schedule = options.schedule ?? DEFAULT_POLL_SCHEDULE;
  const start = clock.now();
  const deadline = start + timeoutMs;
  let observer: PollObserver | undefined;
  let lastKey: string | undefined;
  let last: ScenarioJob | undefined;
  let unknownSince: number | undefined;
  let failedPolls = 0;

  const createdMs = typeof options.createdAt === 'string' ? Date.parse(options.createdAt) : options.createdAt;
  if (createdMs !== undefined && Number.isFinite(createdMs)) {
    const age = start - createdMs;
    // Only a job just created (by a clock that agrees with ours): never wait longer than minMs.
    if (age >= 0 && age < schedule.minMs)
      await pause(ctx.ports, Math.min(schedule.minMs - age, timeoutMs), signal, jobId);
  }

  for (let poll = 0; poll < MAX_POLLS; poll++) {
    if (signal?.aborted) throw abortedError(jobId, signal.reason);
    let job: ScenarioJob | undefined;
    try {
      job = await getJob(ctx, jobId, {
        deadline,
        ...(signal !== undefined ? { signal } : {}),
        ...(emit !== undefined ? { emit } : {}),
      });
      failedPolls = 0;
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const err = e.withJobId(jobId);
      failedPolls++;
      if (!isTransient(err) || failedPolls >= maxFailedPolls || clock.now() >= deadline) throw err;
    }
    const now = clock.now();
    if (job !== undefined) {
      last = job;
      const status = ALIASES[job.status] ?? job.status;
      if (observer === undefined) {
        const created = job.createdAt !== undefined ? Date.parse(job.createdAt) : Number.NaN;
        observer = new PollObserver(Number.isNaN(created) || created > now ? start : created);
      }
      observer.observe(now, status, job.progress);
      const progress = round2(job.progress);
      const key = `${status}|${progress ?? ''}`;
      if (key !== lastKey) {
        lastKey = key;
        emit?.({ type: 'status', jobId, status, ...(progress !== undefined ? { progress } : {}) });
      }
      if (status === 'success') return job;
      if (status === 'failure') throw jobFailedError(job);
      if (status === 'canceled') {
        throw new ScenarioError({
          code: 'job_canceled',
          message: `Job ${jobId} was canceled`,
          jobId,
          retryable: false,
        });
      }
      if (KNOWN.has(status)) {
        unknownSince = undefined;
      } else {
        unknownSince ??= now;
        if (now - unknownSince >= unknownTimeoutMs) {
          throw new ScenarioError({
            code: 'server',
            message: `Job ${jobId} has reported the undocumented status "${job.status}" for ${Math.round((now - unknownSince) / 1000)} s; stopped waiting (resume it by id)`,
            jobId,
            retryable: true,
            details: { status: job.status },
          });
        }
      }
    }
    if (now >= deadline) {
      const lastStatus = last?.status ?? 'unknown';
      throw new ScenarioError({
        code: 'timed_out',
        message: `Job ${jobId} did not finish within ${Math.round(timeoutMs / 1000)} s (last status ${lastStatus}${
          last?.progress !== undefined ? `, progress ${Math.round(last.progress * 100)} %` : ''
        }); it may still finish: resume it by id`,
        jobId,
        retryable: false,
        details: { lastStatus, timeoutMs, ...(last?.progress !== undefined ? { progress: last.progress } : {}) },
      });
    }
    const state = (observer ?? new PollObserver(start)).state(now);
    const delay = Math.min(nextPollDelayMs(state, ctx.random, schedule), deadline - now);
    await pause(ctx.ports, delay, signal, jobId);
  }
  throw new ScenarioError({ code: 'timed_out', message: `Job ${jobId}: too many polls`, jobId, retryable: false });
};
