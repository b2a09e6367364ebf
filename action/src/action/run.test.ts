import { copyFile, mkdir, mkdtemp, readdir, readFile, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScenarioClient } from '@scenario-video/core';
import { nodePorts } from '@scenario-video/core/node';
import { readFakeVideoIdentity, startFakeScenario, type FakeScenario } from '@scenario-video/fake-api';
import { INPUTS, type InputName, type OutputName } from './inputs.js';
import type { ActionDeps, AnnotationAt, CachePort, PullRequestComment } from './ports.js';
import { run } from './run.js';

const images = fileURLToPath(new URL('../../../examples/prompts/images/', import.meta.url));
const KEY = 'unit-key-7f3a9c1e';
const SECRET = 'unit-secret-b81d44e0c2';
const BASIC = Buffer.from(`${KEY}:${SECRET}`).toString('base64');

let workspace: string;
let fake: FakeScenario;

beforeEach(async () => {
  workspace = await realpath(await mkdtemp(path.join(tmpdir(), 'sv-run-')));
  await mkdir(path.join(workspace, 'prompts', 'images'), { recursive: true });
  await copyFile(path.join(images, 'cells.png'), path.join(workspace, 'prompts', 'images', 'cells.png'));
  await writeFile(
    path.join(workspace, 'prompts', 'a.yml'),
    'prompt: first\nimage: images/cells.png\nresolution: 480p\n',
  );
  await writeFile(
    path.join(workspace, 'prompts', 'b.yml'),
    'prompt: second\nimage: images/cells.png\nresolution: 480p\n',
  );
  fake = await startFakeScenario({
    credentials: [{ apiKey: KEY, apiSecret: SECRET, teamId: 'team_unit' }],
    jobDurationMs: 300,
  });
});

afterEach(async () => {
  await fake.close();
  await rm(workspace, { recursive: true, force: true });
});

/** An in-memory Actions cache: each entry is a snapshot of the saved paths' files. */
function memoryCache(): CachePort & { entries: Map<string, { files: Map<string, Buffer>; at: number }> } {
  const entries = new Map<string, { files: Map<string, Buffer>; at: number }>();
  let clock = 0;
  const walk = async (abs: string, rel: string, into: Map<string, Buffer>): Promise<void> => {
    const info = await stat(abs).catch(() => undefined);
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of await readdir(abs)) await walk(path.join(abs, name), `${rel}/${name}`, into);
    } else into.set(rel, await readFile(abs));
  };
  return {
    entries,
    async save(paths, key) {
      if (entries.has(key)) return false;
      const files = new Map<string, Buffer>();
      for (const p of paths) await walk(path.join(workspace, p), p, files);
      if (files.size === 0) return false;
      entries.set(key, { files, at: ++clock });
      return true;
    },
    async restore(paths, key, restoreKeys = []) {
      let hit = entries.has(key) ? key : undefined;
      for (const prefix of [key, ...restoreKeys]) {
        if (hit) break;
        hit = [...entries].filter(([k]) => k.startsWith(prefix)).sort((a, b) => b[1].at - a[1].at)[0]?.[0];
      }
      if (!hit) return undefined;
      for (const [rel, bytes] of entries.get(hit)!.files) {
        if (!paths.some((p) => rel === p || rel.startsWith(`${p}/`))) continue;
        await mkdir(path.dirname(path.join(workspace, rel)), { recursive: true });
        await writeFile(path.join(workspace, rel), bytes);
      }
      return hit;
    },
  };
}

interface Recorded {
  deps: ActionDeps;
  outputs: Partial<Record<OutputName, string>>;
  secrets: string[];
  lines: string[];
  annotations: Array<{ level: string; message: string; at?: AnnotationAt }>;
  summary: string[];
  uploads: Array<{ name: string; files: string[]; root: string; retentionDays?: number }>;
  comments: PullRequestComment[];
  signal: (s: 'SIGINT' | 'SIGTERM') => void;
}

function deps(
  inputs: Partial<Record<InputName, string>>,
  options: {
    cache?: CachePort;
    event?: string;
    payload?: Record<string, unknown>;
    comments?: PullRequestComment[];
    onLine?: (line: string, r: Recorded) => void;
  } = {},
): Recorded {
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(INPUTS)) values[name] = input.default ?? '';
  Object.assign(
    values,
    { 'api-key': KEY, 'api-secret': SECRET, 'base-url': fake.url, 'github-token': 'ghs_unit' },
    inputs,
  );
  let handler: ((s: 'SIGINT' | 'SIGTERM') => void) | undefined;
  const r: Recorded = {
    outputs: {},
    secrets: [],
    lines: [],
    annotations: [],
    summary: [],
    uploads: [],
    comments: options.comments ?? [],
    signal: (s) => handler?.(s),
    deps: undefined as unknown as ActionDeps,
  };
  const line = (text: string) => {
    r.lines.push(text);
    options.onLine?.(text, r);
  };
  let nextComment = 1;
  r.deps = {
    getInput: (name) => values[name] ?? '',
    setSecret: (v) => r.secrets.push(v),
    setOutput: (name, v) => (r.outputs[name] = v),
    writeSummary: async (md) => void r.summary.push(md),
    log: {
      info: line,
      notice: (message, at) => (r.annotations.push({ level: 'notice', message, ...(at ? { at } : {}) }), line(message)),
      warning: (message, at) => (
        r.annotations.push({ level: 'warning', message, ...(at ? { at } : {}) }),
        line(message)
      ),
      error: (message, at) => (r.annotations.push({ level: 'error', message, ...(at ? { at } : {}) }), line(message)),
      startGroup: line,
      endGroup: () => {},
    },
    context: {
      eventName: options.event ?? 'push',
      payload: options.payload ?? {},
      repository: { owner: 'octo', repo: 'demo' },
      runId: 99,
      runAttempt: 1,
      serverUrl: 'https://github.com',
      workspace,
    },
    artifact: {
      async upload(name, files, root, opts) {
        r.uploads.push({ name, files, root, ...opts });
        return { id: 7, size: 1 };
      },
    },
    cache: options.cache,
    comments: () => ({
      list: async () => r.comments.map((c) => ({ ...c })),
      create: async (_n, body) => {
        const c = { id: nextComment++, body };
        r.comments.push(c);
        return c;
      },
      update: async (id, body) => {
        const c = r.comments.find((x) => x.id === id)!;
        c.body = body;
        return c;
      },
    }),
    createClient: async ({ apiKey, apiSecret, baseUrl }) =>
      createScenarioClient({
        baseUrl,
        ports: nodePorts({ apiKey, apiSecret, baseUrl }),
        poll: { minMs: 30, maxMs: 100, finalizingMaxMs: 50 },
      }),
    onSignal: (h) => {
      handler = h;
      return () => (handler = undefined);
    },
    now: () => Date.now(),
  };
  return r;
}

const paid = () => fake.state().submissions.filter((s) => !s.dryRun);
const everything = (r: Recorded) => JSON.stringify([r.lines, r.outputs, r.summary, r.annotations, r.comments]);

describe('run()', () => {
  it('masks the key, the secret and their Basic-auth form first, and never shows them', async () => {
    const r = deps({});
    let maskedBeforeFirstLine = false;
    const info = r.deps.log.info;
    r.deps.log.info = (m) => {
      if (r.lines.length === 0) maskedBeforeFirstLine = [KEY, SECRET, BASIC].every((s) => r.secrets.includes(s));
      info(m);
    };
    expect(await run(r.deps)).toBe(0);
    expect(maskedBeforeFirstLine).toBe(true);
    expect(r.secrets).toEqual(expect.arrayContaining([KEY, SECRET, BASIC, 'ghs_unit']));
    for (const s of [KEY, SECRET, BASIC]) expect(everything(r)).not.toContain(s);
  });

  it('renders, uploads the MP4s and the manifest from the output folder, and sets every output', async () => {
    const r = deps({ 'retention-days': '5' });
    expect(await run(r.deps)).toBe(0);
    expect(paid()).toHaveLength(2);
    const out = path.join(workspace, 'scenario-videos');
    expect(r.uploads).toEqual([
      {
        name: 'scenario-videos',
        files: [path.join(out, 'a.mp4'), path.join(out, 'b.mp4'), path.join(out, 'manifest.json')],
        root: out,
        retentionDays: 5,
      },
    ]);
    const jobA = readFakeVideoIdentity(await readFile(path.join(out, 'a.mp4'))).jobId;
    expect(paid().map((s) => s.jobId)).toContain(jobA);
    expect(r.outputs).toMatchObject({
      manifest: 'scenario-videos/manifest.json',
      rendered: '2',
      skipped: '0',
      failed: '0',
      'artifact-id': '7',
      'artifact-url': 'https://github.com/octo/demo/actions/runs/99/artifacts/7',
    });
    expect(Number(r.outputs['creative-units'])).toBeGreaterThan(0);
    expect(JSON.parse(r.outputs.videos!)).toHaveLength(2);
    expect(r.summary.join('')).toContain(`\`${jobA}\``);
  });

  it('logs each video in one group: submitted, the job as it runs, a retry with why and how long, the team limit, downloaded', async () => {
    fake.setOptions({
      jobDurationMs: 1200,
      teamConcurrencyLimit: 1,
      faults: [{ route: 'getJob', kind: 'http-5xx', times: 1, after: 1 }],
    });
    const r = deps({});
    expect(await run(r.deps)).toBe(0);
    const group = r.lines.indexOf('Rendering 2 videos');
    expect(group).toBeGreaterThanOrEqual(0);
    const log = r.lines.slice(group);
    expect(log).toContainEqual(expect.stringMatching(/^a: submitted job_\w+ \([\d.]+ creative units\)$/));
    expect(log).toContainEqual(
      expect.stringMatching(/^Scenario runs at most 1 of the team's generations at once: the other videos wait/),
    );
    expect(log).toContainEqual(
      expect.stringMatching(/^[ab]: (pending on Scenario|queued on Scenario|warming up|rendering)/),
    );
    expect(log).toContainEqual(
      expect.stringMatching(/^[ab]: Scenario answered with a server error \(attempt 1\); trying again in [\d.]+s$/),
    );
    expect(log).toContainEqual(expect.stringMatching(/^a: downloaded a\.mp4 \(\d+(\.\d)? [KM]?B\) in \d+s$/));
    // A line per state change, not per poll: the fake's job goes through 8 statuses.
    expect(log.filter((l) => l.startsWith('a: ')).length).toBeLessThanOrEqual(12);
  });

  it('a failed video: its annotation names the job once, the summary says the hint once', async () => {
    fake.setOptions({
      outcomes: [{ outcome: 'failure', promptIncludes: 'second', error: 'out of memory', hint: 'try 480p' }],
    });
    const r = deps({});
    expect(await run(r.deps)).toBe(1);
    const failed = r.annotations.find((a) => a.at?.title === 'Video b failed')!;
    const jobId = paid().find((s) => JSON.stringify(s).includes('second'))!.jobId!;
    expect(failed.message.split(jobId)).toHaveLength(2);
    expect(failed.at).toMatchObject({ file: 'prompts/b.yml' });
    const summary = r.summary.join('');
    expect(summary.split('try 480p')).toHaveLength(2);
  });

  it('refuses a bad input before doing anything, naming the input', async () => {
    const r = deps({ concurrency: 'lots' });
    expect(await run(r.deps)).toBe(1);
    expect(r.annotations[0]).toMatchObject({ level: 'error', message: expect.stringContaining('concurrency') });
    expect(fake.state().requests.generate ?? 0).toBe(0);
    expect(r.outputs).toEqual({});
  });

  it('without credentials fails on a push, but validates only (exit 0) on a pull request', async () => {
    const push = deps({ 'api-key': '', 'api-secret': '' });
    expect(await run(push.deps)).toBe(1);
    expect(push.annotations[0]!.message).toContain('api-key and api-secret are required');

    const pr = deps(
      { 'api-key': '', 'api-secret': '', 'comment-on-pr': 'true' },
      { event: 'pull_request', payload: { pull_request: { number: 3, head: { repo: { fork: true } } } } },
    );
    expect(await run(pr.deps)).toBe(0);
    expect(pr.annotations[0]).toMatchObject({ level: 'notice' });
    expect(pr.outputs.rendered).toBe('0');
    expect(pr.summary.join('')).toContain('Validated 2 videos');
    expect(pr.comments).toHaveLength(1); // it tries; a fork's read-only token would make this a warning
    expect(Object.values(fake.state().requests).reduce((a, b) => a + b, 0)).toBe(0);
  });

  it('annotates an invalid prompt file at its line and fails only when fail-on-error is true', async () => {
    await writeFile(
      path.join(workspace, 'prompts', 'c.yml'),
      'prompt: third\nimage: images/cells.png\nsampleSteps: 99\n',
    );
    const strict = deps({});
    expect(await run(strict.deps)).toBe(1);
    expect(strict.annotations).toContainEqual({
      level: 'error',
      message: expect.stringContaining('sampleSteps'),
      at: expect.objectContaining({ file: 'prompts/c.yml', startLine: 3, title: 'Invalid prompt file' }),
    });
    expect(strict.uploads[0]!.files.map((f) => path.basename(f))).toEqual(['a.mp4', 'b.mp4', 'manifest.json']);

    const lenient = deps({ 'fail-on-error': 'false' });
    expect(await run(lenient.deps)).toBe(0);
  });

  it('keeps one PR comment, found by its marker and updated in place', async () => {
    const event = { event: 'pull_request', payload: { pull_request: { number: 12 } } };
    const comments = [{ id: 500, body: 'someone else' }];
    const first = deps({ 'comment-on-pr': 'true', 'dry-run': 'true' }, { ...event, comments });
    expect(await run(first.deps)).toBe(0);
    expect(comments).toHaveLength(2);
    const mine = comments[1]!;
    expect(mine.body).toContain('<!-- scenario-video:scenario-videos -->');
    expect(mine.body).toContain('Dry run: 2 videos would cost');

    await writeFile(path.join(workspace, 'prompts', 'b.yml'), 'prompt: second, changed\nimage: images/cells.png\n');
    const second = deps({ 'comment-on-pr': 'true', 'dry-run': 'true' }, { ...event, comments });
    expect(await run(second.deps)).toBe(0);
    expect(comments).toHaveLength(2);
    expect(comments[1]!.id).toBe(mine.id);
    expect(comments[0]!.body).toBe('someone else');
    expect(paid()).toHaveLength(0);
  });

  it('skip-unchanged: a fresh checkout restores unchanged videos from the cache and submits nothing', async () => {
    const cache = memoryCache();
    expect(await run(deps({}, { cache }).deps)).toBe(0);
    expect(paid()).toHaveLength(2);
    expect([...cache.entries.keys()].filter((k) => k.startsWith('scenario-video-v1-'))).toHaveLength(2);

    await rm(path.join(workspace, 'scenario-videos'), { recursive: true });
    const again = deps({}, { cache });
    expect(await run(again.deps)).toBe(0);
    expect(paid()).toHaveLength(2);
    expect(again.outputs).toMatchObject({ rendered: '0', skipped: '2', 'creative-units': '0' });
    expect(again.uploads[0]!.files.map((f) => path.basename(f))).toEqual(['a.mp4', 'b.mp4', 'manifest.json']);
    const restored = readFakeVideoIdentity(await readFile(path.join(workspace, 'scenario-videos', 'a.mp4')));
    expect(paid().map((s) => s.jobId)).toContain(restored.jobId);
  });

  it('two videos with the same content share one cache entry and are both restored', async () => {
    await writeFile(
      path.join(workspace, 'prompts', 'b.yml'),
      'prompt: first\nimage: images/cells.png\nresolution: 480p\n',
    );
    const cache = memoryCache();
    expect(await run(deps({}, { cache }).deps)).toBe(0);
    expect([...cache.entries.keys()].filter((k) => k.startsWith('scenario-video-v1-'))).toHaveLength(1);
    await rm(path.join(workspace, 'scenario-videos'), { recursive: true });
    const again = deps({}, { cache });
    expect(await run(again.deps)).toBe(0);
    expect(again.outputs).toMatchObject({ rendered: '0', skipped: '2' });
    expect(again.uploads[0]!.files.map((f) => path.basename(f))).toEqual(['a.mp4', 'b.mp4', 'manifest.json']);
  });

  it('puts the ledger in the cache soon after new submits, while the jobs still run (a lost runner sends no signal)', async () => {
    fake.setOptions({ jobDurationMs: 5000 });
    const cache = memoryCache();
    const hasLedger = () => [...cache.entries.keys()].some((k) => k.startsWith('scenario-video-ledger-v1-'));
    let savedWhileWaiting = false;
    const r = deps(
      { prompts: 'prompts/a.yml' },
      {
        cache,
        onLine: (line, rec) => {
          if (!/^a: submitted job_/.test(line)) return;
          const started = Date.now();
          const check = setInterval(() => {
            if (hasLedger() || Date.now() - started > 4000) {
              savedWhileWaiting = hasLedger();
              clearInterval(check);
              rec.signal('SIGINT');
            }
          }, 50);
        },
      },
    );
    expect(await run(r.deps)).toBe(1);
    expect(savedWhileWaiting).toBe(true);
  });

  it('on SIGINT stops waiting, saves the ledger to the cache and fails; the re-run resumes without paying', async () => {
    fake.setOptions({ jobDurationMs: 3000 });
    const cache = memoryCache();
    const r = deps(
      { prompts: 'prompts/a.yml' },
      {
        cache,
        onLine: (line, rec) => {
          if (/^a: submitted job_/.test(line)) rec.signal('SIGINT');
        },
      },
    );
    expect(await run(r.deps)).toBe(1);
    expect(r.outputs.rendered).toBe('0');
    expect(r.uploads).toHaveLength(0);
    expect([...cache.entries.keys()].some((k) => k.startsWith('scenario-video-ledger-v1-'))).toBe(true);
    expect(paid()).toHaveLength(1);

    await rm(path.join(workspace, 'scenario-videos'), { recursive: true });
    const again = deps({ prompts: 'prompts/a.yml' }, { cache });
    expect(await run(again.deps)).toBe(0);
    expect(paid()).toHaveLength(1);
    expect(again.outputs.rendered).toBe('1');
    expect(again.lines).toContain(`a: resumed ${paid()[0]!.jobId}, submitted by an earlier run (not paid again)`);
  });
});
