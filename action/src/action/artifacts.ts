import path from 'node:path';
import { MANIFEST_FILE, type ManifestVideo } from '../batch/manifest.js';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps, ArtifactPort } from './ports.js';
import type { ReportContext } from './report.js';

/**
 * GitHub keeps at most 500 artifacts per job: with one for `manifest.json`, 499 videos can each have
 * their own. Past that the videos go in the one zip, as by default, and a warning says so (rather than
 * uploading some videos one way and the rest another, or failing a paid render over how it is packed).
 */
export const MAX_VIDEO_ARTIFACTS = 499;

/** Per-video uploads in flight at once: each is one file streamed to blob storage. */
const UPLOADS_AT_ONCE = 4;

export interface Uploaded {
  /** The `artifact-name` artifact: every video and the manifest, or (one artifact per video) the manifest. */
  artifact: ReportContext['artifact'];
  /** One artifact per video (by video name), when asked for and allowed. */
  videoArtifacts: ReportContext['videoArtifacts'];
  /** Something could not be uploaded (said in the log already): the step fails. */
  failed: boolean;
}

/**
 * Upload the delivered videos (rendered, or unchanged and kept) with `manifest.json`: by default as one
 * zip named `artifact-name` (stored, not deflated: MP4 is compressed already); with
 * `artifact-per-video`, each MP4 as its own unzipped artifact named by its file, so each row of the
 * summary links to that video, and the manifest alone in the `artifact-name` zip. Every failure is
 * said with where the videos still are; none stops the other uploads.
 */
export async function uploadVideos(
  deps: ActionDeps,
  port: ArtifactPort,
  inputs: ActionInputs,
  delivered: ManifestVideo[],
  outDir: string,
  outFromWorkspace: string,
): Promise<Uploaded> {
  const log = deps.log;
  const retention = inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {};
  const where = `The videos are in ${outFromWorkspace}/ and in the cache; a re-run restores them without rendering again.`;
  const manifestFile = path.join(outDir, MANIFEST_FILE);
  let perVideo = inputs.artifactPerVideo;
  if (perVideo && delivered.length > MAX_VIDEO_ARTIFACTS) {
    perVideo = false;
    log.warning(
      `artifact-per-video: ${delivered.length} videos are more than the ${MAX_VIDEO_ARTIFACTS} artifacts a job can add ` +
        `beside the manifest's (GitHub allows 500 per job), so they are uploaded together in one zip, ` +
        `${inputs.artifactName}. To keep one artifact per video, split the batch with the shard input.`,
      { title: 'One zip instead of one artifact per video' },
    );
  }

  let failed = false;
  let videoArtifacts: Map<string, { name: string; url: string | undefined; id?: number }> | undefined;
  if (perVideo) {
    videoArtifacts = new Map();
    const queue = [...delivered];
    const worker = async () => {
      for (let v = queue.shift(); v !== undefined; v = queue.shift()) {
        const file = path.join(outDir, v.file!);
        const name = path.basename(file);
        try {
          const uploaded = await port.upload(name, [file], outDir, { ...retention, archive: false });
          videoArtifacts!.set(v.name, described(deps, name, uploaded.id));
        } catch (e) {
          failed = true;
          log.error(`Could not upload ${name} as its own artifact: ${message(e)}. ${where}`, {
            title: `Video ${v.name} not uploaded`,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(UPLOADS_AT_ONCE, queue.length) }, worker));
    if (delivered.length > 0) {
      log.info(
        `Uploaded ${videoArtifacts.size} of ${delivered.length} video(s) as their own artifacts, not zipped, named by their files.`,
      );
    }
  }

  const files = perVideo ? [manifestFile] : [...delivered.map((v) => path.join(outDir, v.file!)), manifestFile];
  let artifact: ReportContext['artifact'];
  try {
    const uploaded = await port.upload(inputs.artifactName, files, outDir, retention);
    artifact = described(deps, inputs.artifactName, uploaded.id);
    log.info(
      perVideo
        ? `Uploaded manifest.json as artifact ${inputs.artifactName} (id ${uploaded.id ?? '?'}).`
        : `Uploaded ${delivered.length} video(s) as artifact ${inputs.artifactName} (id ${uploaded.id ?? '?'}).`,
    );
  } catch (e) {
    failed = true;
    log.error(`Could not upload the artifact ${inputs.artifactName}: ${message(e)}. ${where}`);
  }
  return { artifact, videoArtifacts, failed };
}

function described(deps: ActionDeps, name: string, id: number | undefined) {
  return { name, url: id !== undefined ? artifactUrl(deps, id) : undefined, ...(id !== undefined ? { id } : {}) };
}

/** The artifact's page (the browser downloads an unzipped one as its file). */
export function artifactUrl(deps: ActionDeps, id: number): string | undefined {
  const repo = deps.context.repository;
  if (!repo) return undefined;
  return `${deps.context.serverUrl.replace(/\/+$/, '')}/${repo.owner}/${repo.repo}/actions/runs/${deps.context.runId}/artifacts/${id}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
