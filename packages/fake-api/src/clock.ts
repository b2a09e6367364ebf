import type { FakeClock, ManualClock } from './options.js';

/** Wall-clock time: jobs progress on their own, like the real API. */
export const realClock: FakeClock = { now: () => Date.now() };

/**
 * A clock that only moves when a test says so. Everything time-dependent in the fake (job
 * statuses, upload imports, URL expiry) is computed lazily from `now()`, so advancing this clock
 * is all a test needs to do: no timers fire, nothing races.
 */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let t = startMs;
  return {
    now: () => t,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
      t += ms;
    },
    set(ms: number) {
      if (!Number.isFinite(ms)) throw new RangeError(`set(ms) needs a finite ms, got ${ms}`);
      t = ms;
    },
  };
}

export function isManualClock(clock: FakeClock): clock is ManualClock {
  const c = clock as Partial<ManualClock>;
  return typeof c.advance === 'function' && typeof c.set === 'function';
}
