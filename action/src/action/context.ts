import { existsSync, readFileSync } from 'node:fs';
import type { RunContext } from './ports.js';

/**
 * The workflow run, read from the runner's environment the way `@actions/github`'s `context` reads
 * it (GITHUB_EVENT_NAME, the GITHUB_EVENT_PATH payload, GITHUB_REPOSITORY, GITHUB_RUN_ID, …;
 * context.test.ts holds the two side by side). Not imported from there: `@actions/github` builds its
 * Octokit class with every REST endpoint when it loads, which a run that comments on no pull request
 * should not pay for at start-up. Octokit itself is loaded when a comment is written.
 */
export function readRunContext(env: NodeJS.ProcessEnv = process.env, cwd: () => string = process.cwd): RunContext {
  let payload: Record<string, unknown> = {};
  const eventPath = env.GITHUB_EVENT_PATH;
  if (eventPath && existsSync(eventPath)) {
    payload = JSON.parse(readFileSync(eventPath, 'utf8')) as Record<string, unknown>;
  }
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    payload,
    repository: repositoryOf(env, payload),
    runId: Number.parseInt(env.GITHUB_RUN_ID ?? '', 10),
    runAttempt: Number.parseInt(env.GITHUB_RUN_ATTEMPT ?? '', 10),
    serverUrl: env.GITHUB_SERVER_URL ?? 'https://github.com',
    workspace: env.GITHUB_WORKSPACE || cwd(),
  };
}

/** `owner/repo` from GITHUB_REPOSITORY, else from the payload; undefined on a local run. */
function repositoryOf(env: NodeJS.ProcessEnv, payload: Record<string, unknown>): RunContext['repository'] {
  if (env.GITHUB_REPOSITORY) {
    const [owner = '', repo = ''] = env.GITHUB_REPOSITORY.split('/');
    return { owner, repo };
  }
  const repository = payload.repository as { name?: unknown; owner?: { login?: unknown } } | undefined;
  if (typeof repository?.name === 'string' && typeof repository.owner?.login === 'string') {
    return { owner: repository.owner.login, repo: repository.name };
  }
  return undefined;
}
