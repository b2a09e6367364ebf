import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { BatchOptions } from './options.js';
import type { BatchEvent } from './events.js';
import { planBatch } from './plan.js';
import {
  MANIFEST_FILE,
  summarize,
  writeJsonAtomic,
  type Manifest,
  type ManifestIssue,
  type ManifestOrphan,
  type ManifestVideo,
} from './manifest.js';

/** The ledger of submitted jobs, kept in the output folder: the folder is the whole state of a run. */
export const LEDGER_FILE = '.scenario-video-ledger.json';
export const DRY_RUN_MANIFEST_FILE = 'manifest.dry-run.json';

export type { BatchOptions } from './options.js';

export interface BatchResult {
  manifest: Manifest;
  manifestPath: string;
  ledgerPath: string;
  /** The run was stopped before every video settled. */
  interrupted: boolean;
}

/**
 * Render every prompt file matched under `root`:
 * 1. discover, validate and hash everything first (planBatch, or the plan passed in `options.plan`):
 *    a broken file is reported and skipped, the others go on;
 * 2. skip each video whose output from an earlier run with the same content hash (model + prompt +
 *    parameters + image bytes) is still in `outDir` (unless `force`);
 * 3. render the rest through the core's `renderMany`, with a ledger of submitted job ids written
 *    before any waiting, so a run stopped mid-wait resumes those jobs next time instead of paying again;
 * 4. write each MP4 and `manifest.json` (a dry run writes `manifest.dry-run.json` and renders nothing).
 *
 * Steps 2 to 4 live in render-videos.ts, loaded only when a prompt file matched or a ledger exists.
 */
export async function renderBatch(options: BatchOptions): Promise<BatchResult> {
  const now = options.now ?? Date.now;
  const emit = (event: BatchEvent) => {
    try {
      options.onEvent?.(event);
    } catch {
      // A display problem must never break a paid render.
    }
  };
  const plan =
    options.plan ??
    (await planBatch({
      root: options.root,
      outDir: options.outDir,
      ...(options.patterns ? { patterns: options.patterns } : {}),
      ...(options.shard ? { shard: options.shard } : {}),
    }));
  const { root, outDir, discovery } = plan;
  const ledgerPath = path.resolve(options.ledgerFile ?? path.join(outDir, LEDGER_FILE));
  const dryRun = options.dryRun === true;

  emit({ type: 'discovered', files: discovery.files, unmatched: discovery.unmatched });
  let entries: ManifestVideo[] = [];
  let issues: ManifestIssue[] = [];
  let orphans: ManifestOrphan[] = [];
  if (discovery.files.length > 0 || (await exists(ledgerPath))) {
    const { renderVideos } = await import('./render-videos.js');
    ({ entries, issues, orphans } = await renderVideos(options, { root, outDir, ledgerPath, dryRun, now, emit }, plan));
  } else {
    // No prompt file and no ledger: nothing to render, resume or report.
    emit({ type: 'planned', videos: [], orphanJobs: [] });
  }

  const manifest = summarize(entries, issues, {
    dryRun,
    now: new Date(now()),
    orphans,
    ...(options.shard ? { shard: options.shard } : {}),
  });
  const manifestPath = await writeJsonAtomic(
    path.join(outDir, dryRun ? DRY_RUN_MANIFEST_FILE : MANIFEST_FILE),
    manifest,
  );
  // Stopped before every video settled (a stop after the last one settled changes nothing).
  const interrupted = entries.some((e) => e.status === 'interrupted');
  emit({ type: 'finished', manifest, manifestPath, interrupted });
  return { manifest, manifestPath, ledgerPath, interrupted };
}

const exists = async (file: string): Promise<boolean> => {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
};
