import type { ActionLog, CommentsPort, RunContext } from './ports.js';
import { COMMENT_MAX_CHARS, commentMarker, reportMarkdown, type ReportContext } from './report.js';

/** What a pull request looks like in the event payload (a `pull_request*` event, or a comment on one). */
interface PullRequestPayload {
  pull_request?: { number?: unknown; head?: { repo?: { full_name?: string; fork?: boolean } | null } };
  issue?: { number?: unknown; pull_request?: unknown };
  repository?: { full_name?: string };
}

/** The pull request this run is about, if any. */
export function pullRequestNumber(payload: Record<string, unknown>): number | undefined {
  const p = payload as PullRequestPayload;
  if (typeof p.pull_request?.number === 'number') return p.pull_request.number;
  if (p.issue?.pull_request && typeof p.issue.number === 'number') return p.issue.number;
  return undefined;
}

/** A pull request whose head is another repository (a fork): GitHub passes it no secrets. */
export function fromFork(payload: Record<string, unknown>): boolean {
  const p = payload as PullRequestPayload;
  const head = p.pull_request?.head?.repo;
  if (!head) return false;
  return head.fork === true || (head.full_name !== undefined && head.full_name !== p.repository?.full_name);
}

/**
 * Keep one comment with the report on the run's pull request, found again by its hidden marker (one per
 * artifact name) and updated in place. Never fails the step: a missing permission is a warning.
 */
export async function commentOnPullRequest(
  deps: { context: RunContext; log: ActionLog; comments(token: string): CommentsPort },
  options: { githubToken: string; artifactName: string },
  report: ReportContext,
): Promise<void> {
  const number = pullRequestNumber(deps.context.payload);
  if (number === undefined) {
    deps.log.info('comment-on-pr: not a pull request, no comment.');
    return;
  }
  if (options.githubToken === '') {
    deps.log.warning('comment-on-pr: github-token is empty, no comment.');
    return;
  }
  const marker = commentMarker(options.artifactName);
  const body = `${marker}\n${reportMarkdown(report, COMMENT_MAX_CHARS - marker.length - 1)}`;
  try {
    const comments = deps.comments(options.githubToken);
    const mine = (await comments.list(number)).find((c) => c.body.includes(marker));
    if (mine) await comments.update(mine.id, body);
    else await comments.create(number, body);
    deps.log.info(`${mine ? 'Updated the comment' : 'Commented'} on pull request #${number}.`);
  } catch (e) {
    deps.log.warning(
      `Could not comment on pull request #${number}: ${e instanceof Error ? e.message : String(e)}. ` +
        'The workflow needs `permissions: pull-requests: write` (a pull request from a fork gets a read-only token).',
    );
  }
}
