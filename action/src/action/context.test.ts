import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as GitHub from '@actions/github';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readRunContext } from './context.js';

const KEYS = [
  'GITHUB_EVENT_NAME',
  'GITHUB_EVENT_PATH',
  'GITHUB_REPOSITORY',
  'GITHUB_RUN_ID',
  'GITHUB_RUN_ATTEMPT',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
];

let dir: string;
let saved: Record<string, string | undefined>;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sv-context-'));
  saved = Object.fromEntries(KEYS.map((k) => [k, process.env[k]]));
});

afterEach(async () => {
  for (const k of KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await rm(dir, { recursive: true, force: true });
});

/** What @actions/github's own context makes of the same environment. */
async function toolkitView(env: Record<string, string | undefined>) {
  for (const k of KEYS) {
    if (env[k] === undefined) delete process.env[k];
    else process.env[k] = env[k];
  }
  // The toolkit's own Context class, constructed now (it reads process.env in its constructor).
  const file = new URL('context.js', import.meta.resolve('@actions/github')).href;
  const { Context } = (await import(file)) as { Context: new () => typeof GitHub.context };
  // For a missing event file the toolkit prints a line to stdout; ours stays silent. Keep the test output clean.
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  let context: typeof GitHub.context;
  try {
    context = new Context();
  } finally {
    write.mockRestore();
  }
  let repository: { owner: string; repo: string } | undefined;
  try {
    repository = context.repo;
  } catch {
    repository = undefined;
  }
  return {
    eventName: context.eventName ?? '',
    payload: context.payload,
    repository,
    runId: context.runId,
    runAttempt: context.runAttempt,
    serverUrl: context.serverUrl,
  };
}

describe('readRunContext', () => {
  const pullRequest = {
    number: 7,
    pull_request: { number: 7, head: { repo: { full_name: 'fork/videos', fork: true } } },
    repository: { name: 'videos', full_name: 'octo/videos', owner: { login: 'octo' } },
  };

  it.each([
    {
      label: 'a pull request on github.com',
      env: {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REPOSITORY: 'octo/videos',
        GITHUB_RUN_ID: '42',
        GITHUB_RUN_ATTEMPT: '2',
      },
      payload: pullRequest,
    },
    {
      label: 'a push on GitHub Enterprise',
      env: {
        GITHUB_EVENT_NAME: 'push',
        GITHUB_REPOSITORY: 'team/clips',
        GITHUB_RUN_ID: '9',
        GITHUB_SERVER_URL: 'https://ghe.example',
      },
      payload: { ref: 'refs/heads/main' },
    },
    {
      label: 'no GITHUB_REPOSITORY: the repository comes from the payload',
      env: { GITHUB_EVENT_NAME: 'workflow_dispatch' },
      payload: { repository: { name: 'videos', owner: { login: 'octo' } } },
    },
    { label: 'a local run: nothing set', env: {}, payload: undefined },
    {
      label: 'an event path that does not exist',
      env: { GITHUB_EVENT_PATH: '/nonexistent/event.json' },
      payload: undefined,
    },
  ])('reads $label as @actions/github does', async ({ env, payload }) => {
    const full: Record<string, string | undefined> = { ...env };
    if (payload !== undefined) {
      full.GITHUB_EVENT_PATH = path.join(dir, 'event.json');
      await writeFile(full.GITHUB_EVENT_PATH, JSON.stringify(payload));
    }
    const ours = readRunContext({ ...full }, () => '/cwd');
    const theirs = await toolkitView(full);
    expect({ ...ours, workspace: undefined }).toEqual({ ...theirs, workspace: undefined });
    expect(ours.workspace).toBe('/cwd');
  });

  it('takes the workspace from GITHUB_WORKSPACE', () => {
    expect(readRunContext({ GITHUB_WORKSPACE: '/home/runner/work/videos' }).workspace).toBe('/home/runner/work/videos');
  });
});
