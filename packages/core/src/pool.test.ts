import { describe, expect, it } from 'vitest';
import { runPool } from './pool.js';

describe('runPool', () => {
  it('runs at most `limit` at once and starts items in order', async () => {
    let now = 0;
    let peak = 0;
    const started: number[] = [];
    await runPool([1, 2, 3, 4, 5], 2, async (_, i) => {
      started.push(i);
      peak = Math.max(peak, ++now);
      await new Promise((r) => setImmediate(r));
      now--;
    });
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('starts nothing new once the signal aborts, and passes the first failure on after the rest settle', async () => {
    const stop = new AbortController();
    const done: number[] = [];
    const run = runPool(
      [0, 1, 2, 3],
      1,
      async (_, i) => {
        if (i === 1) {
          stop.abort();
          throw new Error('item 1');
        }
        done.push(i);
      },
      stop.signal,
    );
    await expect(run).rejects.toThrow('item 1');
    expect(done).toEqual([0]);
  });
});
