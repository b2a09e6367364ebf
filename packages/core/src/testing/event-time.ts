/**
 * Discrete-event virtual time: a ten-minute render runs in milliseconds while the time it takes on
 * the virtual clock stays what it would be for real.
 *
 * `createVirtualTime` (virtual-time.ts) moves the clock by every sleep, so N concurrent sleepers
 * move it N times: fine for one render, wrong for a batch whose wall time is measured. Here a
 * sleep registers a timer at `now + ms` and nothing moves until the process is idle; then the
 * clock jumps to the earliest timer (a sleep, a request timeout, or a submit answer the fake holds
 * on `clock.at`) and every timer due by then fires. "Idle" means:
 * - no request in flight that the host says is busy (`busy()`, e.g. the fake API's requests being
 *   handled; an answer it holds on the clock does not count),
 * - no pending I/O request in this process (a connect, a write, a file operation: Node's active
 *   request resources),
 * - and nothing new happened (no timer set or cleared, no busy change) over a few turns of the
 *   event loop and a 1 ms pause, so a response that has just arrived is read and answered (the
 *   client's next sleep or request) before time moves on.
 * HTTP exchanges thus cost no virtual time, and the virtual timeline is the ideal one: what a
 * client loses to late polls or idle slots shows in full, and nothing else does.
 *
 * The same timers back `timers` (setTimeout/clearTimeout), for a transport's request timeouts:
 * a timeout waiting on an answer held on the clock fires when the clock reaches it.
 *
 * Limits: work that shows as no I/O request (a message to a worker, such as vitest loading a module
 * for a dynamic import) looks idle, so a timer already due can fire during it; the product's own
 * timers start from its own progress, so this only matters to a test that sets a timer before the
 * work it means to interrupt (poll the fake's state instead). Wall-time figures are unaffected
 * unless such work falls between a job's end and the client's noticing it.
 */
import type { ClockPort, SleepPort } from '../ports.js';

/** A clock that can be moved (the fake API's manual clock). */
export interface SteppableClock extends ClockPort {
  advance(ms: number): void;
  set?(ms: number): void;
}

/**
 * The clock everyone shares: give it to the fake API too. `at(t)` (what the fake holds a late
 * answer with) waits on the same timers as the sleeps, so the scheduler knows about it.
 */
export interface EventClock extends ClockPort {
  advance(ms: number): void;
  set(ms: number): void;
  at(t: number): Promise<void>;
  nextAt(): number | undefined;
}

/** setTimeout/clearTimeout on virtual time (the HTTP transport's timer port). */
export interface VirtualTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface EventTimeOptions {
  /** Work in flight that must end before time moves (default: none). */
  busy?: () => number;
  /** Stop with an error after this many jumps of the clock (default 1,000,000): a bound on the scheduler. */
  maxJumps?: number;
}

export interface EventTime {
  clock: EventClock;
  /** Resolves when the virtual clock reaches `now + ms`; rejects at once on abort (and drops its timer). */
  sleep: SleepPort;
  timers: VirtualTimers;
  /** Every sleep asked for, in order (ms). */
  readonly sleeps: number[];
  /** Times the clock jumped. */
  readonly jumps: number;
  /** Stop the scheduler; timers still pending never fire. */
  close(): void;
}

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Node's request resources that mean I/O is under way (see process.getActiveResourcesInfo). */
const PENDING_IO = /Req|ConnectWrap|WriteWrap|ShutdownWrap/;

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const pause = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

export const createEventTime = (clock: SteppableClock, options: EventTimeOptions = {}): EventTime => {
  const busy = options.busy ?? (() => 0);
  const maxJumps = options.maxJumps ?? 1_000_000;
  const timers = new Map<number, Timer>();
  const sleeps: number[] = [];
  let seq = 0;
  let epoch = 0;
  let jumps = 0;
  let closed = false;
  let running = false;

  const add = (ms: number, fire: () => void): number => {
    const id = ++seq;
    timers.set(id, { at: clock.now() + Math.max(0, ms), seq: id, fire });
    epoch++;
    start();
    return id;
  };
  const remove = (id: unknown) => {
    if (typeof id === 'number' && timers.delete(id)) epoch++;
  };

  const ioPending = () => process.getActiveResourcesInfo().some((name) => PENDING_IO.test(name));

  /** A few turns of the event loop and a short real pause: lets whatever just happened carry on. */
  const quiet = async () => {
    for (let i = 0; i < 3; i++) await turn();
    await pause(1);
    for (let i = 0; i < 3; i++) await turn();
  };

  const earliest = (): number | undefined => {
    let next: number | undefined;
    for (const t of timers.values()) if (next === undefined || t.at < next) next = t.at;
    return next;
  };

  const loop = async () => {
    let lastBusy = -1;
    for (;;) {
      if (closed || timers.size === 0) {
        // Stop synchronously with the check, so a timer added from now on starts a new loop.
        running = false;
        return;
      }
      const before = epoch;
      await quiet();
      const b = busy();
      if (b !== lastBusy) {
        lastBusy = b;
        continue;
      }
      if (epoch !== before || b > 0 || ioPending()) continue;
      const next = earliest();
      if (next === undefined) continue;
      if (++jumps > maxJumps) throw new Error(`event time: more than ${maxJumps} jumps of the clock`);
      if (next > clock.now()) clock.advance(next - clock.now());
      const due = [...timers.values()].filter((t) => t.at <= clock.now()).sort((a, b) => a.at - b.at || a.seq - b.seq);
      for (const t of due) timers.delete(t.seq);
      epoch++;
      for (const t of due) t.fire();
    }
  };

  function start() {
    if (running || closed) return;
    running = true;
    loop().catch((e: unknown) => {
      running = false;
      closed = true;
      // Surface it: a stuck scheduler otherwise shows only as a test timeout.
      process.emitWarning(e instanceof Error ? e : new Error(String(e)));
    });
  }

  const sleep: SleepPort = (ms, signal) => {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const d = Math.max(0, ms);
    sleeps.push(d);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        remove(id);
        reject(signal?.reason);
      };
      const id = add(d, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  };

  const shared: EventClock = {
    now: () => clock.now(),
    advance: (ms) => clock.advance(ms),
    set: (ms) => {
      if (clock.set === undefined) throw new TypeError('this clock cannot be set');
      clock.set(ms);
    },
    at: (t) => (t <= clock.now() ? Promise.resolve() : new Promise<void>((resolve) => add(t - clock.now(), resolve))),
    nextAt: earliest,
  };

  return {
    clock: shared,
    sleep,
    timers: { setTimeout: (fn, ms) => add(ms, fn), clearTimeout: remove },
    sleeps,
    get jumps() {
      return jumps;
    },
    close() {
      closed = true;
      timers.clear();
    },
  };
};
