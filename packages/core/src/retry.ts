import type { ScenarioError } from './errors.js';

/** How hard to retry a request that may safely be repeated (GETs, dry runs, refused submits). */
export interface RetryPolicy {
  /** Total tries including the first (>= 1). */
  maxAttempts: number;
  /** Stop retrying once this much time has passed since the first try. */
  maxElapsedMs: number;
  /** First backoff delay; doubles each attempt. */
  baseDelayMs: number;
  /** Cap of the computed backoff (before jitter). */
  maxDelayMs: number;
  /** Cap of a server hint (`Retry-After`, `remainingSeconds`); longer hints end the retries. */
  maxHintMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 120_000,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxHintMs: 120_000,
};

/**
 * Delay before retry number `attempt` (1 = the first retry). A server hint wins: the client waits
 * at least as long as asked, plus up to 10 % so many clients told the same time don't return at
 * once. Otherwise exponential backoff with "equal jitter": half fixed, half random, so the delay
 * grows reliably but never synchronises.
 */
export const retryDelayMs = (input: {
  attempt: number;
  policy: RetryPolicy;
  random: () => number;
  /** Server-requested wait in ms (`Retry-After`, `retry-after-ms`, `remainingSeconds`). */
  hintMs?: number;
}): number => {
  const { attempt, policy, random, hintMs } = input;
  if (hintMs !== undefined && hintMs > 0) return Math.round(hintMs * (1 + 0.1 * random()));
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (exp / 2) * random());
};

/** The server's hint, in ms, from an error made by `apiErrorFromResponse`. */
export const serverHintMs = (error: ScenarioError): number | undefined => {
  const d = error.details;
  if (d === undefined) return undefined;
  const retryAfter = typeof d.retryAfterMs === 'number' ? d.retryAfterMs : undefined;
  const remaining = typeof d.remainingSeconds === 'number' ? d.remainingSeconds * 1000 : undefined;
  if (retryAfter === undefined && remaining === undefined) return undefined;
  return Math.max(retryAfter ?? 0, remaining ?? 0);
};

/** Errors worth another try of a repeatable request: rate limits, server errors, lost connections. */
export const isTransient = (error: ScenarioError): boolean =>
  error.retryable && (error.code === 'rate_limited' || error.code === 'server' || error.code === 'network');

/**
 * Decide about retry `attempt` (1 = first retry) after `error`: the delay, or undefined to give up
 * (not transient, out of attempts, out of time, or the server asks for longer than we may wait).
 */
export const planRetry = (input: {
  error: ScenarioError;
  attempt: number;
  elapsedMs: number;
  policy: RetryPolicy;
  random: () => number;
  /** Time left before an outer deadline, if any: never sleep past it. */
  remainingMs?: number;
}): number | undefined => {
  const { error, attempt, elapsedMs, policy } = input;
  if (!isTransient(error)) return undefined;
  if (attempt >= policy.maxAttempts) return undefined;
  const hint = serverHintMs(error);
  if (hint !== undefined && hint > policy.maxHintMs) return undefined;
  const delay = retryDelayMs({
    attempt,
    policy,
    random: input.random,
    ...(hint !== undefined ? { hintMs: hint } : {}),
  });
  if (elapsedMs + delay > policy.maxElapsedMs) return undefined;
  if (input.remainingMs !== undefined && delay >= input.remainingMs) return undefined;
  return delay;
};
