import type { ClockPort, SleepPort } from '../ports.js';

/** `setTimeout` behind the SleepPort: rejects with the signal's reason at once on abort, and clears its timer. */
export const timerSleep: SleepPort = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export const systemClock: ClockPort = { now: () => Date.now() };
