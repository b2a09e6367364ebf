// The real-scale profile's own measures: the ideal schedule, and a spawned process on the scaled
// clock staying in step with the fake's (otherwise every spawned figure would be off).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createScaledClock, idealMs } from './scale.js';

const run = promisify(execFile);

describe('idealMs: the same jobs packed greedily on the team’s slots, no overhead', () => {
  it('one slot: the sum; three slots: each job on the slot that frees first, in order', () => {
    expect(idealMs([5, 3, 2], 1)).toBe(10);
    // slots: [5], [3], [2] → 4 goes after 2 (6), 1 after 3 (4): the longest slot ends at 6.
    expect(idealMs([5, 3, 2, 4, 1], 3)).toBe(6);
    expect(idealMs([], 3)).toBe(0);
  });
});

describe('createScaledClock and the preload', () => {
  it('a child with scaled-time.mjs reads the same virtual time, and its timers run `scale` times faster', async () => {
    const clock = createScaledClock(250, Date.UTC(2026, 11, 1));
    const script = [
      'const before = Date.now();',
      'const d = new Date();',
      // 60 s of virtual time: 240 ms of real time.
      'setTimeout(() => console.log(JSON.stringify({ before, date: d.getTime(), after: Date.now() })), 60000);',
    ].join('\n');
    const t0 = clock.now();
    const { stdout } = await run(process.execPath, ['-e', script], {
      env: { PATH: process.env.PATH ?? '', ...clock.env() },
      timeout: 20_000,
    });
    const t1 = clock.now();
    const seen = JSON.parse(stdout) as { before: number; date: number; after: number };
    expect(seen.before).toBeGreaterThanOrEqual(t0);
    expect(Math.abs(seen.date - seen.before)).toBeLessThan(250 * 50); // the same clock, 50 ms of real time apart at most
    expect(seen.after - seen.before).toBeGreaterThanOrEqual(60_000);
    expect(seen.after).toBeLessThanOrEqual(t1);
    // The child and the parent agree: the child's "after" is within the parent's window.
    expect(t1 - t0).toBeLessThan(20_000 * 250);
  });

  it('at(t) resolves once the scaled clock reads t', async () => {
    const clock = createScaledClock(1000, 0);
    const target = clock.now() + 30_000; // 30 ms of real time
    await clock.at(target);
    expect(clock.now()).toBeGreaterThanOrEqual(target);
  });
});
