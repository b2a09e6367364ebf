import { describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.js';
import type { RenderEvent } from './events.js';
import type { CorePorts } from './ports.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import { backoff, withRetries } from './retry-loop.js';

/** Ports on a virtual clock: every sleep moves it forward and is recorded. */
const virtual = () => {
  let now = 0;
  const slept: number[] = [];
  const ports: CorePorts = {
    http: { request: () => Promise.reject(new Error('no http here')) },
    clock: { now: () => now },
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
  return { ports, slept };
};

const rateLimited = (retryAfterMs?: number) =>
  new ScenarioError({
    code: 'rate_limited',
    message: 'slow down',
    retryable: true,
    ...(retryAfterMs !== undefined ? { details: { retryAfterMs } } : {}),
  });

describe('withRetries', () => {
  it('tries until done, announcing each retry and pausing through the sleep port', async () => {
    const { ports, slept } = virtual();
    const events: RenderEvent[] = [];
    const result = await withRetries<string, string>({
      ports,
      jobId: 'job_1',
      emit: (e) => events.push(e),
      attempt: async (n) => (n < 3 ? { retry: `try ${n}` } : { done: 'ok' }),
      next: (reason, attempt) => ({ delayMs: attempt * 100, cause: reason }),
    });
    expect(result).toBe('ok');
    expect(slept).toEqual([100, 200]);
    expect(events).toEqual([
      { type: 'retrying', attempt: 1, delayMs: 100, cause: 'try 1', jobId: 'job_1' },
      { type: 'retrying', attempt: 2, delayMs: 200, cause: 'try 2', jobId: 'job_1' },
    ]);
  });

  it('a thrown error ends the loop as it is; giving up throws the reason or what giveUp makes of it', async () => {
    const { ports, slept } = virtual();
    const boom = new Error('boom');
    await expect(
      withRetries({ ports, attempt: () => Promise.reject(boom), next: () => ({ delayMs: 1, cause: 'x' }) }),
    ).rejects.toBe(boom);
    const reason = rateLimited();
    await expect(withRetries({ ports, attempt: async () => ({ retry: reason }), next: () => undefined })).rejects.toBe(
      reason,
    );
    await expect(
      withRetries({
        ports,
        attempt: async () => ({ retry: 'short' }),
        next: (_, attempt) => (attempt < 2 ? { delayMs: 5 } : undefined),
        giveUp: (why, attempt) => new Error(`${why} after ${attempt}`),
      }),
    ).rejects.toThrow('short after 2');
    expect(slept).toEqual([5]);
  });

  it('a step without a cause (a poll on schedule) pauses without a retrying event', async () => {
    const { ports, slept } = virtual();
    const events: RenderEvent[] = [];
    await withRetries<number, undefined>({
      ports,
      emit: (e) => events.push(e),
      attempt: async (n) => (n < 2 ? { retry: undefined } : { done: n }),
      next: () => ({ delayMs: 500 }),
    });
    expect(slept).toEqual([500]);
    expect(events).toEqual([]);
  });

  it('an abort during the pause ends the loop with `aborted` naming the job', async () => {
    const { ports } = virtual();
    const ac = new AbortController();
    const err = await withRetries({
      ports: { ...ports, sleep: async () => ac.abort(new Error('stop')) },
      signal: ac.signal,
      jobId: 'job_2',
      attempt: async () => ({ retry: 'again' }),
      next: () => ({ delayMs: 10, cause: 'again' }),
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'aborted', jobId: 'job_2' });
  });
});

describe('backoff', () => {
  it("honours the server's hint, and never sleeps past the deadline", () => {
    const { ports } = virtual();
    const next = backoff({ clock: ports.clock, policy: DEFAULT_RETRY_POLICY, random: () => 0 });
    expect(next(rateLimited(3000), 1)).toEqual({ delayMs: 3000, cause: 'rate_limited' });
    const bounded = backoff({ clock: ports.clock, policy: DEFAULT_RETRY_POLICY, random: () => 0, deadline: 1000 });
    expect(bounded(rateLimited(3000), 1)).toBeUndefined();
    const invalid = new ScenarioError({ code: 'invalid_input', message: 'no', retryable: false });
    expect(next(invalid, 1)).toBeUndefined();
  });
});
