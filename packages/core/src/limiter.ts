import { abortedError } from './errors.js';

/**
 * A concurrency limit that can move: `lower()` when the API says the team is at its ceiling,
 * raised back by one after each run of `limit` successes without a refusal (additive increase),
 * never above `max` nor below 1. Waiters are served in order.
 */
export class AdaptiveLimiter {
  private current: number;
  private running = 0;
  private successes = 0;
  private readonly waiting: Array<{
    resolve: () => void;
    reject: (e: unknown) => void;
    signal?: AbortSignal;
    onAbort?: () => void;
  }> = [];

  constructor(
    readonly max: number,
    private readonly onChange?: (limit: number) => void,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('concurrency must be an integer >= 1');
    this.current = max;
  }

  get limit(): number {
    return this.current;
  }

  get active(): number {
    return this.running;
  }

  /**
   * Wait for a free slot (rejects with `aborted` if the signal fires first). `front` jumps the
   * queue: for work that already started and had to step back.
   */
  acquire(signal?: AbortSignal, options: { front?: boolean } = {}): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortedError(undefined, signal.reason));
    if (this.running < this.current && this.waiting.length === 0) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: (typeof this.waiting)[number] = { resolve, reject };
      if (signal !== undefined) {
        entry.signal = signal;
        entry.onAbort = () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(abortedError(undefined, signal.reason));
        };
        signal.addEventListener('abort', entry.onAbort, { once: true });
      }
      if (options.front) this.waiting.unshift(entry);
      else this.waiting.push(entry);
    });
  }

  release(): void {
    this.running = Math.max(0, this.running - 1);
    this.pump();
  }

  /** The API refused for lack of capacity: allow at most `to` (>= 1) at once from now on. */
  lower(to: number): void {
    this.successes = 0;
    const next = Math.max(1, Math.min(this.current, Math.floor(to)));
    if (next !== this.current) {
      this.current = next;
      this.onChange?.(next);
    }
  }

  /** A submit went through: after `limit` of them in a row, allow one more. */
  succeeded(): void {
    if (this.current >= this.max) return;
    this.successes++;
    if (this.successes >= this.current) {
      this.successes = 0;
      this.current++;
      this.onChange?.(this.current);
      this.pump();
    }
  }

  private pump(): void {
    while (this.running < this.current && this.waiting.length > 0) {
      const next = this.waiting.shift()!;
      if (next.signal !== undefined && next.onAbort !== undefined) {
        next.signal.removeEventListener('abort', next.onAbort);
      }
      this.running++;
      next.resolve();
    }
  }
}
