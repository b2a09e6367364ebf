import { abortedError, type ScenarioError } from './errors.js';
import type { RenderEvent } from './events.js';
import type { ClockPort, CorePorts } from './ports.js';
import { planRetry, type RetryPolicy } from './retry.js';

/**
 * The core's one retry loop. Every repeated operation (API calls, the submit's refusals, multipart
 * part uploads, the upload's import poll, downloads) runs through `withRetries`, so they all pause the same way: through the
 * sleep port, cancellable by the signal, each retry announced with a `retrying` event. What differs
 * between them (what counts as worth another try, how long to wait) is the caller's `next`;
 * `backoff` is the usual one (`planRetry`: `Retry-After` / `remainingSeconds`, jitter, deadline).
 */

/** Sleep through the sleep port; an abort becomes the `aborted` error naming the job. */
export const pause = async (ports: CorePorts, ms: number, signal?: AbortSignal, jobId?: string): Promise<void> => {
  if (signal?.aborted) throw abortedError(jobId, signal.reason);
  try {
    await ports.sleep(Math.max(0, ms), signal);
  } catch (e) {
    throw signal?.aborted ? abortedError(jobId, signal.reason) : e;
  }
  if (signal?.aborted) throw abortedError(jobId, signal.reason);
};

/** What one try came to: finished with a value, or a reason (`R`) to consider another try. */
export type TryOutcome<T, R> = { done: T } | { retry: R };

/** The pause before the next try, and what the `retrying` event names as its cause. */
export interface RetryStep {
  delayMs: number;
  /** Absent for a poll on schedule (nothing failed): then no `retrying` event is sent. */
  cause?: string;
}

export interface RetryLoop<T, R> {
  ports: CorePorts;
  signal?: AbortSignal;
  /** Named in `retrying` events and in the `aborted` error of an interrupted pause. */
  jobId?: string;
  emit?: (event: RenderEvent) => void;
  /** One try (1 = the first). Throwing ends the loop with that very error: only `{ retry }` may repeat. */
  attempt(attempt: number): Promise<TryOutcome<T, R>>;
  /** After failed try `attempt`: the pause before the next try, or undefined to give up. */
  next(reason: R, attempt: number): RetryStep | undefined | Promise<RetryStep | undefined>;
  /** The error thrown on giving up (default: the reason itself). */
  giveUp?(reason: R, attempt: number): unknown;
}

/**
 * Try until done or `next` gives up. Between tries: a `retrying` event (`attempt` = the tries made
 * so far) unless the step names no cause, then the pause. Nothing is retried that the try did not ask for.
 */
export const withRetries = async <T, R>(loop: RetryLoop<T, R>): Promise<T> => {
  for (let attempt = 1; ; attempt++) {
    const outcome = await loop.attempt(attempt);
    if ('done' in outcome) return outcome.done;
    const step = await loop.next(outcome.retry, attempt);
    if (step === undefined) throw loop.giveUp ? loop.giveUp(outcome.retry, attempt) : outcome.retry;
    if (step.cause !== undefined) {
      loop.emit?.({
        type: 'retrying',
        attempt,
        delayMs: step.delayMs,
        cause: step.cause,
        ...(loop.jobId !== undefined ? { jobId: loop.jobId } : {}),
      });
    }
    await pause(loop.ports, step.delayMs, loop.signal, loop.jobId);
  }
};

/**
 * The usual `next` for a repeatable request: `planRetry` with the time counted from now (call it
 * right before the first try), never sleeping past `deadline` (absolute clock time).
 */
export const backoff = (input: {
  clock: ClockPort;
  policy: RetryPolicy;
  random: () => number;
  deadline?: number;
}): ((error: ScenarioError, attempt: number) => RetryStep | undefined) => {
  const { clock, policy, random, deadline } = input;
  const started = clock.now();
  return (error, attempt) => {
    const now = clock.now();
    const delay = planRetry({
      error,
      attempt,
      elapsedMs: now - started,
      policy,
      random,
      ...(deadline !== undefined ? { remainingMs: deadline - now } : {}),
    });
    return delay === undefined ? undefined : { delayMs: delay, cause: error.code };
  };
};
