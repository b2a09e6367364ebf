import { createHash } from 'node:crypto';

/**
 * One part of a batch split over a GitHub Actions matrix: shard `index` of `count` (1-based, as
 * users write it: `shard: ${{ matrix.shard }}/3`).
 */
export interface Shard {
  index: number;
  count: number;
}

/** A matrix has at most 256 jobs: more shards could never all run. */
export const MAX_SHARDS = 256;

/** `"2/4"` as users write it, `undefined` for an empty value; throws a message naming what is wrong. */
export function parseShard(text: string): Shard | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  const m = /^(\d+)\s*\/\s*(\d+)$/.exec(value);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !Number.isSafeInteger(index) || !Number.isSafeInteger(count)) {
    throw new Error(`must be "i/n": this job's part and the number of parts, e.g. "2/4" (got "${value}")`);
  }
  if (count < 1 || count > MAX_SHARDS) {
    throw new Error(`must have 1 to ${MAX_SHARDS} parts, as a matrix has at most ${MAX_SHARDS} jobs (got "${value}")`);
  }
  if (index < 1 || index > count) {
    throw new Error(
      `part must be from 1 to ${count}: shards are numbered 1/${count} to ${count}/${count} (got "${value}")`,
    );
  }
  return { index, count };
}

export const formatShard = (shard: Shard): string => `${shard.index}/${shard.count}`;

/**
 * The shard (1..count) that renders the video or prompt file named `key`: a stable hash of the
 * name alone, so every video lands in exactly one shard, every shard computes the same split
 * without talking to the others, and a shard's set changes only when its own videos change
 * (never because another file was added or removed). SHA-256 spreads names evenly; its first
 * 48 bits are far more than 256 shards need.
 */
export function shardOf(key: string, count: number): number {
  if (count <= 1) return 1;
  const digest = createHash('sha256').update(key, 'utf8').digest();
  return (digest.readUIntBE(0, 6) % count) + 1;
}

/** Does `shard` render the video or prompt file `key`? Everything belongs to an unsharded run. */
export const inShard = (shard: Shard | undefined, key: string): boolean =>
  shard === undefined || shardOf(key, shard.count) === shard.index;

/**
 * The name of a shard's artifact when the user left `artifact-name` at its default: `<base>-<i>-of-<n>`.
 * Unique within the workflow run (GitHub refuses a second artifact of the same name), and what the
 * merge action looks for.
 */
export const shardArtifactName = (base: string, shard: Shard): string => `${base}-${shard.index}-of-${shard.count}`;

/**
 * Each shard's share of the team's generation slots: the team's limit divided by the number of
 * shards, at least 1. With every shard running at once at its share, the shards together never ask
 * for more slots than the team has (`max-parallel` × share ≤ limit). The action cannot see
 * `max-parallel`: a matrix that holds shards back gives `concurrency` itself instead. The core's
 * scheduler still lowers a shard's concurrency when Scenario answers 429 with the team's `actionLimit`.
 */
export function shardConcurrency(teamConcurrency: number, shard: Shard | undefined): number {
  return Math.max(1, Math.floor(teamConcurrency / (shard?.count ?? 1)));
}
