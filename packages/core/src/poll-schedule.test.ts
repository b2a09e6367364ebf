import { describe, expect, it } from 'vitest';
import { DEFAULT_POLL_SCHEDULE, PollObserver, basePollDelayMs, nextPollDelayMs } from './poll-schedule.js';

/**
 * A model video job of `durationMs`, shaped like the fake API's timeline: pending, queued and
 * warming-up over the first quarter, then `in-progress` and `finalizing` while progress climbs
 * linearly to 1 (reported to 1 %).
 */
const modelJob = (durationMs: number) => (t: number) => {
  const f = t / durationMs;
  if (f >= 1) return { status: 'success', progress: 1 };
  const progress = Math.round(Math.min(1, Math.max(0, (f - 0.25) / 0.75)) * 100) / 100;
  if (f < 0.05) return { status: 'pending', progress: 0 };
  if (f < 0.15) return { status: 'queued', progress: 0 };
  if (f < 0.25) return { status: 'warming-up', progress: 0 };
  if (f < 0.85) return { status: 'in-progress', progress };
  return { status: 'finalizing', progress };
};

/** Poll a model job with a schedule; count the polls and how late completion was noticed. */
const simulate = (durationMs: number, schedule: (observer: PollObserver, t: number) => number, firstPollMs = 0) => {
  const job = modelJob(durationMs);
  const observer = new PollObserver(0);
  let t = firstPollMs;
  let polls = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    polls++;
    const seen = job(t);
    observer.observe(t, seen.status, seen.progress);
    if (seen.status === 'success') return { polls, lateMs: t - durationMs };
    t += schedule(observer, t);
  }
  throw new Error('did not finish');
};

const fixed3s = () => 3000;
/** A small deterministic generator, so jittered runs are reproducible. */
const seeded = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const adaptive = (random: () => number) => (o: PollObserver, t: number) => nextPollDelayMs(o.state(t), random);

describe('poll schedule', () => {
  it('polls fast at first and backs off towards the cap while queued', () => {
    const delays = [0, 2_000, 10_000, 30_000, 60_000, 600_000].map((ageMs) =>
      basePollDelayMs({ ageMs, status: 'queued', statusAgeMs: ageMs }),
    );
    expect(delays[0]).toBe(DEFAULT_POLL_SCHEDULE.minMs);
    // About the job's age (1, 2, 4, 8 s…): a few quick looks, then fewer.
    expect(delays[1]).toBeLessThanOrEqual(2 * DEFAULT_POLL_SCHEDULE.minMs);
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays.at(-1)).toBe(DEFAULT_POLL_SCHEDULE.maxMs);
  });

  it('tightens as progress approaches 1, and backs off again if progress stalls', () => {
    const base = { ageMs: 300_000, status: 'in-progress', statusAgeMs: 200_000, progressPerMs: 1 / 100_000 };
    const at = (progress: number, progressAgeMs = 0) => basePollDelayMs({ ...base, progress, progressAgeMs });
    expect(at(0.2)).toBe(DEFAULT_POLL_SCHEDULE.maxMs);
    expect(at(0.95)).toBeLessThan(at(0.9));
    expect(at(0.9)).toBeLessThan(DEFAULT_POLL_SCHEDULE.maxMs);
    // The end is 100 ms away: look just after it, sooner than minMs if need be.
    expect(at(0.999)).toBeLessThanOrEqual(DEFAULT_POLL_SCHEDULE.minMs);
    expect(at(0.999)).toBeGreaterThanOrEqual(DEFAULT_POLL_SCHEDULE.endMinMs);
    // Stuck at 0.999 for 20 s: the interval grows with the stall instead of hammering every second.
    expect(at(0.999, 20_000)).toBe(10_000);
  });

  it('polls quickly while finalizing or at progress 1, slowing only if it lingers', () => {
    const at = (statusAgeMs: number) => basePollDelayMs({ ageMs: 600_000, status: 'finalizing', statusAgeMs });
    expect(at(0)).toBe(DEFAULT_POLL_SCHEDULE.minMs);
    expect(at(60_000)).toBe(DEFAULT_POLL_SCHEDULE.finalizingMaxMs);
    const done = (progressAgeMs: number) =>
      basePollDelayMs({
        ageMs: 600_000,
        status: 'in-progress',
        statusAgeMs: 500_000,
        progress: 1,
        progressPerMs: 1e-5,
        progressAgeMs,
      });
    expect(done(0)).toBeLessThanOrEqual(DEFAULT_POLL_SCHEDULE.minMs);
    expect(done(60_000)).toBe(DEFAULT_POLL_SCHEDULE.finalizingMaxMs);
  });

  it('jitters within ±10 % and never leaves [min, max]', () => {
    const state = { ageMs: 10_000, status: 'in-progress', statusAgeMs: 0 };
    const base = basePollDelayMs(state);
    expect(nextPollDelayMs(state, () => 0)).toBe(Math.round(base * 0.9));
    expect(nextPollDelayMs(state, () => 0.999999)).toBe(Math.round(base * 1.1));
    expect(nextPollDelayMs({ ageMs: 0, status: 'queued', statusAgeMs: 0 }, () => 0)).toBe(DEFAULT_POLL_SCHEDULE.minMs);
    expect(nextPollDelayMs({ ageMs: 1e9, status: 'queued', statusAgeMs: 0 }, () => 0.999)).toBe(
      DEFAULT_POLL_SCHEDULE.maxMs,
    );
  });

  it.each([
    { durationMs: 60_000, label: '60 s job' },
    { durationMs: 600_000, label: '10-minute job' },
  ])('uses fewer polls than a fixed 3 s loop on a $label and still notices the end quickly', ({ durationMs }) => {
    const baseline = simulate(durationMs, fixed3s);
    let late = 0;
    let runs = 0;
    for (const random of [() => 0, () => 0.5, () => 0.999, seeded(1), seeded(2), seeded(3)]) {
      for (const stretch of [0.93, 1, 1.07]) {
        const ours = simulate(durationMs * stretch, adaptive(random));
        expect(ours.polls).toBeLessThan(baseline.polls);
        // Never much later than the fixed loop's worst case (3 s): the end is steered by progress
        // and the short finalizing interval, not by the long mid-job interval.
        expect(ours.lateMs).toBeLessThanOrEqual(3500);
        late += ours.lateMs;
        runs++;
      }
    }
    // On average about as prompt as the fixed loop (1.5 s).
    expect(late / runs).toBeLessThanOrEqual(1800);
    const typical = simulate(
      durationMs,
      adaptive(() => 0.5),
    );
    if (durationMs === 600_000) expect(typical.polls).toBeLessThan(baseline.polls / 3);
  });

  it('sees a one-minute render through in at most 10 polls, whatever its exact length and the jitter', () => {
    // One look that lands just before the end costs a whole extra poll: the margin leans late.
    // The first look comes when the job is minMs old, as waitForJob does after a submit.
    for (const random of [() => 0, () => 0.5, () => 0.999, ...[4, 5, 6, 7, 8, 9, 10, 11].map(seeded)]) {
      for (let durationMs = 60_000; durationMs <= 63_000; durationMs += 10) {
        const ours = simulate(durationMs, adaptive(random), DEFAULT_POLL_SCHEDULE.minMs);
        expect({ durationMs, polls: ours.polls }).toEqual({ durationMs, polls: expect.toBeOneOf([8, 9, 10]) });
        expect(ours.lateMs).toBeLessThan(1500);
      }
    }
  });

  it('aims just after the end estimated from progress speed, without jitter', () => {
    // 1 % per second, at 0.98 now: the end is 2 s away.
    const state = { ageMs: 90_000, status: 'finalizing', statusAgeMs: 5000, progress: 0.98, progressPerMs: 1e-5 };
    // The margin: endMarginMs, half the time one progress step (1 %) takes, and the estimate's error.
    const { endMarginMs, progressStep, endRelativeError } = DEFAULT_POLL_SCHEDULE;
    const margin = (leftMs: number) => endMarginMs + progressStep / 2 / 1e-5 + leftMs * endRelativeError;
    expect(basePollDelayMs(state)).toBeCloseTo(2000 + margin(2000), 6);
    expect(nextPollDelayMs(state, () => 0)).toBe(nextPollDelayMs(state, () => 0.999));
    // Seen 1.5 s ago (that poll's progress was unchanged): the end is 0.5 s away, sooner than minMs.
    expect(basePollDelayMs({ ...state, progressAgeMs: 1500 })).toBeCloseTo(500 + margin(500), 6);
    // Far from the end, part of the way there (one more look sharpens the estimate before the end).
    const far = basePollDelayMs({ ...state, progress: 0.9 });
    expect(far).toBeGreaterThan(DEFAULT_POLL_SCHEDULE.minMs);
    expect(far).toBeLessThan(10_000);
  });

  it('catches an immediate failure on the first quick polls', () => {
    const observer = new PollObserver(0);
    observer.observe(0, 'queued', 0);
    expect(nextPollDelayMs(observer.state(0), () => 0.5)).toBe(DEFAULT_POLL_SCHEDULE.minMs);
  });

  it('measures progress speed from the first observation above 0 (0 only says the work has not started)', () => {
    const o = new PollObserver(0);
    o.observe(0, 'queued', 0);
    o.observe(8000, 'warming-up', 0);
    o.observe(16_000, 'in-progress', 0.02);
    expect(o.state(16_000).progressPerMs).toBeUndefined();
    o.observe(31_000, 'in-progress', 0.35);
    expect(o.state(31_000).progressPerMs).toBeCloseTo(0.33 / 15_000);
  });

  it('measures progress speed from the first observation and reports stalls', () => {
    const o = new PollObserver(0);
    o.observe(1000, 'in-progress', 0.1);
    o.observe(11_000, 'in-progress', 0.2);
    o.observe(21_000, 'in-progress', 0.2);
    const s = o.state(21_000);
    expect(s.progressPerMs).toBeCloseTo(0.1 / 10_000);
    expect(s.progressAgeMs).toBe(10_000);
    expect(s.statusAgeMs).toBe(20_000);
  });
});
