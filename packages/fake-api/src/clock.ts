import type { FakeClock, ManualClock } from './options.js';

/** Wall-clock time: jobs progress on their own, like the real API. */
export const realClock: FakeClock = { now: () => Date.now() };

/**
 * A clock that only moves when a test says so. Everything time-dependent in the fake (job
 * statuses, upload imports, URL expiry) is computed lazily from `now()`, so advancing this clock
 * is all a test needs to do: no timers fire, nothing races. The few things that wait on the clock
 * (a submit answer held for minutes) register with `at(t)` and are released by the move that
 * reaches `t`.
 */
export function createManualClock(startMs: number = Date.now()): ManualClock {
  let t = startMs;
  let waiters: Array<{ at: number; release: () => void }> = [];
  const release = () => {
    const due = waiters.filter((w) => w.at <= t);
    if (due.length === 0) return;
    waiters = waiters.filter((w) => w.at > t);
    for (const w of due) w.release();
  };
  return {
    now: () => t,
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`advance(ms) needs a finite ms >= 0, got ${ms}`);
      t += ms;
      release();
    },
    set(ms: number) {
      if (!Number.isFinite(ms)) throw new RangeError(`set(ms) needs a finite ms, got ${ms}`);
      t = ms;
      release();
    },
    at(when: number) {
      if (when <= t) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push({ at: when, release: resolve }));
    },
    nextAt() {
      return waiters.length === 0 ? undefined : Math.min(...waiters.map((w) => w.at));
    },
  };
}

export function isManualClock(clock: FakeClock): clock is ManualClock {
  const c = clock as Partial<ManualClock>;
  return typeof c.advance === 'function' && typeof c.set === 'function';
}

/** A clock that can be waited on: a manual clock's `at`, or nothing (then the fake waits in real time). */
export function clockWaiter(clock: FakeClock): ((t: number) => Promise<void>) | undefined {
  const c = clock as Partial<ManualClock>;
  return typeof c.at === 'function' ? (t) => c.at!(t) : undefined;
}
