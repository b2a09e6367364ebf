import type { ClockPort, SleepPort } from '../ports.js';

/** A clock a test (or a fake API) moves by hand. */
export interface ManualClockLike extends ClockPort {
  advance(ms: number): void;
}

export interface VirtualTime {
  clock: ClockPort;
  /** Advances the clock by `ms` and resolves on the next turn of the event loop; rejects at once if aborted. */
  sleep: SleepPort;
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[];
  /** Total virtual time slept. */
  readonly slept: number;
}

/**
 * Virtual time over a manual clock (for example the fake API's): the core's sleeps move the clock
 * instead of waiting, so a ten-minute render runs in milliseconds, deterministically. No timer is
 * ever created. Every sleep moves the clock, so concurrent sleepers add up: to measure the wall time
 * of many renders at once, use the discrete-event `createEventTime` (event-time.ts).
 */
export const createVirtualTime = (clock: ManualClockLike): VirtualTime => {
  const sleeps: number[] = [];
  let slept = 0;
  const sleep: SleepPort = (ms, signal) => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const d = Math.max(0, ms);
    sleeps.push(d);
    slept += d;
    clock.advance(d);
    return new Promise<void>((resolve, reject) => {
      setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve()));
    });
  };
  return {
    clock,
    sleep,
    sleeps,
    get slept() {
      return slept;
    },
  };
};

/** A small deterministic generator for jitter, so runs are reproducible. */
export const seededRandom = (seed = 1): (() => number) => {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
};
