import { abortedError } from './errors.js';

/**
 * The team's generation slots, as this process sees them: the one mechanism every face uses to decide
 * when a paid submit may go (the batch renderer behind the CLI and the Action, n8n's Generate and
 * Submit across the items and the concurrent executions of one credential).
 *
 * A slot is held from just before a submit until that job stops running on Scenario (it succeeded,
 * failed, or we stopped waiting for it), so the number of slots held is the number of our jobs the
 * team is running. Scenario caps a team's unfinished jobs and answers 429 with `details.actionLimit`
 * past it; the scheduler learns from that answer:
 * - the limit drops at once to what the team can take now (the ceiling, or fewer when other clients
 *   share the team: the number of our own jobs still running), so no other submit of ours goes into
 *   the same refusal;
 * - the refused submit steps back to the front of the queue and goes again as soon as one of our jobs
 *   ends, or after the API's advice when none of ours runs (see `refused`);
 * - after each run of accepted submits as long as the limit, the limit grows by one again, never past
 *   the ceiling the API named (that ceiling caps parallelism for the rest of the scheduler's life).
 *
 * Waiters are served first come, first served. Each caller caps its own videos in flight (the user's
 * concurrency, n8n's Max Concurrent Jobs) with `runPool`; the scheduler only decides when they submit.
 */
export class GenerationScheduler {
  private current = Number.POSITIVE_INFINITY;
  private ceiling = Number.POSITIVE_INFINITY;
  private held = 0;
  private successes = 0;
  /** How many of our jobs have ended so far: a refused submit retries at once when this moves. */
  private endCount = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly onLimitChange?: (limit: number) => void) {}

  /** Slots allowed at once now (Infinity until the API has named the team's limit). */
  get limit(): number {
    return this.current;
  }

  /** Our jobs running on Scenario (slots held). */
  get running(): number {
    return this.held;
  }

  /** Videos waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * Wait for a slot to submit in (rejects with `aborted` when the signal fires first). `front` puts the
   * caller first in line: a submit that was refused and steps back keeps its place.
   */
  acquire(options: { signal?: AbortSignal; front?: boolean } = {}): Promise<Slot> {
    return new Promise<Slot>((resolve, reject) => {
      this.enqueue({
        resolve: (slot) => resolve(slot!),
        reject,
        front: options.front === true,
        signal: options.signal,
        hold: true,
      });
    });
  }

  /** Queue a waiter (or serve it at once); `hold: false` takes the place for a slot that already exists. */
  private enqueue(w: {
    resolve: (slot?: Slot) => void;
    reject: (e: unknown) => void;
    front: boolean;
    signal: AbortSignal | undefined;
    hold: boolean;
  }): void {
    const { signal } = w;
    if (signal?.aborted) {
      w.reject(abortedError(undefined, signal.reason));
      return;
    }
    const waiter: Waiter = { resolve: w.resolve, reject: w.reject, hold: w.hold };
    if (signal !== undefined) {
      const onAbort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        w.reject(abortedError(undefined, signal.reason));
      };
      waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
    }
    if (w.front) this.waiting.unshift(waiter);
    else this.waiting.push(waiter);
    this.pump();
  }

  /**
   * Take a slot without waiting, even past the limit: for a job that already runs on Scenario (one
   * resumed from a ledger), which holds a place on the team whatever we decide.
   */
  occupy(): Slot {
    return this.grant();
  }

  private grant(): Slot {
    this.held++;
    let holding = true;
    const free = () => {
      if (!holding) return false;
      holding = false;
      this.held--;
      return true;
    };
    return {
      submitted: () => this.accepted(),
      release: () => {
        if (!free()) return;
        this.endCount++;
        this.pump();
      },
      refused: async (actionLimit, signal) => {
        const endedBefore = this.endCount;
        if (free()) {
          // Run no more than our jobs still running (and never more than the ceiling named).
          this.lower(actionLimit, this.held);
          this.pump();
        }
        await new Promise<void>((resolve, reject) => {
          this.enqueue({ resolve: () => resolve(), reject, front: true, signal, hold: false });
        });
        holding = true;
        // One of ours ended while this one stood back: its place on the team is free now.
        return this.endCount > endedBefore;
      },
    };
  }

  private accepted(): void {
    if (this.current >= this.ceiling) return;
    this.successes++;
    if (this.successes >= this.current) {
      this.successes = 0;
      this.current++;
      this.onLimitChange?.(this.current);
      this.pump();
    }
  }

  private lower(actionLimit: number | undefined, othersRunning: number): void {
    this.successes = 0;
    if (actionLimit !== undefined && Number.isFinite(actionLimit) && actionLimit >= 1) {
      this.ceiling = Math.min(this.ceiling, Math.floor(actionLimit));
    }
    const next = Math.max(1, Math.min(this.ceiling, this.current, othersRunning));
    if (next !== this.current) {
      this.current = next;
      this.onLimitChange?.(next);
    }
  }

  private pump(): void {
    while (this.waiting.length > 0 && this.held < this.current) {
      const waiter = this.waiting.shift()!;
      waiter.cleanup?.();
      if (waiter.hold) waiter.resolve(this.grant());
      else {
        this.held++;
        waiter.resolve();
      }
    }
  }
}

/** A place on the team for one job. */
export interface Slot {
  /** The submit was accepted (the limit may grow back after enough of these). */
  submitted(): void;
  /** The job stopped running on Scenario, or was never made: the place is free. Idempotent. */
  release(): void;
  /**
   * The API refused the submit for the team's limit (`actionLimit` when it named it): lower the limit,
   * step back, and resolve when this slot is held again. True when one of our jobs ended meanwhile, so
   * the team has room and the submit may go at once instead of after the backoff.
   */
  refused(actionLimit: number | undefined, signal?: AbortSignal): Promise<boolean>;
}

interface Waiter {
  resolve: (slot?: Slot) => void;
  reject: (e: unknown) => void;
  /** Grant a new slot (acquire), or take the place back for an existing one (refused). */
  hold: boolean;
  cleanup?: () => void;
}

/**
 * What a submit in `slot` does with a 429: one for the team's limit steps back in the scheduler's
 * queue (submitting at once when one of ours ended meanwhile), and such refusals give up only after
 * `patienceMs` without one of our jobs ending. A cooldown 429 (no `actionLimit`) is just backed off.
 */
export const slotHooks = (slot: Slot | undefined, signal: AbortSignal | undefined, patienceMs: number) =>
  slot === undefined
    ? {}
    : {
        refusalPatienceMs: patienceMs,
        onRateLimited: async (info: { actionLimit?: number }) =>
          info.actionLimit === undefined ? undefined : { retryNow: await slot.refused(info.actionLimit, signal) },
      };
