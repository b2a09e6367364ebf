import { describe, expect, it } from 'vitest';
import { GenerationScheduler } from './scheduler.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('GenerationScheduler', () => {
  it('grants every submit until the API names the limit, then holds the rest until ours end', async () => {
    const s = new GenerationScheduler();
    const a = await s.acquire();
    const b = await s.acquire();
    expect(s.running).toBe(2);
    // b is refused: the team (limit 1) is full with a, so b steps back until a ends.
    let again = false;
    const back = b.refused(1).then((ended) => (again = ended));
    await tick();
    expect(s.limit).toBe(1);
    expect(again).toBe(false);
    let c = false;
    void s.acquire().then(() => (c = true));
    a.release();
    await back;
    // b went first (it kept its place), and knows one of ours ended: submit at once.
    expect(again).toBe(true);
    await tick();
    expect(c).toBe(false);
    b.release();
    await tick();
    expect(c).toBe(true);
  });

  it('keeps the named ceiling for good: accepted submits raise the limit back only up to it', async () => {
    const limits: number[] = [];
    const s = new GenerationScheduler((n) => limits.push(n));
    const slots = await Promise.all([s.acquire(), s.acquire(), s.acquire()]);
    // Other clients fill the team: at the refusal only 2 of ours run, under a ceiling of 3.
    const refusedOne = slots[2]!.refused(3);
    expect(s.limit).toBe(2);
    slots[0]!.release();
    await refusedOne;
    slots[1]!.release();
    slots[2]!.release();
    for (let i = 0; i < 10; i++) {
      const slot = await s.acquire();
      slot.submitted();
      slot.release();
    }
    expect(limits.at(-1)).toBe(3);
    expect(Math.max(...limits)).toBe(3);
  });

  it('a refused submit with none of ours running gets its slot back at once (then backs off)', async () => {
    const s = new GenerationScheduler();
    const only = await s.acquire();
    expect(await only.refused(4)).toBe(false);
    expect(s.running).toBe(1);
    expect(s.limit).toBe(1);
  });

  it('an abort takes a waiter out of the queue; a resumed job occupies a place past the limit', async () => {
    const s = new GenerationScheduler();
    const a = await s.acquire();
    await a.refused(1);
    const stop = new AbortController();
    const waiting = s.acquire({ signal: stop.signal });
    expect(s.queued).toBe(1);
    stop.abort(new Error('stop'));
    await expect(waiting).rejects.toMatchObject({ code: 'aborted' });
    expect(s.queued).toBe(0);
    const resumed = s.occupy();
    expect(s.running).toBe(2);
    resumed.release();
    resumed.release();
    expect(s.running).toBe(1);
  });
});
