import { pause, sendOnce, type ApiContext, type Emit } from './api.js';
import { ScenarioError, abortedError } from './errors.js';
import { listJobs, normalizeJob, type ScenarioJob } from './jobs.js';
import { planRetry, type RetryPolicy } from './retry.js';
import { withRetries } from './retry-loop.js';
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
  /** One of the caller's own jobs ended meanwhile: the team has room, submit at once. */
  retryNow?: boolean;
}

/** A submit sent with no usable answer: it may have made (and charged) a job. */
export interface UnknownSubmit {
  modelId: string;
  /** The parameters as sent (asset ids): a job made by this submit has exactly these inputs. */
  input: Record<string, unknown>;
  /** When the submit was sent (ms since the epoch): the job, if any, was created after it. */
  sentAt: number;
}

/**
 * How long after an unanswered submit its job may still appear among the recent jobs. Scenario can
 * answer (and list the job) minutes late; a job that has not appeared 15 minutes after the submit was
 * sent was never made, and only then may the same input be submitted again.
 */
export const SUBMIT_RECOVERY_WINDOW_MS = 15 * 60_000;

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
  /**
   * Told (and awaited) the moment a submit's outcome is unknown, before the recent jobs are searched:
   * a ledger records it here, so a later run looks for that job before paying again.
   */
  onUnknownOutcome?: (submit: UnknownSubmit) => void | Promise<void>;
  /**
   * Keep looking for the job of an unanswered submit until this time (ms since the epoch; never past
   * the recovery window). Default: a short look of a few seconds.
   */
  lookUntil?: number;
  /**
   * With a scheduler: a refusal for the team's limit is retried for as long as our own jobs keep
   * ending, and gives up only after this long without one (the render's own timeout), never after a
   * fixed number of refusals.
   */
  refusalPatienceMs?: number;
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
/** Past the first looks, and until `until`: look again after these pauses (the last one repeats). */
const LATE_RECOVERY_PAUSES_MS = [10_000, 20_000, 30_000];

/** Pauses between looks: the first few, then every 30 s until `until` (at most ~35 looks in 15 min). */
function* recoveryPauses(now: () => number, until: number | undefined): Generator<number> {
  yield* RECOVERY_PAUSES_MS;
  if (until === undefined) return;
  for (let i = 0; ; i++) {
    const pause = LATE_RECOVERY_PAUSES_MS[Math.min(i, LATE_RECOVERY_PAUSES_MS.length - 1)]!;
    const left = until - now();
    if (left <= 0) return;
    yield Math.min(pause, left);
  }
}

/**
 * Look for the job an ambiguous submit may have created: recent jobs whose input matches and that
 * were created after the attempt started (less a clock-skew allowance), not already claimed.
 */
export const findSubmittedJob = async (
  ctx: ApiContext,
  query: { modelId: string; input: Record<string, unknown>; since: number; claimed?: Set<string>; skewMs?: number },
  options: { signal?: AbortSignal; emit?: Emit; until?: number } = {},
): Promise<{ job?: ScenarioJob; lookupError?: ScenarioError }> => {
  const skew = query.skewMs ?? 60_000;
  let lookupError: ScenarioError | undefined;
  const until =
    options.until === undefined ? undefined : Math.min(options.until, query.since + SUBMIT_RECOVERY_WINDOW_MS);
  for (const wait of recoveryPauses(() => ctx.ports.clock.now(), until)) {
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

/**
 * A job that answers a submit of `request` (its own answer, or found again among the recent jobs) as a
 * handle: claimed, so no other submit adopts it, and announced with `submitted`.
 */
const adopt = (
  ctx: ApiContext,
  job: ScenarioJob,
  request: { modelId: string; input: Record<string, unknown> },
  options: {
    /** The submit's own answer (it may carry the cost). */
    data?: unknown;
    recovered: boolean;
    /** When the job was made, if the API does not say. */
    madeAt: number;
    claimed?: Set<string>;
    emit?: Emit;
  },
): JobHandle => {
  options.claimed?.add(job.jobId);
  const cost = costOf(options.data, job);
  options.emit?.({
    type: 'submitted',
    jobId: job.jobId,
    ...(cost !== undefined ? { cost } : {}),
    ...(options.recovered ? { recovered: true } : {}),
  });
  return {
    jobId: job.jobId,
    modelId: request.modelId,
    baseUrl: ctx.baseUrl,
    submittedAt: job.createdAt ?? new Date(options.madeAt).toISOString(),
    ...(cost !== undefined ? { creativeUnitsCost: cost } : {}),
    input: request.input,
    ...(options.recovered ? { recovered: true } : {}),
  };
};

/**
 * The job of an earlier unanswered submit (a ledger's record), looked for until `until` (never past the
 * recovery window). Found: adopted, announced as `recovered`. Not found and the window is over:
 * undefined, it was never made and the render may be submitted. Not found yet (or the recent jobs could
 * not be read): the unknown-outcome error again, and nothing is sent.
 */
export const adoptUnansweredSubmit = async (
  ctx: ApiContext,
  submit: UnknownSubmit,
  options: { until: number; claimed?: Set<string>; signal?: AbortSignal; emit?: Emit },
): Promise<JobHandle | undefined> => {
  const { until, claimed, ...call } = options;
  const lookup = await findSubmittedJob(
    ctx,
    { modelId: submit.modelId, input: submit.input, since: submit.sentAt, ...(claimed ? { claimed } : {}) },
    { ...call, until },
  );
  if (lookup.job !== undefined) {
    return adopt(ctx, lookup.job, submit, {
      recovered: true,
      madeAt: submit.sentAt,
      ...(claimed ? { claimed } : {}),
      ...(call.emit ? { emit: call.emit } : {}),
    });
  }
  const now = ctx.ports.clock.now();
  if (now >= submit.sentAt + SUBMIT_RECOVERY_WINDOW_MS && lookup.lookupError === undefined) return undefined;
  throw unknownOutcomeError(
    submit,
    now,
    undefined,
    lookup.lookupError !== undefined ? { lookupError: lookup.lookupError } : {},
  );
};

/**
 * The error for a submit whose job could not be found: it may have been made and charged, so it is
 * not sent again. `retryable: false`, `details.submitOutcome: 'unknown'` and the time it was sent, so
 * a person (or a ledger) can look for a job created after it.
 */
export const unknownOutcomeError = (
  submit: UnknownSubmit,
  now: number,
  why: string | undefined,
  extra: { cause?: ScenarioError; lookupError?: ScenarioError } = {},
): ScenarioError => {
  const sent = new Date(submit.sentAt).toISOString();
  return new ScenarioError({
    code: 'network',
    message:
      (why ??
        `The submit sent at ${sent} got no usable answer, and no job with its input appeared among the recent jobs by ${new Date(now).toISOString()}.`) +
      ` It may still have been made and charged, so it was not sent again: look for a job created after ${sent} among the recent jobs before submitting again.`,
    retryable: false,
    details: {
      submitOutcome: 'unknown',
      modelId: submit.modelId,
      attemptStartedAt: sent,
      ...(extra.lookupError !== undefined ? { lookupError: extra.lookupError.message } : {}),
    },
    ...(extra.cause !== undefined ? { cause: extra.cause } : {}),
    ...(extra.cause?.status !== undefined ? { status: extra.cause.status } : {}),
  });
};

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
  /** Since when (and since which attempt) refusals have come with no job of ours ending. */
  let progressAt = ctx.ports.clock.now();
  let progressAttempt = 0;
  const found = (job: ScenarioJob, data: unknown, recovered: boolean): JobHandle =>
    adopt(
      ctx,
      job,
      { modelId, input: params },
      {
        data,
        recovered,
        madeAt: ctx.ports.clock.now(),
        ...(options.claimed !== undefined ? { claimed: options.claimed } : {}),
        ...(emit !== undefined ? { emit } : {}),
      },
    );
  return withRetries<JobHandle, ScenarioError>({
    ports: ctx.ports,
    ...(signal !== undefined ? { signal } : {}),
    ...(emit !== undefined ? { emit } : {}),
    attempt: async () => {
      if (signal?.aborted) throw abortedError(undefined, signal.reason); // nothing sent yet
      const attemptStarted = ctx.ports.clock.now();
      /** What a ledger records if this attempt goes unanswered. */
      const unanswered: UnknownSubmit = { modelId, input: params, sentAt: attemptStarted };
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
        return { done: found(normalizeJob(res.data), res.data, false) };
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        error = e;
      }
      if (error.code === 'aborted') {
        // The caller stopped us; if the POST was in flight, a job may exist (and be charged): record it
        // like any unanswered submit, so the next run looks for that job before paying again.
        if (error.details?.sent !== false) {
          await options.onUnknownOutcome?.(unanswered);
        }
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
        if (ambiguous) await options.onUnknownOutcome?.(unanswered);
        const lookup = await findSubmittedJob(
          ctx,
          {
            modelId,
            input: params,
            since: attemptStarted,
            ...(options.claimed !== undefined ? { claimed: options.claimed } : {}),
            ...(options.recoverySkewMs !== undefined ? { skewMs: options.recoverySkewMs } : {}),
          },
          {
            ...(signal !== undefined ? { signal } : {}),
            ...(emit !== undefined ? { emit } : {}),
            ...(ambiguous && options.lookUntil !== undefined ? { until: options.lookUntil } : {}),
          },
        );
        if (lookup.job !== undefined) return { done: found(lookup.job, undefined, true) };
        if (ambiguous || lookup.lookupError !== undefined) {
          throw unknownOutcomeError(
            unanswered,
            ctx.ports.clock.now(),
            ambiguous
              ? undefined
              : `The submit failed (HTTP ${error.status ?? '5xx'}) and the recent jobs could not be checked for it.`,
            { cause: error, ...(lookup.lookupError !== undefined ? { lookupError: lookup.lookupError } : {}) },
          );
        }
      } else if (!isRefusal(error)) {
        throw error;
      }
      // Refused before a job was made (or a 5xx that made none): safe to try again after a pause.
      return { retry: error };
    },
    next: async (error, attempt) => {
      const limit = error.details?.actionLimit;
      const patient = error.code === 'rate_limited' && options.refusalPatienceMs !== undefined;
      const delay = planRetry({
        error,
        attempt: attempt - progressAttempt,
        elapsedMs: ctx.ports.clock.now() - progressAt,
        policy: patient
          ? { ...policy, maxAttempts: Number.POSITIVE_INFINITY, maxElapsedMs: options.refusalPatienceMs! }
          : policy,
        random: ctx.random,
      });
      if (delay === undefined) return undefined;
      let advice: void | RateLimitAdvice = undefined;
      if (error.code === 'rate_limited') {
        advice = await options.onRateLimited?.({
          delayMs: delay,
          attempt,
          ...(typeof limit === 'number' ? { actionLimit: limit } : {}),
        });
      }
      if (advice?.retryNow === true) {
        // One of our jobs ended: that is progress, so the patience starts again.
        progressAt = ctx.ports.clock.now();
        progressAttempt = attempt;
        return { delayMs: 0, cause: error.code };
      }
      return { delayMs: delay, cause: error.code };
    },
  });
};
