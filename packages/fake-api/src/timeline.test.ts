import { describe, expect, it } from 'vitest';
import { viewJob, type TimelineInput } from './timeline.js';

const T0 = Date.UTC(2026, 0, 1);
const D = 10_000;
const job = (o: Partial<TimelineInput> = {}): TimelineInput => ({
  createdAt: T0,
  durationMs: D,
  outcome: 'success',
  ...o,
});

/** Sample the job every 100 ms over `spanMs` and return the distinct statuses in order. */
function walk(j: TimelineInput, spanMs = 3 * D): { statuses: string[]; progress: number[] } {
  const statuses: string[] = [];
  const progress: number[] = [];
  for (let t = 0; t <= spanMs; t += 100) {
    const v = viewJob(j, T0 + t);
    if (statuses[statuses.length - 1] !== v.status) statuses.push(v.status);
    progress.push(v.progress);
  }
  return { statuses, progress };
}

describe('job timeline (computed from the clock)', () => {
  it('success walks pending → queued → warming-up → in-progress → finalizing → success', () => {
    const { statuses, progress } = walk(job());
    expect(statuses).toEqual(['pending', 'queued', 'warming-up', 'in-progress', 'finalizing', 'success']);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress[0]).toBe(0);
    expect(progress[progress.length - 1]).toBe(1);
    const end = viewJob(job(), T0 + D);
    expect(end.statusHistory.map((h) => h.status)).toEqual(statuses);
    expect(end.updatedAt).toBe(T0 + D);
    expect(end.endedAt).toBe(T0 + D);
  });

  it('progress is 0 until in-progress, then rises', () => {
    expect(viewJob(job(), T0 + 0.2 * D)).toMatchObject({ status: 'warming-up', progress: 0 });
    const mid = viewJob(job(), T0 + 0.6 * D);
    expect(mid.status).toBe('in-progress');
    expect(mid.progress).toBeGreaterThan(0);
    expect(mid.progress).toBeLessThan(1);
  });

  it('failure and platform cancel end before finalizing, progress frozen', () => {
    expect(walk(job({ outcome: 'failure' })).statuses).toEqual([
      'pending',
      'queued',
      'warming-up',
      'in-progress',
      'failure',
    ]);
    expect(walk(job({ outcome: 'canceled' })).statuses.at(-1)).toBe('canceled');
    const a = viewJob(job({ outcome: 'failure' }), T0 + D);
    const b = viewJob(job({ outcome: 'failure' }), T0 + 100 * D);
    expect(b.progress).toBe(a.progress);
    expect(a.progress).toBeLessThan(1);
  });

  it('never stays in-progress with progress stuck below 1', () => {
    const { statuses } = walk(job({ outcome: 'never' }), 50 * D);
    expect(statuses).toEqual(['pending', 'queued', 'warming-up', 'in-progress']);
    const a = viewJob(job({ outcome: 'never' }), T0 + D);
    const b = viewJob(job({ outcome: 'never' }), T0 + 1000 * D);
    expect(b.progress).toBe(a.progress);
    expect(b.progress).toBeLessThan(1);
  });

  it('a client cancel ends the job at the cancel time', () => {
    const v = viewJob(job({ canceledAt: T0 + 0.5 * D }), T0 + 2 * D);
    expect(v.status).toBe('canceled');
    expect(v.statusHistory.map((h) => h.status)).toEqual([
      'pending',
      'queued',
      'warming-up',
      'in-progress',
      'canceled',
    ]);
    expect(v.endedAt).toBe(T0 + 0.5 * D);
    // Cancel at creation: straight from pending.
    expect(viewJob(job({ canceledAt: T0 }), T0).statusHistory.map((h) => h.status)).toEqual(['pending', 'canceled']);
  });
});
