import type { Manifest } from '../batch/manifest.js';
import { uploadVideos, type Uploaded } from './artifacts.js';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps } from './ports.js';

/**
 * Upload every finished video (also when others failed) with the manifest (artifacts.ts). A dry run
 * uploads nothing, nor does a run with nothing delivered, except a shard (the merge expects its part).
 * Without an artifact service (not on a GitHub runner) it says where the videos are instead.
 */
export async function uploadStep(
  deps: ActionDeps,
  inputs: ActionInputs,
  manifest: Manifest,
  outDir: string,
  outFromWorkspace: string,
): Promise<Uploaded> {
  const none: Uploaded = { artifact: undefined, videoArtifacts: undefined, failed: false };
  const delivered = manifest.videos.filter((v) => (v.status === 'rendered' || v.status === 'skipped') && v.file);
  if (inputs.dryRun || (delivered.length === 0 && inputs.shard === undefined)) return none;
  if (!deps.artifact) {
    deps.log.warning(
      `No artifact service in this run (not on a GitHub runner?): the videos are in ${outFromWorkspace}/.`,
    );
    return none;
  }
  return uploadVideos(deps, deps.artifact, inputs, delivered, outDir, outFromWorkspace);
}
