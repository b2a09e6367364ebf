import { Buffer } from 'node:buffer';
import path from 'node:path';
import { discoverPromptFiles } from '../batch/discover.js';
import type { BatchEvent } from '../batch/events.js';
import { contentHash } from '../batch/hash.js';
import { summarize, writeJsonAtomic, type Manifest, type ManifestVideo } from '../batch/manifest.js';
import { DRY_RUN_MANIFEST_FILE, LEDGER_FILE, renderBatch } from '../batch/render.js';
import { uploadVideos } from './artifacts.js';
import type { PlannedVideo } from './cache.js';
import { describeConcurrency, InputError, readInputs, type ActionInputs } from './inputs.js';
import { cachePath } from './paths.js';
import { inShard } from '../shard/shard.js';
import type { ActionDeps } from './ports.js';
import { manifestOutputs, reportMarkdown, type ManifestOutputName, type ReportContext } from './report.js';
import { commentOnPullRequest, fromFork, pullRequestNumber } from './pull-request.js';
import { StepLog } from './step-log.js';

/** Exit codes: the runner only distinguishes 0 from the rest. */
const OK = 0;
const FAILED = 1;

// The prompt parser, the cache steps and (through them) the core load when a run first needs them:
// a run that finds no prompt files starts and ends without compiling them.
const loadPrompts = () => import('../prompts/load.js');
const loadCacheSteps = () => import('./cache.js');

/** How often the step log looks for jobs that have said nothing for minutes. */
const HEARTBEAT_MS = 30_000;

/** Quiet time after the last new submit before the ledger is put in the cache. */
const LEDGER_SAVE_DEBOUNCE_MS = 1500;

/** Events whose payload holds a pull request, where a fork's run gets no secrets. */
const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

/**
 * The Action: mask the credentials, restore unchanged videos and the ledger from the cache, render
 * with the batch renderer, save to the cache, upload the videos, set the outputs, write the job
 * summary, annotate bad prompt files and keep one PR comment. Returns the exit code.
 */
export async function run(deps: ActionDeps): Promise<number> {
  try {
    return await runAction(deps);
  } catch (e) {
    // Unexpected (a bug, a full disk): say what, never a stack with paths and values in it.
    deps.log.error(`scenario-video failed: ${message(e)}`);
    return FAILED;
  }
}

async function runAction(deps: ActionDeps): Promise<number> {
  // Mask first: nothing below may print a credential, but a toolkit debug line might.
  const rawKey = deps.getInput('api-key').trim();
  const rawSecret = deps.getInput('api-secret').trim();
  for (const secret of [rawKey, rawSecret]) if (secret !== '') deps.setSecret(secret);
  if (rawKey !== '' && rawSecret !== '') deps.setSecret(Buffer.from(`${rawKey}:${rawSecret}`).toString('base64'));
  const token = deps.getInput('github-token').trim();
  if (token !== '') deps.setSecret(token);

  let inputs: ActionInputs;
  try {
    inputs = readInputs((name) => deps.getInput(name));
  } catch (e) {
    deps.log.error(e instanceof InputError ? e.message : `Could not read the inputs: ${String(e)}`);
    return FAILED;
  }

  const { workspace } = deps.context;
  const outDir = path.resolve(workspace, inputs.outputDir);
  const outFromWorkspace = cachePath(workspace, outDir);

  if (inputs.apiKey === '' || inputs.apiSecret === '') {
    if (isPullRequest(deps)) return validateOnly(deps, inputs, outDir, outFromWorkspace);
    deps.log.error(
      'Inputs api-key and api-secret are required: pass your Scenario API key and secret from repository secrets, e.g. ' +
        'api-key: ${{ secrets.SCENARIO_API_KEY }}.',
    );
    return FAILED;
  }
  return render(deps, inputs, outDir, outFromWorkspace);
}

function isPullRequest(deps: ActionDeps): boolean {
  return PULL_REQUEST_EVENTS.has(deps.context.eventName) || pullRequestNumber(deps.context.payload) !== undefined;
}

/** Discover, validate and hash every video without the API (no credentials, or for planning). */
async function plan(inputs: ActionInputs, workspace: string, outDir: string) {
  const discovery = await discoverPromptFiles(inputs.patterns, workspace, { exclude: [outDir] });
  const { loadPromptFiles } = await loadPrompts();
  const loaded = await loadPromptFiles(discovery.files, { root: workspace });
  const videos: PlannedVideo[] = [];
  for (const video of loaded.videos.filter((v) => inShard(inputs.shard, v.name))) {
    try {
      videos.push({ name: video.name, source: video.file, hash: await contentHash(video) });
    } catch {
      // Unreadable image: the batch renderer reports it when it renders.
    }
  }
  const issues = loaded.issues.map((i) => i.toJSON()).filter((i) => inShard(inputs.shard, i.file));
  return { discovery, videos, issues };
}

/** A fork's pull request gets no secrets: validate the prompt files, render nothing, and do not fail for it. */
async function validateOnly(
  deps: ActionDeps,
  inputs: ActionInputs,
  outDir: string,
  outFromWorkspace: string,
): Promise<number> {
  deps.log.notice(
    `No Scenario credentials in this run (${fromFork(deps.context.payload) ? 'pull requests from forks get no secrets' : 'api-key or api-secret is empty'}): ` +
      'validating the prompt files only. Nothing is rendered or billed.',
    { title: 'Scenario videos: validation only' },
  );
  const planned = await plan(inputs, deps.context.workspace, outDir);
  const videos: ManifestVideo[] = planned.videos.map((v) => ({
    name: v.name,
    source: v.source,
    hash: v.hash,
    jobId: null,
    status: 'quoted',
    file: null,
    bytes: null,
    creativeUnits: null,
    error: null,
  }));
  const manifest = summarize(videos, planned.issues, {
    dryRun: true,
    now: new Date(deps.now()),
    ...(inputs.shard ? { shard: inputs.shard } : {}),
  });
  const manifestPath = await writeJsonAtomic(path.join(outDir, DRY_RUN_MANIFEST_FILE), manifest);
  annotate(deps, manifest);
  warnUnmatched(deps, planned.discovery.unmatched, manifest);
  setOutputs(deps, manifest, manifestPath, outFromWorkspace, undefined);
  const report: ReportContext = {
    manifest,
    durations: new Map(),
    artifact: undefined,
    mode: 'validate-only',
    interrupted: false,
    note: 'No Scenario credentials in this run, so the cost could not be quoted.',
  };
  await finishReport(deps, inputs, report);
  const invalid = manifest.totals.invalidFiles > 0;
  if (invalid && inputs.failOnError) {
    deps.log.error(`${manifest.totals.invalidFiles} prompt file(s) have errors (see the annotations).`);
    return FAILED;
  }
  return OK;
}

async function render(
  deps: ActionDeps,
  inputs: ActionInputs,
  outDir: string,
  outFromWorkspace: string,
): Promise<number> {
  const { workspace, runId, runAttempt } = deps.context;
  const log = deps.log;
  const ledgerPath = path.join(outDir, LEDGER_FILE);
  const cache = deps.cache ? { port: deps.cache, steps: await loadCacheSteps() } : undefined;
  const ledgerCache = cache
    ? new cache.steps.LedgerCache(cache.port, ledgerPath, {
        workspace,
        runId,
        runAttempt,
        now: () => deps.now(),
        ...(inputs.shard ? { shard: inputs.shard } : {}),
      })
    : undefined;

  const concurrency = describeConcurrency(inputs);
  log.info(concurrency.info);
  if (concurrency.warning) log.warning(concurrency.warning);

  // 1. Restore: the ledger (jobs an earlier, cancelled or failed run already paid for) and unchanged videos.
  if (cache) {
    log.startGroup('Restoring from the Actions cache');
    try {
      const jobs = await ledgerCache!.restore();
      if (jobs > 0) log.info(`Ledger: ${jobs} job(s) submitted by earlier runs restored; none is paid again.`);
      if (inputs.skipUnchanged && !inputs.dryRun) {
        const planned = await plan(inputs, workspace, outDir);
        const restored = await cache.steps.restoreVideos(cache.port, planned.videos, {
          outDir,
          workspace,
          concurrency: inputs.concurrency,
          now: () => deps.now(),
        });
        log.info(`Restored ${restored.size} unchanged video(s) of ${planned.videos.length}.`);
      }
    } catch (e) {
      log.warning(`Could not restore from the cache: ${message(e)}. Rendering without it.`);
    } finally {
      log.endGroup();
    }
  } else if (inputs.skipUnchanged && !inputs.dryRun) {
    log.info(
      'The Actions cache is not available: unchanged videos are only skipped when their files are already in place.',
    );
  }

  // 2. Cancellation: stop waiting at once and put the ledger in the cache before the runner kills us.
  const controller = new AbortController();
  let ledgerSave: Promise<boolean> | undefined;
  const saveLedger = () => {
    ledgerSave ??= (ledgerCache?.save() ?? Promise.resolve(false)).catch((e: unknown) => {
      log.warning(`Could not save the ledger to the cache: ${message(e)}`);
      return false;
    });
    return ledgerSave;
  };
  const stopListening = deps.onSignal((signal) => {
    if (!controller.signal.aborted) {
      log.warning(
        `${signal}: cancelling. Submitted jobs keep running on Scenario and stay in the ledger; a re-run resumes them.`,
      );
      controller.abort(new Error(`cancelled (${signal})`));
    }
    void saveLedger();
  });

  // A runner that dies without a signal (a lost machine) must not make the next run pay again either:
  // put the ledger in the cache shortly after each burst of new submits, not only at the end.
  let ledgerTimer: ReturnType<typeof setTimeout> | undefined;
  const ledgerSoon = () => {
    if (!ledgerCache || inputs.dryRun) return;
    clearTimeout(ledgerTimer);
    ledgerTimer = setTimeout(() => {
      void ledgerCache.save().catch(() => false);
    }, LEDGER_SAVE_DEBOUNCE_MS);
  };

  // 3. Render.
  const durations = new Map<string, number>();
  const started = new Map<string, number>();
  const stepLog = new StepLog(log, inputs.dryRun);
  // A long render is polled rarely once its end can be told: a sign of life in between (see StepLog.tick).
  const heartbeat = setInterval(() => stepLog.tick(deps.now()), HEARTBEAT_MS);
  heartbeat.unref();
  const onEvent = (event: BatchEvent) => {
    stepLog.event(event);
    if (event.type !== 'video') return;
    const { name, phase, at } = event;
    if (['uploading', 'submitted', 'waiting', 'downloading'].includes(phase) && !started.has(name))
      started.set(name, at);
    // A dry run quotes in a moment: its table shows no duration.
    if (['rendered', 'failed', 'interrupted'].includes(phase) && started.has(name)) {
      durations.set(name, at - started.get(name)!);
    }
    // A new submit, or an unanswered one (recorded in the ledger): keep the record if the runner dies.
    if ((phase === 'submitted' && !event.resumed) || phase === 'failed') ledgerSoon();
  };

  let manifest: Manifest;
  let manifestPath: string;
  let interrupted: boolean;
  let unmatched: string[] = [];
  try {
    const result = await renderBatch({
      root: workspace,
      patterns: inputs.patterns,
      outDir,
      client: () => deps.createClient({ apiKey: inputs.apiKey, apiSecret: inputs.apiSecret, baseUrl: inputs.baseUrl }),
      concurrency: inputs.concurrency,
      dryRun: inputs.dryRun,
      force: !inputs.skipUnchanged,
      ...(inputs.shard ? { shard: inputs.shard } : {}),
      timeoutMs: Math.round(inputs.timeoutMinutes * 60_000),
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'discovered') unmatched = event.unmatched;
        onEvent(event);
      },
    });
    ({ manifest, manifestPath, interrupted } = result);
  } catch (e) {
    clearTimeout(ledgerTimer);
    clearInterval(heartbeat);
    stepLog.end();
    log.error(`The render stopped: ${message(e)}`);
    if (!inputs.dryRun) await saveLedger();
    stopListening();
    return FAILED;
  }

  clearTimeout(ledgerTimer);
  clearInterval(heartbeat);
  stepLog.end();

  // 4. Save: the ledger first (it is what prevents paying twice), then the new videos.
  if (cache && !inputs.dryRun) {
    if (ledgerSave) await ledgerSave;
    ledgerSave = undefined;
    await saveLedger();
    if (inputs.skipUnchanged) {
      const saved = await cache.steps
        .saveVideos(cache.port, manifest.videos, {
          outDir,
          workspace,
          concurrency: inputs.concurrency,
        })
        .catch((e: unknown) => {
          log.warning(`Could not save videos to the cache: ${message(e)}`);
          return 0;
        });
      if (saved > 0) log.info(`Saved ${saved} new video(s) to the Actions cache.`);
    }
  }
  stopListening();

  annotate(deps, manifest);
  warnUnmatched(deps, unmatched, manifest);

  // 5. Upload every finished video (also when others failed) with the manifest (artifacts.ts).
  let artifact: ReportContext['artifact'];
  let videoArtifacts: ReportContext['videoArtifacts'];
  let uploadFailed = false;
  const delivered = manifest.videos.filter((v) => (v.status === 'rendered' || v.status === 'skipped') && v.file);
  if (!inputs.dryRun && (delivered.length > 0 || inputs.shard !== undefined)) {
    if (!deps.artifact) {
      log.warning(`No artifact service in this run (not on a GitHub runner?): the videos are in ${outFromWorkspace}/.`);
    } else {
      ({
        artifact,
        videoArtifacts,
        failed: uploadFailed,
      } = await uploadVideos(deps, deps.artifact, inputs, delivered, outDir, outFromWorkspace));
    }
  }

  setOutputs(deps, manifest, manifestPath, outFromWorkspace, artifact);
  await finishReport(deps, inputs, {
    manifest,
    durations,
    artifact,
    ...(videoArtifacts ? { videoArtifacts } : {}),
    mode: inputs.dryRun ? 'dry-run' : 'render',
    interrupted,
  });

  const t = manifest.totals;
  if (interrupted) {
    const notSubmitted = manifest.videos.filter((v) => v.status === 'interrupted' && v.jobId === null).length;
    log.error(
      `Cancelled: ${t.jobsRunning} job(s) still running on Scenario are recorded in the ledger; re-run to resume them without paying again.` +
        (notSubmitted > 0 ? ` ${notSubmitted} video(s) were not submitted.` : ''),
    );
    return FAILED;
  }
  if (uploadFailed) return FAILED;
  if (inputs.failOnError && (t.failed > 0 || t.invalidFiles > 0)) {
    log.error(
      [
        t.failed > 0 ? `${t.failed} video(s) failed` : '',
        t.invalidFiles > 0 ? `${t.invalidFiles} prompt file(s) have errors` : '',
      ]
        .filter(Boolean)
        .join(' and ') + ' (see the job summary). Finished videos were uploaded.',
    );
    return FAILED;
  }
  return OK;
}

/** Errors at the file and line of each bad prompt file (the runner shows at most 10; the summary lists all). */
function annotate(deps: ActionDeps, manifest: Manifest): void {
  for (const issue of manifest.issues) {
    deps.log.error(`${issue.field}: ${issue.message}`, {
      title: 'Invalid prompt file',
      file: issue.file,
      startLine: issue.line,
      ...(issue.column !== undefined ? { startColumn: issue.column } : {}),
    });
  }
  // The title names the video; the message is the error's, which names its job in most cases: say it once.
  for (const v of manifest.videos.filter((v) => v.status === 'failed' && v.error)) {
    const { message } = v.error!;
    deps.log.warning(`${message}${v.jobId && !message.includes(v.jobId) ? ` (job ${v.jobId})` : ''}`, {
      title: `Video ${v.name} failed`,
      file: v.source,
    });
  }
}

function warnUnmatched(deps: ActionDeps, unmatched: string[], manifest: Manifest): void {
  for (const pattern of unmatched) deps.log.warning(`No prompt file matches ${pattern}.`);
  if (manifest.videos.length === 0 && manifest.issues.length === 0) {
    // A shard's part can be empty when there are few videos: the others rendered them.
    deps.log.warning(
      manifest.shard
        ? `Shard ${manifest.shard.index}/${manifest.shard.count} has no videos: none of the prompt files' videos falls to it ` +
            '(or no prompt file matched: check the prompts input).'
        : 'No prompt files found: check the prompts input.',
    );
  }
}

function setOutputs(
  deps: ActionDeps,
  manifest: Manifest,
  manifestPath: string,
  outFromWorkspace: string,
  artifact: { id?: number; url: string | undefined } | undefined,
): void {
  const outputs = manifestOutputs(manifest, manifestPath, outFromWorkspace, artifact);
  for (const [name, value] of Object.entries(outputs)) deps.setOutput(name as ManifestOutputName, value);
  deps.setOutput('shard', manifest.shard ? `${manifest.shard.index}/${manifest.shard.count}` : '');
}

/** The job summary, and the PR comment when asked for (found by its hidden marker, updated in place). */
async function finishReport(deps: ActionDeps, inputs: ActionInputs, report: ReportContext): Promise<void> {
  const markdown = reportMarkdown(report);
  try {
    await deps.writeSummary(markdown);
  } catch (e) {
    deps.log.warning(`Could not write the job summary: ${message(e)}`);
  }
  if (inputs.commentOnPr) await commentOnPullRequest(deps, inputs, report);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
