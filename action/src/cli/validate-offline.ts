import path from 'node:path';
import { discoverPromptFiles } from '../batch/discover.js';
import type { BatchEvent } from '../batch/events.js';
import { summarize, writeJsonAtomic, type ManifestVideo } from '../batch/manifest.js';
import { DRY_RUN_MANIFEST_FILE } from '../batch/render.js';
import type { Display } from './display.js';

export interface OfflineResult {
  /** Videos that validated. */
  videos: number;
  invalidFiles: number;
  manifestPath: string;
}

/**
 * `render --dry-run` without credentials: Scenario quotes the cost, and quoting needs the API key, so
 * this checks every prompt file offline instead (as the Action does on a fork's pull request) and
 * sends nothing. The events are the batch renderer's, so `--json` readers see the same shapes; the
 * manifest (`manifest.dry-run.json`) lists the valid videos with no cost.
 */
export async function validateOffline(options: {
  root: string;
  patterns: readonly string[];
  outDir: string;
  display: Display;
  now?: () => number;
}): Promise<OfflineResult> {
  const { root, outDir, display } = options;
  const emit = (event: BatchEvent) => display.event(event);
  const discovery = await discoverPromptFiles(options.patterns, root, { exclude: [outDir] });
  emit({ type: 'discovered', files: discovery.files, unmatched: discovery.unmatched });
  const { loadPromptFiles } = await import('../prompts/load.js');
  const loaded = await loadPromptFiles(discovery.files, { root });
  const issues = loaded.issues.map((i) => i.toJSON());
  if (issues.length > 0) emit({ type: 'invalid', issues });
  const videos: ManifestVideo[] = loaded.videos.map((v) => ({
    name: v.name,
    source: v.file,
    hash: '',
    jobId: null,
    status: 'quoted',
    file: null,
    bytes: null,
    creativeUnits: null,
    error: null,
  }));
  const manifest = summarize(videos, issues, { dryRun: true, now: new Date((options.now ?? Date.now)()) });
  const manifestPath = await writeJsonAtomic(path.join(outDir, DRY_RUN_MANIFEST_FILE), manifest);
  emit({ type: 'finished', manifest, manifestPath, interrupted: false });
  return { videos: videos.length, invalidFiles: manifest.totals.invalidFiles, manifestPath };
}
