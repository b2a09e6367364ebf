/**
 * When to look at a job next. A pure function of what has been observed, so the schedule's shape
 * can be tested without a clock, and every face polls the same way.
 *
 * - Fast at first (`minMs`): a job that is refused or fails at once is reported at once.
 * - Backing off with the job's age (about `growth` × age) up to `maxMs`: a ten-minute render is
 *   polled a few dozen times, not two hundred.
 * - Steered by progress: once `progress` moves, the remaining time is estimated from its speed and
 *   the next poll lands halfway to the expected end, so completion is noticed quickly.
 *   If progress stalls, the interval grows again (no hot loop on a job stuck at 0.99).
 * - `finalizing` (or progress at 1) means the end is near: poll quickly, slowing only if it lingers.
 * - ±`jitter` so many clients started together spread out.
 */
export interface PollScheduleOptions {
  minMs: number;
  maxMs: number;
  /** Interval as a fraction of the job's age before clamping. */
  growth: number;
  /** Upper bound while `finalizing`. */
  finalizingMaxMs: number;
  /** Where to aim between now and the end estimated from progress speed (0.5 = halfway). */
  aim: number;
  /** Relative jitter, 0.1 = ±10 %. */
  jitter: number;
}

export const DEFAULT_POLL_SCHEDULE: PollScheduleOptions = {
  minMs: 1000,
  maxMs: 15_000,
  growth: 0.5,
  finalizingMaxMs: 3000,
  aim: 0.5,
  jitter: 0.1,
};

export interface PollState {
  /** Time since the job was created (or since we started watching it). */
  ageMs: number;
  status: string;
  /** Time since the status last changed. */
  statusAgeMs: number;
  /** Last reported progress in [0, 1]. */
  progress?: number;
  /** Observed progress speed (per ms), when progress has moved. */
  progressPerMs?: number;
  /** Time since progress last moved. */
  progressAgeMs?: number;
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** The next poll delay in ms, before jitter. */
export const basePollDelayMs = (state: PollState, options: PollScheduleOptions = DEFAULT_POLL_SCHEDULE): number => {
  const { minMs, maxMs } = options;
  const byAge = clamp(state.ageMs * options.growth, minMs, maxMs);
  const { progress, progressPerMs, progressAgeMs = 0 } = state;
  const moving = progress !== undefined && progressPerMs !== undefined && progressPerMs > 0;
  if (moving && progress < 1) {
    // Aim part of the way to the end estimated from progress speed; if progress has stopped
    // moving, back off with the stall instead of hammering.
    const remainingMs = (1 - progress) / progressPerMs;
    return clamp(Math.min(byAge, Math.max(remainingMs * options.aim, progressAgeMs * options.growth)), minMs, maxMs);
  }
  // About to end (finalizing, or progress at 1): look often, slowing only if it lingers.
  const finalMax = Math.min(maxMs, options.finalizingMaxMs);
  if (state.status === 'finalizing') return clamp(minMs + state.statusAgeMs / 4, minMs, finalMax);
  if (moving) return clamp(minMs + progressAgeMs / 4, minMs, finalMax);
  return byAge;
};

/** The next poll delay in ms, with jitter, never below `minMs` nor above `maxMs`. */
export const nextPollDelayMs = (
  state: PollState,
  random: () => number,
  options: PollScheduleOptions = DEFAULT_POLL_SCHEDULE,
): number => {
  const base = basePollDelayMs(state, options);
  const jittered = base * (1 + options.jitter * (2 * random() - 1));
  return Math.round(clamp(jittered, options.minMs, options.maxMs));
};

/**
 * Remembers what the polls saw (status changes, progress movement) and turns it into a PollState.
 * Pure: the caller passes the time of each observation.
 */
export class PollObserver {
  private status: string | undefined;
  private statusSince = 0;
  private progress: number | undefined;
  private progressSince = 0;
  /** First observation with a known progress, to measure speed from. */
  private progressOrigin: { at: number; value: number } | undefined;
  private progressPerMs: number | undefined;

  /** `createdAt` is when the job began (server time when known, else when we started watching). */
  constructor(private readonly createdAt: number) {}

  observe(at: number, status: string, progress: number | undefined): void {
    if (status !== this.status) {
      this.status = status;
      this.statusSince = at;
    }
    if (progress === undefined || !Number.isFinite(progress)) return;
    const p = clamp(progress, 0, 1);
    if (this.progressOrigin === undefined) {
      this.progressOrigin = { at, value: p };
      this.progress = p;
      this.progressSince = at;
      return;
    }
    if (p !== this.progress) {
      this.progress = p;
      this.progressSince = at;
      const dp = p - this.progressOrigin.value;
      const dt = at - this.progressOrigin.at;
      this.progressPerMs = dp > 0 && dt > 0 ? dp / dt : undefined;
    }
  }

  state(now: number): PollState {
    const s: PollState = {
      ageMs: Math.max(0, now - this.createdAt),
      status: this.status ?? 'unknown',
      statusAgeMs: Math.max(0, now - this.statusSince),
    };
    if (this.progress !== undefined) {
      s.progress = this.progress;
      s.progressAgeMs = Math.max(0, now - this.progressSince);
    }
    if (this.progressPerMs !== undefined) s.progressPerMs = this.progressPerMs;
    return s;
  }
}
