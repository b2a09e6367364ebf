import { Buffer } from 'node:buffer';
import path from 'node:path';
import { planBatch, type BatchPlan } from '../batch/plan.js';
import { CacheSync } from './cache-sync.js';
import { describeConcurrency, InputError, readInputs, type ActionInputs } from './inputs.js';
import { cachePath } from './paths.js';
import type { ActionDeps } from './ports.js';
import { renderStep } from './render-step.js';
import { annotate, errorMessage, finishReport, setOutputs, warnUnmatched } from './results.js';
import { uploadStep } from './upload-step.js';
import { isPullRequest, validateOnly } from './validate-only.js';

/** Exit codes: the runner only distinguishes 0 from the rest. */
const OK = 0;
const FAILED = 1;

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
    deps.log.error(`scenario-video failed: ${errorMessage(e)}`);
    return FAILED;
  }
}

async function runAction(deps: ActionDeps): Promise<number> {
  // Mask first: nothing below may print a credential, but a toolkit debug line might.
  maskSecrets(deps);

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
  // Discover, parse and hash the prompt files once, when first needed (the cache restore or the render),
  // and never in a run that stops before either.
  let planning: Promise<BatchPlan> | undefined;
  const plan = () =>
    (planning ??= planBatch({
      root: workspace,
      patterns: inputs.patterns,
      outDir,
      ...(inputs.shard ? { shard: inputs.shard } : {}),
    }));

  if (inputs.apiKey === '' || inputs.apiSecret === '') {
    if (isPullRequest(deps)) return (await validateOnly(deps, inputs, plan, outFromWorkspace)) ? FAILED : OK;
    deps.log.error(
      'Inputs api-key and api-secret are required: pass your Scenario API key and secret from repository secrets, e.g. ' +
        'api-key: ${{ secrets.SCENARIO_API_KEY }}.',
    );
    return FAILED;
  }
  return render(deps, inputs, plan, outDir, outFromWorkspace);
}

/** Every secret input, and the Basic credential made of the key and secret, masked in the log. */
function maskSecrets(deps: ActionDeps): void {
  const rawKey = deps.getInput('api-key').trim();
  const rawSecret = deps.getInput('api-secret').trim();
  for (const secret of [rawKey, rawSecret]) if (secret !== '') deps.setSecret(secret);
  if (rawKey !== '' && rawSecret !== '') deps.setSecret(Buffer.from(`${rawKey}:${rawSecret}`).toString('base64'));
  const token = deps.getInput('github-token').trim();
  if (token !== '') deps.setSecret(token);
}

async function render(
  deps: ActionDeps,
  inputs: ActionInputs,
  plan: () => Promise<BatchPlan>,
  outDir: string,
  outFromWorkspace: string,
): Promise<number> {
  const log = deps.log;
  const cache = await CacheSync.open(deps, inputs, outDir);

  const concurrency = describeConcurrency(inputs);
  log.info(concurrency.info);
  if (concurrency.warning) log.warning(concurrency.warning);

  // 1. Restore: the ledger (jobs an earlier, cancelled or failed run already paid for) and unchanged videos.
  await cache.restore(plan);

  // 2. Cancellation: stop waiting at once and put the ledger in the cache before the runner kills us.
  const controller = new AbortController();
  const stopListening = deps.onSignal((signal) => {
    if (!controller.signal.aborted) {
      log.warning(
        `${signal}: cancelling. Submitted jobs keep running on Scenario and stay in the ledger; a re-run resumes them.`,
      );
      controller.abort(new Error(`cancelled (${signal})`));
    }
    void cache.saveLedger();
  });

  // 3. Render, putting the ledger in the cache after each burst of new submits.
  let rendered;
  try {
    rendered = await renderStep(deps, inputs, {
      outDir,
      plan,
      signal: controller.signal,
      onSubmitted: () => cache.saveLedgerSoon(),
    });
  } catch (e) {
    cache.stopSavingSoon();
    log.error(`The render stopped: ${errorMessage(e)}`);
    if (!inputs.dryRun) await cache.saveLedger();
    stopListening();
    return FAILED;
  }
  cache.stopSavingSoon();
  const { manifest, manifestPath, interrupted, durations, unmatched } = rendered;

  // 4. Save: the ledger first (it is what prevents paying twice), then the new videos.
  await cache.saveAfterRender(manifest.videos);
  stopListening();

  annotate(deps, manifest);
  warnUnmatched(deps, unmatched, manifest);

  // 5. Upload every finished video (also when others failed) with the manifest.
  const {
    artifact,
    videoArtifacts,
    failed: uploadFailed,
  } = await uploadStep(deps, inputs, manifest, outDir, outFromWorkspace);

  // 6. Outputs, the job summary and the PR comment.
  setOutputs(deps, manifest, manifestPath, outFromWorkspace, artifact);
  await finishReport(deps, inputs, {
    manifest,
    durations,
    artifact,
    ...(videoArtifacts ? { videoArtifacts } : {}),
    mode: inputs.dryRun ? 'dry-run' : 'render',
    interrupted,
  });

  // 7. The exit code: a cancelled run, a failed upload, or (with fail-on-error) a failed video or bad file.
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
