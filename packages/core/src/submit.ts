import { pause, sendOnce, type ApiContext, type Emit } from './api.js';
import { ScenarioError, abortedError } from './errors.js';
import { listJobs, normalizeJob, type ScenarioJob } from './jobs.js';
import { planRetry, type RetryPolicy } from './retry.js';
import { isRecord, jsonEqual } from './json.js';

/**
 * A submitted job as plain JSON: store it anywhere (a ledger, an n8n item, a workflow output) and
 * any process can resume with `client.waitForJob(handle.jobId)`.
 */
export interface JobHandle {
  jobId: string;
  modelId: string;
  baseUrl?: string;
  /** ISO time the job was accepted. */
  submittedAt: string;
  creativeUnitsCost?: number;
  /** The parameters sent (asset ids, never image bytes). */
  input: Record<string, unknown>;
  /** Set when the submit's answer was lost and the job was found again among the recent jobs. */
  recovered?: boolean;
}

/** Retries of a submit the API explicitly refused (429 before a job was made, 5xx with no job). */
export const DEFAULT_SUBMIT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 8,
  maxElapsedMs: 10 * 60_000,
  baseDelayMs: 2000,
  maxDelayMs: 60_000,
  maxHintMs: 10 * 60_000,
};

export interface RateLimitInfo {
  /** The per-team ceiling of unfinished jobs (`details.actionLimit`), when the API named it. */
  actionLimit?: number;
  delayMs: number;
  attempt: number;
}

export interface RateLimitAdvice {
  retryNow?: boolean;
}

export interface SubmitOptions {
  signal?: AbortSignal;
  emit?: Emit;
  policy?: RetryPolicy;
  /**
   * Told about every 429 before the backoff, and awaited: renderMany lowers its parallelism here
   * and holds the refused render until one of its own renders frees a slot. Answering
   * `{ retryNow: true }` (one of the caller's own jobs has ended meanwhile, so the team has room)
   * skips the backoff; the attempt still counts.
   */
  onRateLimited?: (info: RateLimitInfo) => void | RateLimitAdvice | Promise<void | RateLimitAdvice>;
  /** Job ids this client already owns: never adopted as the answer to another submit. */
  claimed?: Set<string>;
  timeoutMs?: number;
  /** How far back from the attempt's start a recovered job's `createdAt` may be (clock skew). */
  recoverySkewMs?: number;
}

/**
 * Is `job` the answer to a submit of `input`? Every field we sent must be in the job's input with
 * the same value (the server may add its defaults, so extra fields are allowed).
 */
export const jobMatchesInput = (job: ScenarioJob, modelId: string, input: Record<string, unknown>): boolean => {
  const jobInput = job.metadata.input;
  if (jobInput === undefined) return false;
  const jobModel = job.metadata.modelId ?? job.modelId;
  if (typeof jobModel === 'string' && jobModel !== modelId) return false;
  return Object.entries(input).every(([k, v]) => v === undefined || jsonEqual(jobInput[k], v));
};

const RECOVERY_PAGE_SIZE = 50;
const RECOVERY_MAX_PAGES = 3;
/** The job may take a moment to be listed: look again after these pauses. */
const RECOVERY_PAUSES_MS = [0, 2000, 5000];

/**
 * Look for the job an ambiguous submit may have created: recent jobs whose input matches and that
 * were created after the attempt started (less a clock-skew allowance), not already claimed.
 */
export const findSubmittedJob = async (
  ctx: ApiContext,
  query: { modelId: string; input: Record<string, unknown>; since: number; claimed?: Set<string>; skewMs?: number },
  options: { signal?: AbortSignal; emit?: Emit } = {},
): Promise<{ job?: ScenarioJob; lookupError?: ScenarioError }> => {
  const skew = query.skewMs ?? 60_000;
  let lookupError: ScenarioError | undefined;
  for (const wait of RECOVERY_PAUSES_MS) {
    if (wait > 0) await pause(ctx.ports, wait, options.signal);
    const candidates: Array<{ job: ScenarioJob; created: number }> = [];
    let token: string | undefined;
    try {
      for (let page = 0; page < RECOVERY_MAX_PAGES; page++) {
        const list = await listJobs(
          ctx,
          { pageSize: RECOVERY_PAGE_SIZE, ...(token !== undefined ? { paginationToken: token } : {}) },
          options,
        );
        let older = false;
        for (const job of list.jobs) {
          const created = job.createdAt !== undefined ? Date.parse(job.createdAt) : Number.NaN;
          if (!Number.isNaN(created) && created < query.since - skew) {
            older = true;
            continue;
          }
          if (query.claimed?.has(job.jobId)) continue;
          if (!jobMatchesInput(job, query.modelId, query.input)) continue;
          candidates.push({ job, created: Number.isNaN(created) ? query.since : created });
        }
        token = list.nextPaginationToken;
        if (older || token === undefined) break;
      }
      lookupError = undefined;
    } catch (e) {
      if (options.signal?.aborted) throw abortedError(undefined, options.signal.reason);
      lookupError = e instanceof ScenarioError ? e : undefined;
      continue;
    }
    // Prefer jobs created after the attempt started; among them the earliest.
    candidates.sort((a, b) => {
      const aAfter = a.created >= query.since ? 0 : 1;
      const bAfter = b.created >= query.since ? 0 : 1;
      return aAfter - bAfter || a.created - b.created;
    });
    const found = candidates[0];
    if (found !== undefined) return { job: found.job };
  }
  return lookupError !== undefined ? { lookupError } : {};
};

const costOf = (data: unknown, job: ScenarioJob): number | undefined => {
  if (isRecord(data) && typeof data.creativeUnitsCost === 'number') return data.creativeUnitsCost;
  if (typeof job.billing?.cuCost === 'number') return job.billing.cuCost;
  return undefined;
};

const toHandle = (
  ctx: ApiContext,
  job: ScenarioJob,
  modelId: string,
  input: Record<string, unknown>,
  nowIso: string,
  cost: number | undefined,
  recovered: boolean,
): JobHandle => ({
  jobId: job.jobId,
  modelId,
  baseUrl: ctx.baseUrl,
  submittedAt: job.createdAt ?? nowIso,
  ...(cost !== undefined ? { creativeUnitsCost: cost } : {}),
  input,
  ...(recovered ? { recovered: true } : {}),
});

/** Was the request refused before anything happened (safe to send again)? */
const isRefusal = (e: ScenarioError): boolean =>
  e.code === 'rate_limited' || (e.code === 'network' && e.details?.sent === false);

/** Might a job exist although we got no usable answer? */
const isAmbiguous = (e: ScenarioError): boolean =>
  (e.code === 'network' && e.details?.sent !== false) || (e.code === 'server' && e.details?.malformed === true);

/**
 * `POST /generate/custom/{modelId}`: the paid call. Never blindly re-sent:
 * - a 429 (no job made) or a transport error that certainly did not reach the server is retried
 *   with backoff honouring `Retry-After` / `remainingSeconds`;
 * - a 5xx is retried only after checking that no matching job was created;
 * - after an ambiguous failure (sent, no answer, or an unreadable 2xx), the recent jobs are searched
 *   for one with the same input created since the attempt began, and adopted; if none is found the
 *   submit fails with `network`, `retryable: false`, `details.submitOutcome: 'unknown'`.
 * Emits `submitted` with the job id and cost as soon as it is known.
 */
export const submitJob = async (
  ctx: ApiContext,
  request: { modelId: string; params: Record<string, unknown> },
  options: SubmitOptions = {},
): Promise<JobHandle> => {
  const { modelId, params } = request;
  const { signal, emit } = options;
  const policy = options.policy ?? DEFAULT_SUBMIT_RETRY_POLICY;
  const started = ctx.ports.clock.now();
  const found = (job: ScenarioJob, data: unknown, recovered: boolean): JobHandle => {
    options.claimed?.add(job.jobId);
    const handle = toHandle(
      ctx,
      job,
      modelId,
      params,
      new Date(ctx.ports.clock.now()).toISOString(),
      costOf(data, job),
      recovered,
    );
    emit?.({
      type: 'submitted',
      jobId: handle.jobId,
      ...(handle.creativeUnitsCost !== undefined ? { cost: handle.creativeUnitsCost } : {}),
      ...(recovered ? { recovered: true } : {}),
    });
    return handle;
  };
  for (let attempt = 1; ; attempt++) {
    if (signal?.aborted) throw abortedError(undefined, signal.reason); // nothing sent yet
    const attemptStarted = ctx.ports.clock.now();
    let error: ScenarioError;
    try {
      const res = await sendOnce(ctx, {
        method: 'POST',
        path: `/generate/custom/${encodeURIComponent(modelId)}`,
        json: params,
        retry: false,
        timeoutMs: options.timeoutMs ?? 60_000,
        ...(signal !== undefined ? { signal } : {}),
      });
      return found(normalizeJob(res.data), res.data, false);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      error = e;
    }
    if (error.code === 'aborted') {
      // The caller stopped us; if the POST was in flight, a job may exist.
      throw new ScenarioError({
        code: 'aborted',
        message: 'Aborted during submit; a job may have been created: check the recent jobs before submitting again',
        retryable: false,
        details: { submitOutcome: 'unknown', modelId },
        cause: error,
      });
    }
    const ambiguous = isAmbiguous(error);
    if (ambiguous || error.code === 'server') {
      // Either the answer was lost, or the server failed: did it create the job anyway?
      const lookup = await findSubmittedJob(
        ctx,
        {
          modelId,
          input: params,
          since: attemptStarted,
          ...(options.claimed !== undefined ? { claimed: options.claimed } : {}),
          ...(options.recoverySkewMs !== undefined ? { skewMs: options.recoverySkewMs } : {}),
        },
        { ...(signal !== undefined ? { signal } : {}), ...(emit !== undefined ? { emit } : {}) },
      );
      if (lookup.job !== undefined) return found(lookup.job, undefined, true);
      if (ambiguous || lookup.lookupError !== undefined) {
        throw new ScenarioError({
          code: 'network',
          message:
            (ambiguous
              ? 'The submit was sent but no usable answer came back, and no matching job was found among the recent jobs. '
              : `The submit failed (HTTP ${error.status ?? '5xx'}) and the recent jobs could not be checked for it. `) +
            'It was not sent again, to avoid paying twice: check the recent jobs before submitting again.',
          retryable: false,
          details: {
            submitOutcome: 'unknown',
            modelId,
            attemptStartedAt: new Date(attemptStarted).toISOString(),
            ...(lookup.lookupError !== undefined ? { lookupError: lookup.lookupError.message } : {}),
          },
          cause: error,
          ...(error.status !== undefined ? { status: error.status } : {}),
        });
      }
    } else if (!isRefusal(error)) {
      throw error;
    }
    // Refused before a job was made: safe to try again after a pause.
    const delay = planRetry({
      error,
      attempt,
      elapsedMs: ctx.ports.clock.now() - started,
      policy,
      random: ctx.random,
    });
    if (delay === undefined) throw error;
    let advice: void | RateLimitAdvice = undefined;
    if (error.code === 'rate_limited') {
      const limit = error.details?.actionLimit;
      advice = await options.onRateLimited?.({
        delayMs: delay,
        attempt,
        ...(typeof limit === 'number' ? { actionLimit: limit } : {}),
      });
    }
    const wait = advice?.retryNow === true ? 0 : delay;
    emit?.({ type: 'retrying', attempt, delayMs: wait, cause: error.code });
    await pause(ctx.ports, wait, signal);
  }
};
