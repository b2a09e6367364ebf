// The process-level path, and secrets. The CLI (spawned from its build) and the GitHub Action (the
// committed bundle, run as the runner runs it, through test/action's harness and GitHub fakes)
// under faults: the videos arrive intact or the failure names its job, nothing is paid twice,
// the process ends. Then a wrong secret through every face. Everything they print or write stays
// in the run folder, which the global teardown sweeps for the key, the secrets and their Basic-auth
// encodings; here each run's own output is checked at once too.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitHubFakes, type GitHubFakes } from '../action/github-fakes.js';
import { bundlePath, runAction, unzip, type RunResult } from '../action/harness.js';
import { imageItem, runNode } from '../../nodes/test/harness.js';
import { createScenarioClient } from '../../packages/core/src/index.js';
import { createHttpTransport, systemClock, timerSleep } from '../../packages/core/src/node/index.js';
import { startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario, FaultRule } from '../../packages/fake-api/src/options.js';
import {
  API_KEY,
  API_SECRET,
  BASIC,
  CREDENTIALS,
  NO_HAZARDS,
  WRONG_SECRET,
  auditSubmits,
  checkVideo,
  errorTexts,
  hitsIn,
  keep,
  makeRepo,
  recordCounts,
  repoRoot,
  workDir,
} from './support.js';

const Y = (s: string) => `${s}\n`;
/** Three videos in two files; `tag` keeps each run's content apart (the Action caches by content). */
const promptsFor = (tag: string) => ({
  'prompts/first.yml': Y(`prompt: the first process video ${tag}\nimage: images/cells.png\nresolution: 480p`),
  'prompts/more.yml': Y(
    `defaults:\n  image: images/gradient.png\nvideos:\n  - prompt: the second process video ${tag}\n  - prompt: the third process video ${tag}\n    seed: 9`,
  ),
});
const promptOf = (name: string, tag: string) =>
  `${{ first: 'the first', 'more-1': 'the second', 'more-2': 'the third' }[name]} process video ${tag}`;

/**
 * Faults a render recovers from, along the whole path. (A submit's 5xx is left to the in-process
 * matrix: before re-sending, the client looks for a job for 7 s of real time here.)
 */
const RECOVERABLE: FaultRule[] = [
  { route: 'generate', kind: 'reset-after-create', times: 1 },
  { route: 'getJob', kind: 'malformed-json', times: 1 },
  { route: 'getAsset', kind: 'expired-url', times: 1 },
  { route: 'cdn', kind: 'truncate', times: 1 },
];

const tally = {
  cli: { cells: 0, authorizationToCdn: 0 },
  action: { cells: 0, authorizationToCdn: 0 },
  secrets: { runs: 0, bytesChecked: 0, hits: 0 },
};
afterAll(() => {
  recordCounts('faults-cli-process', tally.cli);
  recordCounts('faults-action-bundle', tally.action);
  recordCounts('secrets-runs', tally.secrets);
});

/** Check some produced bytes for the credentials now (the teardown sweeps everything again). */
function noSecrets(what: string, data: string | Uint8Array): void {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  keep(what, bytes);
  tally.secrets.bytesChecked += bytes.length;
  const hits = hitsIn(bytes, what);
  tally.secrets.hits += hits.length;
  expect(hits).toEqual([]);
}

let fake: FakeScenario;
beforeAll(async () => {
  fake = await startFakeScenario({ credentials: CREDENTIALS, jobDurationMs: 300 });
});
afterAll(async () => {
  await fake?.close();
});

const manifestVideos = (text: string) =>
  (
    JSON.parse(text) as {
      videos: Array<{
        name: string;
        status: string;
        jobId: string | null;
        file: string | null;
        error: { code: string; message: string; jobId?: string } | null;
      }>;
    }
  ).videos;

// ---- the CLI, spawned ----

async function cli(repo: string, args: string[], secret = API_SECRET) {
  const bin = path.join(repoRoot, 'action', 'dist', 'cli', 'bin.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      SCENARIO_SDK_API_KEY: API_KEY,
      SCENARIO_SDK_API_SECRET: secret,
      SCENARIO_API_URL: fake.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  noSecrets('cli.stdout', stdout);
  noSecrets('cli.stderr', stderr);
  tally.secrets.runs++;
  return { code, stdout, stderr };
}

describe('the CLI as a process, under faults', () => {
  it('recovers from a lost submit answer, half a JSON body, an expired URL and a cut download: every video intact, exit 0', async () => {
    fake.reset();
    fake.setOptions({ faults: RECOVERABLE });
    const repo = await makeRepo('cli-faults', promptsFor('cli-faults'));
    const { code, stderr } = await cli(repo, ['render', '--out', 'out', '--concurrency', '2']);
    expect(code, stderr).toBe(0);
    const videos = manifestVideos(await readFile(path.join(repo, 'out', 'manifest.json'), 'utf8'));
    expect(videos.map((v) => v.status)).toEqual(['rendered', 'rendered', 'rendered']);
    for (const v of videos) {
      const bytes = await readFile(path.join(repo, 'out', v.file!));
      expect(checkVideo(fake, bytes, v.jobId!, promptOf(v.name, 'cli-faults'))).toEqual({ ok: true });
    }
    expect(fake.state().faultsInjected.length).toBe(RECOVERABLE.length);
    expect(auditSubmits(fake)).toMatchObject({ duplicates: 0, jobsCreated: 3 });
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    tally.cli.cells++;
  }, 60_000);

  it('when every signed URL has expired: exit 1, each failure names its job on stderr and in the manifest', async () => {
    fake.reset();
    fake.setOptions({ faults: [{ route: 'getAsset', kind: 'expired-url', rate: 1 }] });
    const repo = await makeRepo('cli-expired', promptsFor('cli-expired'));
    const { code, stderr } = await cli(repo, ['render', '--out', 'out']);
    expect(code, stderr).toBe(1);
    const videos = manifestVideos(await readFile(path.join(repo, 'out', 'manifest.json'), 'utf8'));
    expect(videos.map((v) => [v.status, v.error?.code])).toEqual([
      ['failed', 'output_expired'],
      ['failed', 'output_expired'],
      ['failed', 'output_expired'],
    ]);
    for (const v of videos) {
      expect(v.jobId).toMatch(/^job_/);
      expect(v.error!.message).toContain(v.jobId);
      expect(stderr).toContain(v.jobId);
    }
    expect(auditSubmits(fake)).toMatchObject({ duplicates: 0, jobsCreated: 3 });
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    tally.cli.cells++;
  }, 60_000);
});

// ---- the Action bundle, as the runner runs it ----

describe('the GitHub Action bundle as a process, under faults', () => {
  let gh: GitHubFakes;
  let runId = 7100;
  beforeAll(async () => {
    gh = await startGitHubFakes();
  });
  afterAll(async () => {
    await gh?.close();
  });

  async function action(
    tag: string,
    inputs: Record<string, string> = {},
  ): Promise<{ result: RunResult; workspace: string }> {
    const root = await workDir('action-runner');
    const workspace = await makeRepo('action-workspace', promptsFor(tag));
    const temp = path.join(root, '_temp');
    await mkdir(temp, { recursive: true });
    gh.newRun();
    const result = await runAction({
      dirs: { root, workspace, temp },
      fakes: gh,
      runId: ++runId,
      inputs: { 'api-key': API_KEY, 'api-secret': API_SECRET, 'base-url': fake.url, ...inputs },
      timeoutMs: 50_000,
    });
    // The runner consumes ::add-mask:: lines (that is how values get masked), so they are the one
    // place a credential may appear in the step's output; the key, the secret and their Basic-auth
    // form are all masked.
    const masks = [...result.stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1]);
    expect(masks.length).toBeGreaterThan(0);
    const secret = inputs['api-secret'] ?? API_SECRET;
    const basic = Buffer.from(`${API_KEY}:${secret}`).toString('base64');
    for (const credential of [API_KEY, secret, basic]) expect(masks).toContain(credential);
    noSecrets('action.stdout', result.stdout.replace(/^::add-mask::.*$/gm, ''));
    noSecrets('action.stderr', result.stderr);
    for (const [name, text] of Object.entries(result.files)) noSecrets(`action.${name}`, text);
    for (const a of gh.artifacts) if (a.bytes) noSecrets(`action.artifact.${a.name}.zip`, a.bytes);
    for (const c of gh.caches) if (c.bytes) noSecrets(`action.cache.${c.key}`, c.bytes);
    noSecrets('action.github-requests', JSON.stringify(gh.requests));
    noSecrets('action.comments', JSON.stringify(gh.comments));
    tally.secrets.runs++;
    return { result, workspace };
  }

  it('recovers from the same faults: every video intact in the uploaded artifact, exit 0', async () => {
    if (!existsSync(bundlePath)) throw new Error(`${bundlePath} is missing`);
    fake.reset();
    fake.setOptions({ faults: RECOVERABLE });
    const { result } = await action('action-faults');
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toMatchObject({ rendered: '3', failed: '0' });
    const artifact = gh.artifacts.find((a) => a.finalized && a.name === 'scenario-videos');
    const entries = unzip(new Uint8Array(artifact!.bytes!));
    const videos = manifestVideos(Buffer.from(entries['manifest.json']!).toString('utf8'));
    for (const v of videos) {
      expect(checkVideo(fake, entries[v.file!]!, v.jobId!, promptOf(v.name, 'action-faults'))).toEqual({ ok: true });
    }
    expect(fake.state().faultsInjected.length).toBe(RECOVERABLE.length);
    expect(auditSubmits(fake)).toMatchObject({ duplicates: 0, jobsCreated: 3 });
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    tally.action.cells++;
  }, 60_000);

  it('when every signed URL has expired: exit 1, the outputs and the summary name each job', async () => {
    fake.reset();
    fake.setOptions({ faults: [{ route: 'getAsset', kind: 'expired-url', rate: 1 }] });
    const { result } = await action('action-expired');
    expect(result.code).toBe(1);
    expect(result.outputs).toMatchObject({ rendered: '0', failed: '3' });
    const videos = JSON.parse(result.outputs.videos!) as Array<{
      jobId: string;
      error: { code: string; jobId: string; message: string };
    }>;
    for (const v of videos) {
      expect(v.jobId).toMatch(/^job_/);
      expect(v.error).toMatchObject({ code: 'output_expired', jobId: v.jobId });
      expect(result.summary).toContain(v.jobId);
    }
    expect(auditSubmits(fake)).toMatchObject({ duplicates: 0, jobsCreated: 3 });
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    tally.action.cells++;
  }, 60_000);

  it('with a wrong secret: exit 1 with a message about the credentials, and neither secret shown', async () => {
    fake.reset();
    const { result } = await action('action-wrong', { 'api-secret': WRONG_SECRET });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/unauthorized|401|credential|API key/i);
    expect(fake.state().unauthorized).toBeGreaterThan(0);
    expect(fake.state().submissions).toEqual([]);
  }, 60_000);
});

// ---- a wrong secret through the CLI, the core and the n8n node ----

describe('a wrong secret, through every face: refused, and never shown', () => {
  it('CLI: exit 2 (set-up error) at the first 401, says to check the credentials', async () => {
    fake.reset();
    const repo = await makeRepo('cli-wrong', promptsFor('cli-wrong'));
    const { code, stdout, stderr } = await cli(repo, ['render', '--out', 'out'], WRONG_SECRET);
    expect(code).toBe(2);
    expect(stderr + stdout).toMatch(/unauthorized|401|credential|API key/i);
    expect(fake.state().submissions).toEqual([]);
  }, 60_000);

  it('core: the error, however it is shown (String, stack, JSON, inspect, causes), holds no credential', async () => {
    fake.reset();
    for (const secret of [WRONG_SECRET, API_SECRET]) {
      const client = createScenarioClient({
        baseUrl: fake.url,
        ports: {
          http: createHttpTransport({ baseUrl: fake.url, apiKey: API_KEY, apiSecret: secret }),
          sleep: timerSleep,
          clock: systemClock,
        },
      });
      // A 401 (wrong secret), then a 404 and an invalid submit with the right one.
      const errors = await Promise.all([
        client.getJob('job_doesNotExist').catch((e: unknown) => e),
        client.submit({ params: { prompt: 'p', image: 'asset_nope', numFrames: 7 } }).catch((e: unknown) => e),
      ]);
      for (const e of errors) {
        expect(e).toBeInstanceOf(Error);
        noSecrets('core.error', errorTexts(e));
      }
    }
    tally.secrets.runs++;
  });

  it('n8n: the thrown NodeApiError and the Continue On Fail item hold no credential', async () => {
    fake.reset();
    const credentials = { apiKey: API_KEY, apiSecret: WRONG_SECRET, baseUrl: fake.url };
    const parameters = { resource: 'video', operation: 'generate', prompt: 'a wrong secret' };
    const thrown = await runNode({ parameters, items: [await imageItem()], credentials }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Error);
    noSecrets('n8n.thrown', errorTexts(thrown));
    const run = await runNode({ parameters, items: [await imageItem()], credentials, continueOnFail: true });
    expect(run.output[0]!.json).toMatchObject({ code: 'unauthorized' });
    noSecrets('n8n.output', JSON.stringify(run.output));
    // And a good run's whole output, binary included.
    const good = await runNode({
      parameters,
      items: [await imageItem()],
      credentials: { ...credentials, apiSecret: API_SECRET },
    });
    noSecrets('n8n.good-output', JSON.stringify(good.output));
    for (const [id, b] of good.binaries) noSecrets(`n8n.binary.${id}`, b.bytes);
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    tally.secrets.runs++;
  }, 30_000);

  it('the sweep finds a planted credential (so 0 hits means something)', () => {
    for (const planted of [API_KEY, API_SECRET, BASIC, WRONG_SECRET]) {
      expect(hitsIn(Buffer.from(`log line ${planted} end`), 'planted').length).toBeGreaterThan(0);
    }
  });
});
