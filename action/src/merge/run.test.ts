import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MergeInputName } from './inputs.js';
import { runMerge, type MergeDeps } from './run.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sv-merge-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A run with no shard artifacts at all, and what the merge said about it. */
function noShards(payload: Record<string, unknown>, inputs: Partial<Record<MergeInputName, string>> = {}) {
  const said: string[] = [];
  const uploads: string[] = [];
  const deps: MergeDeps = {
    getInput: (name) => inputs[name] ?? '',
    setSecret: () => undefined,
    setOutput: () => undefined,
    writeSummary: async () => undefined,
    log: {
      info: () => undefined,
      notice: (m) => said.push(`notice: ${m}`),
      warning: (m) => said.push(`warning: ${m}`),
      error: (m) => said.push(`error: ${m}`),
      startGroup: () => undefined,
      endGroup: () => undefined,
    },
    context: {
      eventName: 'pull_request',
      payload,
      repository: undefined,
      runId: 1,
      runAttempt: 1,
      serverUrl: '',
      workspace: dir,
    },
    artifacts: {
      list: async () => [{ id: 1, name: 'unrelated-logs' }],
      download: async () => undefined,
      delete: async () => undefined,
      upload: async (name) => {
        uploads.push(name);
        return { id: 2, size: 0 };
      },
    },
    comments: () => {
      throw new Error('no comments here');
    },
    tempDir: dir,
    now: () => 0,
  };
  return { deps, said, uploads };
}

describe('runMerge with no shard artifacts', () => {
  it('on a pull request from a fork (no secrets, the shards only validated): a notice, nothing merged, exit 0', async () => {
    const { deps, said, uploads } = noShards({
      pull_request: { number: 7, head: { repo: { full_name: 'someone/demo', fork: true } } },
      repository: { full_name: 'octo/demo' },
    });
    expect(await runMerge(deps)).toBe(0);
    expect(said).toEqual([expect.stringMatching(/^notice: Pull request from a fork: .*Nothing to merge\.$/)]);
    expect(uploads).toEqual([]);
  });

  it('anywhere else fails, naming every shard it expected', async () => {
    const { deps, said, uploads } = noShards({}, { shards: '2' });
    expect(await runMerge(deps)).toBe(1);
    expect(said).toEqual([
      expect.stringMatching(/^error: Shard 1\/2 is missing/),
      expect.stringMatching(/^error: Shard 2\/2 is missing/),
    ]);
    expect(uploads).toEqual([]);
  });
});
