import {
  summarize,
  type Manifest,
  type ManifestIssue,
  type ManifestOrphan,
  type ManifestVideo,
} from '../batch/manifest.js';
import { formatShard, type Shard } from '../shard/shard.js';

/** One shard's artifact, downloaded: its name and the manifest.json it holds (undefined when it holds none). */
export interface ShardResult {
  artifact: string;
  manifest: Manifest | undefined;
  /** File names in the artifact. */
  files: ReadonlySet<string>;
}

/** A video of the merged result, with where its file is. */
export interface MergedVideo {
  video: ManifestVideo;
  /** The shard artifact that holds its file. */
  artifact: string;
}

export interface Combined {
  manifest: Manifest;
  videos: MergedVideo[];
  shards: Array<{ shard: Shard; artifact: string; videos: number }>;
}

/** What makes a merge wrong: each problem in one sentence that names the shard or the video. */
export class MergeError extends Error {
  override readonly name = 'MergeError';
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
  }
}

/**
 * Combine the shards' manifests into one. Every shard 1..n must be there exactly once (n from the
 * `expected` input, else from the manifests, which must agree), every video must come from exactly one
 * shard, and every video a shard reports as delivered must have its file in that shard's artifact.
 * Anything else is a MergeError listing every problem found, not only the first.
 */
export function combineShards(results: readonly ShardResult[], options: { expected?: number; now: Date }): Combined {
  const problems: string[] = [];
  const withShard: Array<ShardResult & { manifest: Manifest; shard: Shard }> = [];
  for (const r of results) {
    if (!r.manifest) {
      problems.push(`The artifact ${r.artifact} holds no manifest.json of scenario-video: it is not a shard's result.`);
    } else if (!r.manifest.shard) {
      problems.push(
        `The artifact ${r.artifact} is not a shard's result (its manifest.json names no shard: was it rendered with the shard input?).`,
      );
    } else if (r.manifest.dryRun) {
      problems.push(`The artifact ${r.artifact} is a dry run: only rendered shards can be merged.`);
    } else {
      withShard.push({ ...r, manifest: r.manifest, shard: r.manifest.shard });
    }
  }

  const counts = [...new Set(withShard.map((r) => r.shard.count))].sort((a, b) => a - b);
  const count = options.expected ?? (counts.length === 1 ? counts[0] : undefined);
  if (options.expected === undefined && counts.length > 1) {
    problems.push(
      `The shards disagree on their number: ${withShard.map((r) => `${r.artifact} is shard ${formatShard(r.shard)}`).join(', ')}.`,
    );
  }
  if (count !== undefined) {
    for (const r of withShard) {
      if (r.shard.count !== count) {
        problems.push(
          `The artifact ${r.artifact} is shard ${formatShard(r.shard)}, but the matrix has ${count} shards.`,
        );
      }
    }
    for (let index = 1; index <= count; index++) {
      const found = withShard.filter((r) => r.shard.index === index && r.shard.count === count);
      if (found.length === 0) {
        problems.push(
          `Shard ${index}/${count} is missing: no artifact of this workflow run holds its result (did its job fail before ` +
            'uploading, or was it cancelled? Re-run it, then this job).',
        );
      } else if (found.length > 1) {
        problems.push(
          `Shard ${index}/${count} is there twice: ${found.map((r) => r.artifact).join(' and ')} (give each job its own shard).`,
        );
      }
    }
  } else if (withShard.length === 0 && problems.length === 0) {
    problems.push('No shard artifacts were found in this workflow run.');
  }

  const videos: MergedVideo[] = [];
  const byName = new Map<string, string>();
  const byFile = new Map<string, string>();
  const issues: ManifestIssue[] = [];
  const orphans: ManifestOrphan[] = [];
  for (const r of withShard) {
    const where = `shard ${formatShard(r.shard)} (${r.artifact})`;
    for (const v of r.manifest.videos) {
      const other = byName.get(v.name);
      if (other !== undefined) {
        problems.push(`The video ${v.name} is in two shards: ${other} and ${where}.`);
        continue;
      }
      byName.set(v.name, where);
      const delivered = (v.status === 'rendered' || v.status === 'skipped') && v.file !== null;
      if (delivered && !isPlainFileName(v.file!)) {
        // The render action writes videos beside the manifest: anything else would land outside the output folder.
        problems.push(`The video ${v.name} of ${where} names the file ${JSON.stringify(v.file)}, not a file name.`);
        continue;
      }
      if (delivered) {
        const sameFile = byFile.get(v.file!);
        if (sameFile !== undefined) {
          problems.push(`The file ${v.file} of the video ${v.name} in ${where} is also a file of ${sameFile}.`);
          continue;
        }
        byFile.set(v.file!, `${v.name} in ${where}`);
        if (!r.files.has(v.file!)) {
          problems.push(
            `The video ${v.name} of ${where} is ${v.status}, but its file ${v.file} is not in the artifact.`,
          );
          continue;
        }
      }
      videos.push({ video: v, artifact: r.artifact });
    }
    issues.push(...r.manifest.issues);
    orphans.push(...r.manifest.orphans);
  }
  if (problems.length > 0) throw new MergeError(problems);
  // As an unsharded run lists them: by prompt file, then by name (numbers in order: clip-2 before clip-10).
  videos.sort(
    (a, b) =>
      compare(a.video.source, b.video.source) || a.video.name.localeCompare(b.video.name, 'en', { numeric: true }),
  );

  const manifest = summarize(
    videos.map((v) => v.video),
    issues,
    { dryRun: false, now: options.now, orphans },
  );
  const shards = withShard
    .map((r) => ({ shard: r.shard, artifact: r.artifact, videos: r.manifest.videos.length }))
    .sort((a, b) => a.shard.index - b.shard.index);
  return { manifest, videos, shards };
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const isPlainFileName = (file: string) => file !== '' && file !== '.' && file !== '..' && !/[/\\\0]/.test(file);
