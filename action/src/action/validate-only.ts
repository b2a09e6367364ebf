import path from 'node:path';
import type { BatchPlan } from '../batch/plan.js';
import { hashedVideos } from '../batch/plan.js';
import { summarize, writeJsonAtomic, type ManifestVideo } from '../batch/manifest.js';
import { DRY_RUN_MANIFEST_FILE } from '../batch/render.js';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps } from './ports.js';
import { fromFork, pullRequestNumber } from './pull-request.js';
import type { ReportContext } from './report.js';
import { annotate, finishReport, setOutputs, warnUnmatched } from './results.js';

/** Events whose payload holds a pull request, where a fork's run gets no secrets. */
const PULL_REQUEST_EVENTS = new Set([
  'pull_request',
  'pull_request_target',
  'pull_request_review',
  'pull_request_review_comment',
]);

/** A run about a pull request: without credentials it validates instead of failing (a fork gets no secrets). */
export function isPullRequest(deps: ActionDeps): boolean {
  return PULL_REQUEST_EVENTS.has(deps.context.eventName) || pullRequestNumber(deps.context.payload) !== undefined;
}

/**
 * A fork's pull request gets no secrets: validate the prompt files (the run's plan), render nothing,
 * and do not fail for it. Writes the dry-run manifest, the annotations, the outputs and the report.
 * Returns whether the step fails (invalid files with `fail-on-error`).
 */
export async function validateOnly(
  deps: ActionDeps,
  inputs: ActionInputs,
  plan: () => Promise<BatchPlan>,
  outFromWorkspace: string,
): Promise<boolean> {
  deps.log.notice(
    `No Scenario credentials in this run (${fromFork(deps.context.payload) ? 'pull requests from forks get no secrets' : 'api-key or api-secret is empty'}): ` +
      'validating the prompt files only. Nothing is rendered or billed.',
    { title: 'Scenario videos: validation only' },
  );
  const planned = await plan();
  // A video whose image could not be hashed is left out here: only a render reports it.
  const videos: ManifestVideo[] = hashedVideos(planned).map((v) => ({
    ...v,
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
  const manifestPath = await writeJsonAtomic(path.join(planned.outDir, DRY_RUN_MANIFEST_FILE), manifest);
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
    return true;
  }
  return false;
}
