import type { ScenarioClient } from '@scenario-video/core';
import type { Shard } from '../shard/shard.js';
import type { BatchListener } from './events.js';
import type { BatchPlan } from './plan.js';

/** What a run of the batch renderer is asked to do (renderBatch in render.ts; steps 2-4 in render-videos.ts). */
export interface BatchOptions {
  /** The repository root: globs are matched and image paths checked against it. */
  root: string;
  /** Globs relative to the root (default `prompts/**\/*.{yml,yaml,json,md}`). */
  patterns?: readonly string[];
  /** Where videos, the manifest and the ledger go. */
  outDir: string;
  /** The client, or how to make one when a video needs it (a run with nothing to render never does). */
  client: ScenarioClient | (() => Promise<ScenarioClient>);
  /** Videos in flight at once (default 4; lowered by the core when the team's limit is hit). */
  concurrency?: number;
  /** Validate and quote the cost; render nothing. */
  dryRun?: boolean;
  /**
   * Do not skip unchanged videos. A job already paid for (in the ledger) is still resumed and its
   * output downloaded again, never rendered twice: to get a new take, change the video (its seed).
   */
  force?: boolean;
  /** Longest wait for one video (default: the core's, 30 minutes). */
  timeoutMs?: number;
  /** Stop waiting (Ctrl-C, a cancelled workflow): jobs stay in the ledger for the next run. */
  signal?: AbortSignal;
  onEvent?: BatchListener;
  /**
   * Render only this part of the videos (a matrix job): each video by the stable hash of its name, each
   * invalid prompt file by its path, so every shard reports its own and the merge lists each once.
   */
  shard?: Shard;
  /**
   * The prompt files already discovered, parsed and hashed by planBatch with this run's root, patterns,
   * outDir and shard (the Action plans once, for its cache restore and for this). Without it, renderBatch
   * plans by itself (the CLI).
   */
  plan?: BatchPlan;
  /** Default: `<outDir>/.scenario-video-ledger.json`. */
  ledgerFile?: string;
  now?: () => number;
}
