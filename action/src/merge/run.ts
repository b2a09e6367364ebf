import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { readManifest, writeManifest, type Manifest } from '../batch/manifest.js';
import { InputError } from '../action/inputs.js';
import { cachePath } from '../action/paths.js';
import type { ActionLog, ArtifactPort, CommentsPort, RunContext } from '../action/ports.js';
import { manifestOutputs, reportMarkdown, type ManifestOutputName, type ReportContext } from '../action/report.js';
import { commentOnPullRequest, fromFork } from '../action/pull-request.js';
import { formatShard } from '../shard/shard.js';
import { combineShards, MergeError, type Combined, type ShardResult } from './combine.js';
import { readMergeInputs, type MergeInputName, type MergeInputs, type MergeOutputName } from './inputs.js';

/** The artifacts of the current workflow run, as the merge needs them besides uploading. */
export interface RunArtifactsPort extends ArtifactPort {
  /** The run's artifacts (the newest of each name). */
  list(): Promise<Array<{ id: number; name: string }>>;
  /** Download artifact `id` and unzip it into `dir`. */
  download(id: number, dir: string): Promise<void>;
  /** Delete the run's artifact named `name`. */
  delete(name: string): Promise<void>;
}

/** Everything the merge needs from the runner and GitHub: the toolkit in production, fakes in tests. */
export interface MergeDeps {
  getInput(name: MergeInputName): string;
  setSecret(value: string): void;
  setOutput(name: MergeOutputName, value: string): void;
  writeSummary(markdown: string): Promise<void>;
  log: ActionLog;
  context: RunContext;
  /** Undefined when the runner gave no artifact service (not on a GitHub runner). */
  artifacts: RunArtifactsPort | undefined;
  comments(token: string): CommentsPort;
  /** Where the shards' artifacts are downloaded (RUNNER_TEMP): emptied afterwards. */
  tempDir: string;
  now(): number;
}

const OK = 0;
const FAILED = 1;
/** Shard artifacts downloaded at once. */
const DOWNLOADS_AT_ONCE = 4;

/**
 * The merge action (`merge/action.yml`): download the shards' artifacts of this workflow run, check
 * that every shard is there once and every video once, write one manifest.json, upload one artifact
 * with every video, and write one job summary (and PR comment). Returns the exit code.
 */
export async function runMerge(deps: MergeDeps): Promise<number> {
  const work = path.join(deps.tempDir, `scenario-video-merge-${randomBytes(6).toString('hex')}`);
  try {
    return await merge(deps, work);
  } catch (e) {
    deps.log.error(`scenario-video merge failed: ${message(e)}`);
    return FAILED;
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => undefined);
  }
}

async function merge(deps: MergeDeps, work: string): Promise<number> {
  const token = deps.getInput('github-token').trim();
  if (token !== '') deps.setSecret(token);
  let inputs: MergeInputs;
  try {
    inputs = readMergeInputs((name) => deps.getInput(name));
  } catch (e) {
    deps.log.error(e instanceof InputError ? e.message : `Could not read the inputs: ${message(e)}`);
    return FAILED;
  }
  const { log } = deps;
  const artifacts = deps.artifacts;
  if (!artifacts) {
    log.error('The merge needs the artifact service of a GitHub Actions runner (no ACTIONS_RUNTIME_TOKEN here).');
    return FAILED;
  }

  // 1. The shards' artifacts of this run (the merged one of an earlier attempt is not a shard).
  const all = await artifacts.list();
  const found = all.filter((a) => a.name !== inputs.artifactName && inputs.pattern.test(a.name));
  found.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  log.info(
    `Shard artifacts matching ${inputs.patternText}: ${found.length > 0 ? found.map((a) => a.name).join(', ') : 'none'}.`,
  );

  // A pull request from a fork gets no secrets: its shards only validated, and uploaded nothing to merge.
  if (found.length === 0 && fromFork(deps.context.payload)) {
    log.notice(
      'Pull request from a fork: the shards got no Scenario credentials, so they only validated the prompt files ' +
        '(see their job summaries). Nothing to merge.',
      { title: 'Scenario videos: nothing to merge' },
    );
    return OK;
  }

  // 2. Download each into a folder of its own and read its manifest, a few at once (each is one blob download).
  const results: Array<ShardResult & { dir: string }> = [];
  const queue = [...found.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      const [i, a] = next;
      const dir = path.join(work, String(i));
      await mkdir(dir, { recursive: true });
      await artifacts.download(a.id, dir);
      const entries = await readdir(dir, { withFileTypes: true });
      const files = new Set(entries.filter((f) => f.isFile()).map((f) => f.name));
      const manifest = await readManifest(dir);
      // A shard run with artifact-per-video uploaded each MP4 as its own artifact, named by its file, and only
      // the manifest in its zip: those videos are there too, and stay where they are.
      for (const v of manifest?.videos ?? []) {
        if (v.file && !files.has(v.file) && all.some((x) => x.name === v.file)) files.add(v.file);
      }
      results.push({ artifact: a.name, manifest, files, dir });
    }
  };
  await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, queue.length) }, worker));
  results.sort((a, b) => a.artifact.localeCompare(b.artifact, 'en', { numeric: true }));

  // 3. Check and combine: a missing shard, a video twice or a missing file fails the merge, naming it.
  let combined: Combined;
  try {
    combined = combineShards(results, {
      ...(inputs.shards !== undefined ? { expected: inputs.shards } : {}),
      now: new Date(deps.now()),
    });
  } catch (e) {
    if (!(e instanceof MergeError)) throw e;
    for (const problem of e.problems) log.error(problem, { title: 'Scenario videos: merge' });
    await writeSummary(
      deps,
      ['### Scenario videos · merge failed', '', ...e.problems.map((p) => `- ${p}`), ''].join('\n'),
    );
    return FAILED;
  }
  const { manifest } = combined;
  const shardList = combined.shards
    .map((s) => `${formatShard(s.shard)} (${s.artifact}, ${s.videos} video${s.videos === 1 ? '' : 's'})`)
    .join(', ');
  log.info(`Merging ${combined.shards.length} shard(s): ${shardList}.`);

  // 4. Every delivered video into the output folder, and one manifest.json for all of them.
  const outDir = path.resolve(deps.context.workspace, inputs.outputDir);
  const outFromWorkspace = cachePath(deps.context.workspace, outDir);
  await mkdir(outDir, { recursive: true });
  const dirOf = new Map(results.map((r) => [r.artifact, r.dir]));
  const delivered: string[] = [];
  /** Videos that are artifacts of their own (artifact-per-video shards), by video name. */
  const own = new Map<string, { name: string; id: number }>();
  for (const { video, artifact } of combined.videos) {
    if ((video.status !== 'rendered' && video.status !== 'skipped') || !video.file) continue;
    const target = path.join(outDir, video.file);
    const downloaded = path.join(dirOf.get(artifact)!, video.file);
    const alone = all.find((x) => x.name === video.file);
    if (alone && !(await isFile(downloaded))) {
      own.set(video.name, alone);
      continue;
    }
    await move(downloaded, target);
    delivered.push(target);
  }
  const manifestPath = await writeManifest(outDir, manifest);

  // 5. One artifact with every video and the merged manifest.
  let artifact: ReportContext['artifact'];
  let uploadFailed = false;
  try {
    const uploaded = await artifacts.upload(inputs.artifactName, [...delivered, manifestPath], outDir, {
      ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
    });
    const url = uploaded.id !== undefined ? artifactUrl(deps.context, uploaded.id) : undefined;
    artifact = { name: inputs.artifactName, url, ...(uploaded.id !== undefined ? { id: uploaded.id } : {}) };
    log.info(`Uploaded ${delivered.length} video(s) as artifact ${inputs.artifactName} (id ${uploaded.id ?? '?'}).`);
  } catch (e) {
    uploadFailed = true;
    log.error(
      `Could not upload the artifact ${inputs.artifactName}: ${message(e)}. The videos are in ${outFromWorkspace}/.`,
    );
  }
  if (artifact && inputs.deleteMerged) {
    for (const s of combined.shards) {
      try {
        await artifacts.delete(s.artifact);
      } catch (e) {
        log.warning(`Could not delete the shard artifact ${s.artifact}: ${message(e)}`);
      }
    }
    log.info(`Deleted the ${combined.shards.length} shard artifact(s): ${inputs.artifactName} holds every video.`);
  }

  // Each summary row links to where its video is: its own artifact, or the merged one.
  let videoArtifacts: ReportContext['videoArtifacts'];
  if (own.size > 0) {
    const links = new Map<string, { name: string; url: string | undefined; id?: number }>();
    for (const { video } of combined.videos) {
      const alone = own.get(video.name);
      if (alone) links.set(video.name, { ...alone, url: artifactUrl(deps.context, alone.id) });
      else if (artifact && video.file && (video.status === 'rendered' || video.status === 'skipped'))
        links.set(video.name, { name: `${artifact.name}/${video.file}`, url: artifact.url });
    }
    videoArtifacts = links;
    log.info(`${own.size} video(s) stay the artifacts of their own that their shard uploaded (artifact-per-video).`);
  }

  // 6. Outputs, the job summary and the PR comment, as the render action writes them.
  setOutputs(deps, manifest, manifestPath, outFromWorkspace, artifact);
  const report: ReportContext = {
    manifest,
    durations: new Map(),
    artifact,
    ...(videoArtifacts ? { videoArtifacts } : {}),
    mode: 'render',
    interrupted: manifest.totals.interrupted > 0,
    note: `Merged ${combined.shards.length} shard(s): ${shardList}.`,
  };
  await writeSummary(deps, reportMarkdown(report));
  if (inputs.commentOnPr) await commentOnPullRequest(deps, inputs, report);

  // A shard that was cancelled uploaded what it had: name it, since re-running that job is the fix.
  for (const s of combined.shards) {
    const stopped = combined.videos.filter((v) => v.artifact === s.artifact && v.video.status === 'interrupted');
    if (stopped.length === 0) continue;
    const say =
      `Shard ${formatShard(s.shard)} did not finish: ${stopped.map((v) => v.video.name).join(', ')} ` +
      `${stopped.length === 1 ? 'was' : 'were'} interrupted. Re-run its job (it resumes the jobs without paying again), then this one.`;
    const at = { title: `Scenario videos: shard ${formatShard(s.shard)} did not finish` };
    if (inputs.failOnError) log.error(say, at);
    else log.warning(say, at);
  }

  const t = manifest.totals;
  if (uploadFailed) return FAILED;
  if (inputs.failOnError && (t.failed > 0 || t.interrupted > 0 || t.invalidFiles > 0)) {
    log.error(
      [
        t.failed > 0 ? `${t.failed} video(s) failed` : '',
        t.interrupted > 0 ? `${t.interrupted} video(s) were interrupted` : '',
        t.invalidFiles > 0 ? `${t.invalidFiles} prompt file(s) have errors` : '',
      ]
        .filter(Boolean)
        .join(' and ') + ' (see the job summary). Finished videos were merged.',
    );
    return FAILED;
  }
  return OK;
}

const isFile = (file: string): Promise<boolean> =>
  stat(file).then(
    (info) => info.isFile(),
    () => false,
  );

/** Move a downloaded video into place: a rename on one file system, a copy across two. */
async function move(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    await copyFile(from, to);
  }
}

function setOutputs(
  deps: MergeDeps,
  manifest: Manifest,
  manifestPath: string,
  outFromWorkspace: string,
  artifact: { id?: number; url: string | undefined } | undefined,
): void {
  const outputs = manifestOutputs(manifest, manifestPath, outFromWorkspace, artifact);
  for (const [name, value] of Object.entries(outputs)) deps.setOutput(name as ManifestOutputName, value);
}

async function writeSummary(deps: MergeDeps, markdown: string): Promise<void> {
  try {
    await deps.writeSummary(markdown);
  } catch (e) {
    deps.log.warning(`Could not write the job summary: ${message(e)}`);
  }
}

/** One PR comment for the whole matrix, found again by the same marker an unsharded run uses. */
function artifactUrl(context: RunContext, id: number): string | undefined {
  if (!context.repository) return undefined;
  const { owner, repo } = context.repository;
  return `${context.serverUrl.replace(/\/+$/, '')}/${owner}/${repo}/actions/runs/${context.runId}/artifacts/${id}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
