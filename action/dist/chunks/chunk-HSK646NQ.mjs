import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/shard/shard.ts
import { createHash } from "node:crypto";
var MAX_SHARDS = 256;
function parseShard(text) {
  const value = text.trim();
  if (value === "") return void 0;
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
      `part must be from 1 to ${count}: shards are numbered 1/${count} to ${count}/${count} (got "${value}")`
    );
  }
  return { index, count };
}
var formatShard = (shard) => `${shard.index}/${shard.count}`;
function shardOf(key, count) {
  if (count <= 1) return 1;
  const digest = createHash("sha256").update(key, "utf8").digest();
  return digest.readUIntBE(0, 6) % count + 1;
}
var inShard = (shard, key) => shard === void 0 || shardOf(key, shard.count) === shard.index;
var shardArtifactName = (base, shard) => `${base}-${shard.index}-of-${shard.count}`;
function shardConcurrency(teamConcurrency, shard) {
  return Math.max(1, Math.floor(teamConcurrency / (shard?.count ?? 1)));
}

export {
  MAX_SHARDS,
  parseShard,
  formatShard,
  inShard,
  shardArtifactName,
  shardConcurrency
};
