import path from 'node:path';
import type { LoadedVideo } from '../prompts/index.js';
import { inShard, type Shard } from '../shard/shard.js';
import { discoverPromptFiles, type Discovery } from './discover.js';
import { contentHash } from './hash.js';
import type { ManifestIssue } from './manifest.js';

/** One valid video of the plan: its content hash, or why its images could not be hashed. */
export type PlannedBatchVideo = { video: LoadedVideo; hash: string } | { video: LoadedVideo; hashError: unknown };

/**
 * What a run renders, decided once: the prompt files discovered, parsed and validated, and each valid
 * video hashed. The Action's cache restore and renderBatch both read it, so a run discovers, parses
 * and hashes its prompt files once (not once for the cache and again for rendering).
 */
export interface BatchPlan {
  /** The resolved root and output folder it was planned for. */
  root: string;
  outDir: string;
  discovery: Discovery;
  /** This run's videos (its shard's part), in file order. */
  videos: PlannedBatchVideo[];
  /** This run's invalid prompt files (its shard's part). */
  issues: ManifestIssue[];
}

export interface PlanOptions {
  /** The repository root: globs are matched and image paths checked against it. */
  root: string;
  /** Globs relative to the root (default `prompts/**\/*.{yml,yaml,json,md}`). */
  patterns?: readonly string[];
  /** The output folder, relative to the root or absolute: never searched for prompt files. */
  outDir: string;
  shard?: Shard;
}

/**
 * Discover the prompt files, parse and validate them, and hash each valid video (model, prompt,
 * parameters, image bytes). A broken file becomes an issue and a video whose image cannot be read
 * keeps its error: neither stops the plan. The prompt parser loads only when a prompt file matched.
 */
export async function planBatch(options: PlanOptions): Promise<BatchPlan> {
  const root = path.resolve(options.root);
  const outDir = path.resolve(root, options.outDir);
  const discovery = await discoverPromptFiles(options.patterns ?? [], root, { exclude: [outDir] });
  if (discovery.files.length === 0) return { root, outDir, discovery, videos: [], issues: [] };

  const { loadPromptFiles } = await import('../prompts/load.js');
  const loaded = await loadPromptFiles(discovery.files, { root });
  // A matrix job renders its part only: videos by name, invalid files by path (see shard.ts).
  const issues = loaded.issues.map((i) => i.toJSON()).filter((i) => inShard(options.shard, i.file));
  const videos: PlannedBatchVideo[] = [];
  for (const video of loaded.videos.filter((v) => inShard(options.shard, v.name))) {
    try {
      videos.push({ video, hash: await contentHash(video) });
    } catch (hashError) {
      // The image vanished or became unreadable after validation: reported when the batch renders.
      videos.push({ video, hashError });
    }
  }
  return { root, outDir, discovery, videos, issues };
}

/** The plan's videos that have a content hash, as the cache restore and the validate-only manifest list them. */
export const hashedVideos = (plan: BatchPlan): { name: string; source: string; hash: string }[] =>
  plan.videos.flatMap((v) => ('hash' in v ? [{ name: v.video.name, source: v.video.file, hash: v.hash }] : []));
