import { describe, expect, it } from 'vitest';
import { AdaptiveLimiter } from './limiter.js';

const flush = () => new Promise((r) => setImmediate(r));

describe('AdaptiveLimiter', () => {
  it('admits up to the limit and serves waiters in order', async () => {
    const l = new AdaptiveLimiter(2);
    const order: number[] = [];
    await l.acquire();
    await l.acquire();
    const third = l.acquire().then(() => order.push(3));
    const fourth = l.acquire().then(() => order.push(4));
    await flush();
    expect(order).toEqual([]);
    l.release();
    await third;
    expect(order).toEqual([3]);
    l.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(l.active).toBe(2);
  });

  it('drops to the refused level at once and climbs back one step per round of successes', () => {
    const changes: number[] = [];
    const l = new AdaptiveLimiter(4, (n) => changes.push(n));
    l.lower(1);
    expect(l.limit).toBe(1);
    l.succeeded();
    expect(l.limit).toBe(2);
    l.succeeded();
    expect(l.limit).toBe(2);
    l.succeeded();
    expect(l.limit).toBe(3);
    l.lower(2);
    expect(l.limit).toBe(2);
    for (let i = 0; i < 2 + 3; i++) l.succeeded();
    expect(l.limit).toBe(4);
    l.succeeded();
    expect(l.limit).toBe(4);
    expect(changes).toEqual([1, 2, 3, 2, 3, 4]);
    l.lower(0);
    expect(l.limit).toBe(1);
  });

  it('a lowered limit holds new work until enough slots free up', async () => {
    const l = new AdaptiveLimiter(3);
    await l.acquire();
    await l.acquire();
    l.lower(1);
    let started = false;
    const p = l.acquire().then(() => (started = true));
    l.release();
    await flush();
    expect(started).toBe(false);
    l.release();
    await p;
    expect(started).toBe(true);
  });

  it('an aborted waiter leaves the queue and rejects with aborted', async () => {
    const l = new AdaptiveLimiter(1);
    await l.acquire();
    const ac = new AbortController();
    const p = l.acquire(ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'aborted' });
    l.release();
    expect(l.active).toBe(0);
  });
});
