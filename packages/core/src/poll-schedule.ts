/**
 * When to look at a job next. A pure function of what has been observed, so the schedule's shape
 * can be tested without a clock, and every face polls the same way.
 *
 * - Fast at first (`minMs`): a job that is refused or fails at once is reported at once.
 * - Backing off with the job's age (about `growth` × age: 1, 2, 4, 8 s…) up to `maxMs`: a
 *   ten-minute render is polled a few dozen times, not two hundred.
 * - Steered by progress: once `progress` has moved between two polls, the end is estimated from
 *   its speed. Far from it, the next poll lands `aim` of the way there (0.9: one look shortly
 *   before the end sharpens the estimate); within `nearEndMs` of it, the next poll lands just
 *   after it (possibly sooner than `minMs`, never sooner than `endMinMs`), with a margin for how
 *   unsure the estimate is, so completion is noticed within a second with one poll. A look that
 *   lands just before the end costs a whole extra poll; one that lands a little late costs only
 *   that little, so the margin leans late.
 *   If progress stalls, the interval grows again (no hot loop on a job stuck at 0.99).
 * - `finalizing` (or progress at 1) means the end is near: poll quickly, slowing only if it lingers.
 * - ±`jitter` on the age-based intervals, so many clients started together spread out (a poll
 *   aimed at a job's own end is not jittered: ends are already spread by the jobs).
 */
export interface PollScheduleOptions {
  minMs: number;
  maxMs: number;
  /** Interval as a fraction of the job's age before clamping. */
  growth: number;
  /** Interval as a fraction of the time progress has not moved, once it has stalled. */
  stallGrowth: number;
  /** Upper bound while `finalizing`. */
  finalizingMaxMs: number;
  /** Where to aim between now and the end estimated from progress speed (0.5 = halfway), when the end is far. */
  aim: number;
  /** When the estimated end is this close, aim just after it instead of part of the way. */
  nearEndMs: number;
  /** How long after the estimated end to look, at least. */
  endMarginMs: number;
  /**
   * Granularity of the reported progress (0.01: whole percents). A reading is rounded, so the work
   * may be up to half a step behind it: half a step's worth of time (at most `minMs`) is added to
   * the margin.
   */
  progressStep: number;
  /** The speed estimate's error, as a fraction of the time left: added to the margin too. */
  endRelativeError: number;
  /** Shortest interval of all, only for a poll aimed at the estimated end (or when `minMs` is lower). */
  endMinMs: number;
  /** Relative jitter, 0.1 = ±10 %. */
  jitter: number;
}

export const DEFAULT_POLL_SCHEDULE: PollScheduleOptions = {
  minMs: 1000,
  maxMs: 15_000,
  growth: 1,
  stallGrowth: 0.5,
  finalizingMaxMs: 3000,
  aim: 0.9,
  nearEndMs: 8000,
  endMarginMs: 150,
  progressStep: 0.01,
  endRelativeError: 0.03,
  endMinMs: 200,
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

/** The next delay and whether it is aimed at the estimated end (then it is not jittered). */
const plan = (state: PollState, options: PollScheduleOptions): { ms: number; aimed: boolean } => {
  const { minMs, maxMs } = options;
  const endMinMs = Math.min(options.endMinMs, minMs);
  const byAge = clamp(state.ageMs * options.growth, minMs, maxMs);
  const { progress, progressPerMs, progressAgeMs = 0 } = state;
  const moving = progress !== undefined && progressPerMs !== undefined && progressPerMs > 0;
  // Capped at minMs: on a slow job a step lasts many seconds, and being that late costs more than a poll.
  const halfStepMs = moving ? Math.min(options.progressStep / 2 / progressPerMs, minMs) : 0;
  if (moving && progress < 1) {
    // The end estimated from progress speed, counted from when this progress was first seen.
    const remainingMs = (1 - progress) / progressPerMs - progressAgeMs;
    // Progress that has not moved for a while (longer than the estimate allowed): back off with the stall.
    const stalledMs = progressAgeMs * options.stallGrowth;
    if (remainingMs <= options.nearEndMs && stalledMs < minMs) {
      const leftMs = Math.max(0, remainingMs);
      const marginMs = options.endMarginMs + halfStepMs + leftMs * options.endRelativeError;
      return { ms: clamp(leftMs + marginMs, endMinMs, maxMs), aimed: true };
    }
    return { ms: clamp(Math.max(remainingMs * options.aim, stalledMs), minMs, maxMs), aimed: false };
  }
  // About to end (progress at 1, or finalizing): look often, slowing only if it lingers.
  const finalMax = Math.min(maxMs, options.finalizingMaxMs);
  // Progress reads 1 but the job is not done: it is within half a step of the end, if progress is honest.
  if (moving) return { ms: clamp(endMinMs + halfStepMs + progressAgeMs / 4, endMinMs, finalMax), aimed: true };
  if (state.status === 'finalizing') return { ms: clamp(minMs + state.statusAgeMs / 4, minMs, finalMax), aimed: false };
  return { ms: byAge, aimed: false };
};

/** The next poll delay in ms, before jitter. */
export const basePollDelayMs = (state: PollState, options: PollScheduleOptions = DEFAULT_POLL_SCHEDULE): number =>
  plan(state, options).ms;

/**
 * The next poll delay in ms, with jitter (not on a poll aimed at the estimated end), never below
 * `minMs` (`endMinMs` for an aimed poll) nor above `maxMs`.
 */
export const nextPollDelayMs = (
  state: PollState,
  random: () => number,
  options: PollScheduleOptions = DEFAULT_POLL_SCHEDULE,
): number => {
  const { ms, aimed } = plan(state, options);
  if (aimed) return Math.round(ms);
  const jittered = ms * (1 + options.jitter * (2 * random() - 1));
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
  /** First observation with progress above 0, to measure speed from. */
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
    const changed = p !== this.progress;
    if (changed) {
      this.progress = p;
      this.progressSince = at;
    }
    if (this.progressOrigin === undefined) {
      // Progress 0 only says the work has not started (nor when it will): measure speed from the
      // first observation that shows some progress.
      if (p > 0) this.progressOrigin = { at, value: p };
      return;
    }
    if (changed) {
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
