import { randomBytes } from 'node:crypto';

/** mulberry32: tiny, seedable, good enough to decide `rate` faults reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * Ids shaped like Scenario's (`job_…`, `asset_…`, `upload_…`: a prefix and ~24 base62 chars).
 * Drawn from their own seeded stream that `reset()` does not rewind, so an id handed out before a
 * reset never names a different object after it.
 */
export class IdFactory {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed ^ 0x5ce4a210);
  }
  make(prefix: 'job' | 'asset' | 'upload'): string {
    let s = '';
    for (let i = 0; i < 24; i++) s += ALPHABET[Math.floor(this.next() * ALPHABET.length)];
    return `${prefix}_${s}`;
  }
}

/** Trace ids need not be reproducible; they only have to be present and distinct. */
export function traceId(): string {
  return randomBytes(16).toString('hex');
}
