import { afterEach, describe, expect, it, vi } from 'vitest';
import { timerSleep } from './sleep.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('timerSleep', () => {
  it('resolves after the delay', async () => {
    vi.useFakeTimers();
    let done = false;
    const p = timerSleep(5000).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(4999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(done).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with the reason at once on abort and leaves no timer running', async () => {
    vi.useFakeTimers();
    const ac = new AbortController();
    const p = timerSleep(60_000, ac.signal);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an already-aborted signal rejects without creating a timer', async () => {
    vi.useFakeTimers();
    await expect(timerSleep(1000, AbortSignal.abort('x'))).rejects.toBe('x');
    expect(vi.getTimerCount()).toBe(0);
  });
});
