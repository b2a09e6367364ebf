import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.js';
import { DEFAULT_RETRY_POLICY, planRetry, retryDelayMs, serverHintMs } from './retry.js';

const err = (code: 'server' | 'rate_limited' | 'invalid_input' | 'network', details?: Record<string, unknown>) =>
  new ScenarioError({
    code,
    message: code,
    retryable: code !== 'invalid_input',
    ...(details ? { details } : {}),
  });

const policy = DEFAULT_RETRY_POLICY;

describe('retry delays', () => {
  it('backs off exponentially with equal jitter up to the cap', () => {
    const lo = [1, 2, 3, 4, 10].map((attempt) => retryDelayMs({ attempt, policy, random: () => 0 }));
    const hi = [1, 2, 3, 4, 10].map((attempt) => retryDelayMs({ attempt, policy, random: () => 1 }));
    expect(lo).toEqual([250, 500, 1000, 2000, policy.maxDelayMs / 2]);
    expect(hi).toEqual([500, 1000, 2000, 4000, policy.maxDelayMs]);
  });

  it('honours Retry-After and remainingSeconds: at least as long as asked, at most 10 % more', () => {
    const retryAfter = err('rate_limited', { retryAfterMs: 7000 });
    const remaining = err('rate_limited', { remainingSeconds: 12 });
    const both = err('rate_limited', { retryAfterMs: 3000, remainingSeconds: 5 });
    expect(serverHintMs(retryAfter)).toBe(7000);
    expect(serverHintMs(remaining)).toBe(12_000);
    expect(serverHintMs(both)).toBe(5000);
    for (const random of [() => 0, () => 0.99]) {
      const d = planRetry({ error: retryAfter, attempt: 1, elapsedMs: 0, policy, random })!;
      expect(d).toBeGreaterThanOrEqual(7000);
      expect(d).toBeLessThanOrEqual(7700);
      const r = planRetry({ error: remaining, attempt: 1, elapsedMs: 0, policy, random })!;
      expect(r).toBeGreaterThanOrEqual(12_000);
    }
  });

  it('gives up on non-transient errors, after the attempt budget, the time budget, or an outer deadline', () => {
    const random = () => 0.5;
    expect(planRetry({ error: err('invalid_input'), attempt: 1, elapsedMs: 0, policy, random })).toBeUndefined();
    expect(
      planRetry({ error: err('server'), attempt: policy.maxAttempts, elapsedMs: 0, policy, random }),
    ).toBeUndefined();
    expect(
      planRetry({ error: err('server'), attempt: 1, elapsedMs: policy.maxElapsedMs - 10, policy, random }),
    ).toBeUndefined();
    expect(
      planRetry({ error: err('server'), attempt: 1, elapsedMs: 0, policy, random, remainingMs: 100 }),
    ).toBeUndefined();
    expect(
      planRetry({
        error: err('rate_limited', { retryAfterMs: policy.maxHintMs + 1 }),
        attempt: 1,
        elapsedMs: 0,
        policy,
        random,
      }),
    ).toBeUndefined();
    expect(planRetry({ error: err('network'), attempt: 1, elapsedMs: 0, policy, random })).toBeGreaterThan(0);
  });
});
