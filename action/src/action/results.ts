import type { Manifest } from '../batch/manifest.js';
import type { ActionInputs } from './inputs.js';
import type { ActionDeps } from './ports.js';
import { commentOnPullRequest } from './pull-request.js';
import { manifestOutputs, reportMarkdown, type ManifestOutputName, type ReportContext } from './report.js';

/**
 * What a run tells people once it has a manifest, the same for a render, a dry run and a fork's
 * validation: annotations on the bad files, warnings for unmatched patterns, the step outputs, the
 * job summary and the pull request comment.
 */

/** Errors at the file and line of each bad prompt file (the runner shows at most 10; the summary lists all). */
export function annotate(deps: ActionDeps, manifest: Manifest): void {
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

/** A warning per pattern that matched nothing, and one when the run has nothing at all. */
export function warnUnmatched(deps: ActionDeps, unmatched: readonly string[], manifest: Manifest): void {
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

export function setOutputs(
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
export async function finishReport(deps: ActionDeps, inputs: ActionInputs, report: ReportContext): Promise<void> {
  const markdown = reportMarkdown(report);
  try {
    await deps.writeSummary(markdown);
  } catch (e) {
    deps.log.warning(`Could not write the job summary: ${errorMessage(e)}`);
  }
  if (inputs.commentOnPr) await commentOnPullRequest(deps, inputs, report);
}

/** An error's message for the log: never a stack with paths and values in it. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
