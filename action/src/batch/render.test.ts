import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, mkdtemp, readFile, realpath, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScenarioClient, type ScenarioClient } from '@scenario-video/core';
import { nodePorts } from '@scenario-video/core/node';
import {
  createManualClock,
  readFakeVideoIdentity,
  startFakeScenario,
  type FakeScenario,
  type FakeScenarioOptions,
} from '@scenario-video/fake-api';
import type { BatchEvent } from './events.js';
import type { Manifest } from './manifest.js';
import { LEDGER_FILE, renderBatch } from './render.js';

const examples = fileURLToPath(new URL('../../../examples/prompts/images/', import.meta.url));

let repo: string;
let fake: FakeScenario | undefined;

beforeEach(async () => {
  repo = await realpath(await mkdtemp(path.join(tmpdir(), 'sv-batch-')));
  await mkdir(path.join(repo, 'prompts', 'images'), { recursive: true });
  await copyFile(path.join(examples, 'cells.png'), path.join(repo, 'prompts', 'images', 'cells.png'));
  await copyFile(path.join(examples, 'gradient.png'), path.join(repo, 'prompts', 'images', 'gradient.png'));
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await rm(repo, { recursive: true, force: true });
});

const write = async (rel: string, text: string) => {
  await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
  await writeFile(path.join(repo, rel), text);
};

async function start(options: FakeScenarioOptions = {}): Promise<{ fake: FakeScenario; client: ScenarioClient }> {
  fake = await startFakeScenario({ jobDurationMs: 400, ...options });
  const { apiKey, apiSecret } = fake.credentials;
  const client = createScenarioClient({
    baseUrl: fake.url,
    ports: nodePorts({ apiKey, apiSecret, baseUrl: fake.url }),
    poll: { minMs: 40, maxMs: 200, finalizingMaxMs: 100 },
  });
  return { fake, client };
}

const paidSubmits = (f: FakeScenario) => f.state().submissions.filter((s) => !s.dryRun).length;
const out = () => path.join(repo, 'out');
const readManifest = async (file = 'manifest.json') =>
  JSON.parse(await readFile(path.join(out(), file), 'utf8')) as Manifest;

async function threeVideos(): Promise<void> {
  await write('prompts/cat.yml', 'prompt: cells ripple\nimage: images/cells.png\nresolution: 480p\n');
  await write(
    'prompts/batch.yaml',
    'defaults:\n  image: images/gradient.png\nvideos:\n  - prompt: colours drift\n  - prompt: colours spin\n    seed: 3\n',
  );
}

function hasFfprobe(): boolean {
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('batch renderer against the fake API', { timeout: 60_000 }, () => {
  it('renders every video, writes MP4s and a manifest, then skips them when nothing changed', async () => {
    const { fake, client } = await start();
    await threeVideos();
    const events: BatchEvent[] = [];
    const first = await renderBatch({ root: repo, outDir: 'out', client, onEvent: (e) => events.push(e) });

    expect(first.interrupted).toBe(false);
    expect(first.manifest.totals).toMatchObject({ videos: 3, rendered: 3, skipped: 0, failed: 0, invalidFiles: 0 });
    expect(first.manifest.videos.map((v) => [v.name, v.source, v.status, v.file])).toEqual([
      ['batch-1', 'prompts/batch.yaml', 'rendered', 'batch-1.mp4'],
      ['batch-2', 'prompts/batch.yaml', 'rendered', 'batch-2.mp4'],
      ['cat', 'prompts/cat.yml', 'rendered', 'cat.mp4'],
    ]);
    expect(paidSubmits(fake)).toBe(3);
    // Two images for three videos: each image is uploaded once and its asset shared.
    expect(fake.state().requests.createAsset).toBe(2);
    for (const v of first.manifest.videos) {
      expect(v.jobId).toMatch(/^job_/);
      expect(v.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(v.creativeUnits).toBeGreaterThan(0);
      const file = path.join(out(), v.file!);
      expect((await stat(file)).size).toBe(v.bytes);
      // The file is the output of the job the manifest names, made from this video's prompt.
      const identity = readFakeVideoIdentity(file);
      expect(identity.jobId).toBe(v.jobId);
    }
    expect(readFakeVideoIdentity(path.join(out(), 'cat.mp4')).input).toMatchObject({
      prompt: 'cells ripple',
      resolution: '480p',
    });
    if (hasFfprobe()) {
      const probe = execFileSync('ffprobe', [
        '-v',
        'error',
        '-show_entries',
        'format=format_name',
        path.join(out(), 'cat.mp4'),
      ]);
      expect(probe.toString()).toMatch(/mp4/);
    }
    expect(await readManifest()).toEqual(first.manifest);
    expect(events[0]).toMatchObject({ type: 'discovered', files: ['prompts/batch.yaml', 'prompts/cat.yml'] });
    expect(events.at(-1)).toMatchObject({ type: 'finished', interrupted: false });
    expect(events.filter((e) => e.type === 'video' && e.phase === 'rendered')).toHaveLength(3);

    const second = await renderBatch({ root: repo, outDir: 'out', client });
    expect(second.manifest.totals).toMatchObject({ videos: 3, rendered: 0, skipped: 3, creativeUnits: 0 });
    expect(second.manifest.videos.map((v) => v.jobId)).toEqual(first.manifest.videos.map((v) => v.jobId));
    expect(paidSubmits(fake)).toBe(3);
    expect(fake.state().hazards).toEqual({ authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 });

    // --force fetches the outputs again but never pays twice for the same content.
    const forced = await renderBatch({ root: repo, outDir: 'out', client, force: true });
    expect(forced.manifest.totals).toMatchObject({ rendered: 3, skipped: 0, creativeUnits: 0 });
    expect(forced.manifest.videos.map((v) => v.jobId)).toEqual(first.manifest.videos.map((v) => v.jobId));
    expect(paidSubmits(fake)).toBe(3);
  });

  it('downloads a video that is short on disk again by its job id, never paying for it again', async () => {
    // What a power cut can leave behind: the file sink does not fsync (the ledger keeps the paid job).
    const { fake, client } = await start();
    await threeVideos();
    const first = await renderBatch({ root: repo, outDir: 'out', client });
    const cat = first.manifest.videos.find((v) => v.name === 'cat')!;
    await truncate(path.join(out(), cat.file!), Math.floor(cat.bytes! / 2));

    const events: BatchEvent[] = [];
    const second = await renderBatch({ root: repo, outDir: 'out', client, onEvent: (e) => events.push(e) });
    const planned = events.find((e) => e.type === 'planned');
    expect(planned?.type === 'planned' && planned.videos.map((v) => [v.name, v.action])).toEqual([
      ['batch-1', 'skip'],
      ['batch-2', 'skip'],
      ['cat', 'resume'],
    ]);
    expect(paidSubmits(fake)).toBe(3);
    const again = second.manifest.videos.find((v) => v.name === 'cat')!;
    expect(again).toMatchObject({ status: 'rendered', jobId: cat.jobId, bytes: cat.bytes, resumed: true });
    expect((await stat(path.join(out(), cat.file!))).size).toBe(cat.bytes);
    expect(readFakeVideoIdentity(path.join(out(), cat.file!)).jobId).toBe(cat.jobId);
  });

  it('re-renders only the video that changed (prompt, parameter or image bytes)', async () => {
    const { fake, client } = await start();
    await threeVideos();
    await renderBatch({ root: repo, outDir: 'out', client });
    expect(paidSubmits(fake)).toBe(3);

    await write('prompts/cat.yml', 'prompt: cells ripple faster\nimage: images/cells.png\nresolution: 480p\n');
    const afterPrompt = await renderBatch({ root: repo, outDir: 'out', client });
    expect(afterPrompt.manifest.videos.map((v) => [v.name, v.status])).toEqual([
      ['batch-1', 'skipped'],
      ['batch-2', 'skipped'],
      ['cat', 'rendered'],
    ]);
    expect(paidSubmits(fake)).toBe(4);
    expect(readFakeVideoIdentity(path.join(out(), 'cat.mp4')).input.prompt).toBe('cells ripple faster');

    // Same file name, new bytes: both videos that use the image render again.
    await copyFile(path.join(examples, 'cells.png'), path.join(repo, 'prompts', 'images', 'gradient.png'));
    const afterImage = await renderBatch({ root: repo, outDir: 'out', client });
    expect(afterImage.manifest.videos.map((v) => v.status)).toEqual(['rendered', 'rendered', 'skipped']);
    expect(paidSubmits(fake)).toBe(6);

    // An output deleted by hand is rendered again... from the ledger, without paying.
    await rm(path.join(out(), 'cat.mp4'));
    const afterDelete = await renderBatch({ root: repo, outDir: 'out', client });
    expect(afterDelete.manifest.videos.find((v) => v.name === 'cat')?.status).toBe('rendered');
    expect(paidSubmits(fake)).toBe(6);
    expect((await stat(path.join(out(), 'cat.mp4'))).size).toBeGreaterThan(0);
  });

  it('reports a broken file with file, line and field and still renders the others', async () => {
    const { fake, client } = await start();
    await threeVideos();
    await write('prompts/broken.yml', 'prompt: a cat\nimage: images/cells.png\nnumFrames: 500\n');
    await write('prompts/escape.yml', 'prompt: a cat\nimage: ../../etc/passwd.png\n');
    const result = await renderBatch({ root: repo, outDir: 'out', client });
    expect(result.manifest.totals).toMatchObject({ rendered: 3, invalidFiles: 2 });
    expect(result.manifest.issues).toEqual([
      {
        file: 'prompts/broken.yml',
        line: 3,
        column: 12,
        field: 'numFrames',
        message: 'must be between 81 and 100 (got 500)',
      },
      expect.objectContaining({ file: 'prompts/escape.yml', line: 2, field: 'image' }),
    ]);
    expect(paidSubmits(fake)).toBe(3);
  });

  it('records a failed job with its id and error while the others succeed', async () => {
    const { client } = await start({
      outcomes: [{ outcome: 'failure', promptIncludes: 'spin', error: 'Moderation', hint: 'Change the prompt' }],
    });
    await threeVideos();
    const result = await renderBatch({ root: repo, outDir: 'out', client });
    expect(result.manifest.totals).toMatchObject({ rendered: 2, failed: 1 });
    const failed = result.manifest.videos.find((v) => v.status === 'failed')!;
    expect(failed).toMatchObject({
      name: 'batch-2',
      file: null,
      error: { code: 'job_failed', hint: 'Change the prompt' },
    });
    expect(failed.jobId).toMatch(/^job_/);
    expect(failed.error?.jobId).toBe(failed.jobId);
  });

  it('resumes jobs from the ledger after a run stopped mid-wait, with zero new submits', async () => {
    const clock = createManualClock();
    const { fake, client } = await start({ clock, jobDurationMs: 60_000 });
    await threeVideos();
    const controller = new AbortController();
    const submitted = new Set<string>();
    const first = await renderBatch({
      root: repo,
      outDir: 'out',
      client,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'video' && e.phase === 'waiting') submitted.add(e.name);
        // Stop once every video is being waited on (jobs accepted, ledger written).
        if (submitted.size === 3 && !controller.signal.aborted) controller.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    expect(first.manifest.totals).toMatchObject({ interrupted: 3, rendered: 0 });
    // The jobs were paid at submit: the run says so, and the resumed run does not count them again.
    expect(first.manifest.totals.creativeUnits).toBeGreaterThan(0);
    expect(first.manifest.videos.every((v) => v.creativeUnits !== null && !v.resumed)).toBe(true);
    expect(paidSubmits(fake)).toBe(3);
    const ledger = JSON.parse(await readFile(path.join(out(), LEDGER_FILE), 'utf8')) as {
      entries: Record<string, { jobId: string }>;
    };
    const ledgerJobs = Object.values(ledger.entries)
      .map((e) => e.jobId)
      .sort();
    expect(ledgerJobs).toEqual([...fake.state().jobIds].sort());
    expect(first.manifest.videos.map((v) => v.jobId).sort()).toEqual(ledgerJobs);

    clock.advance(61_000);
    const events: BatchEvent[] = [];
    const second = await renderBatch({ root: repo, outDir: 'out', client, onEvent: (e) => events.push(e) });
    expect(second.manifest.totals).toMatchObject({ rendered: 3, failed: 0, interrupted: 0, creativeUnits: 0 });
    expect(second.manifest.videos.every((v) => v.resumed === true)).toBe(true);
    expect(paidSubmits(fake)).toBe(3);
    expect(second.manifest.videos.map((v) => v.jobId).sort()).toEqual(ledgerJobs);
    const planned = events.find((e) => e.type === 'planned');
    expect(planned?.type === 'planned' && planned.videos.map((v) => v.action)).toEqual(['resume', 'resume', 'resume']);
    for (const v of second.manifest.videos) {
      expect(readFakeVideoIdentity(path.join(out(), v.file!)).jobId).toBe(v.jobId);
    }
  });

  it('with no prompt file and no ledger, writes an empty manifest and never makes a client', async () => {
    let clients = 0;
    const events: BatchEvent[] = [];
    const result = await renderBatch({
      root: repo,
      outDir: 'out',
      client: async () => {
        clients++;
        throw new Error('no client is needed when there is nothing to render');
      },
      onEvent: (e) => events.push(e),
    });
    expect(clients).toBe(0);
    expect(result.interrupted).toBe(false);
    expect(result.manifest.videos).toEqual([]);
    expect(result.manifest.totals).toMatchObject({ videos: 0, rendered: 0, failed: 0, invalidFiles: 0 });
    expect(await readManifest()).toEqual(result.manifest);
    expect(events.map((e) => e.type)).toEqual(['discovered', 'planned', 'finished']);
    expect(events[1]).toEqual({ type: 'planned', videos: [], orphanJobs: [] });
  });

  it('with no prompt file left but unfinished jobs in the ledger, still reports those jobs', async () => {
    await mkdir(out(), { recursive: true });
    const entry = { key: 'gone:abc', jobId: 'job_left_running', modelId: 'model_wan-2-2-i2v-a14b' };
    await writeFile(
      path.join(out(), LEDGER_FILE),
      JSON.stringify({ version: 1, entries: { [entry.key]: { ...entry, submittedAt: new Date().toISOString() } } }),
    );
    const events: BatchEvent[] = [];
    const result = await renderBatch({
      root: repo,
      outDir: 'out',
      client: () => Promise.reject(new Error('not needed: nothing to render')),
      onEvent: (e) => events.push(e),
    });
    const planned = events.find((e) => e.type === 'planned');
    expect(planned).toMatchObject({
      type: 'planned',
      videos: [],
      orphanJobs: [{ key: entry.key, jobId: entry.jobId }],
    });
    // Paid in an earlier run: the manifest keeps it, with the command that fetches it.
    expect(result.manifest.totals.orphans).toBe(1);
    expect(result.manifest.orphans).toEqual([
      expect.objectContaining({
        name: 'gone',
        jobId: entry.jobId,
        message: expect.stringContaining(`scenario-video job ${entry.jobId} --download`),
      }),
    ]);
  });

  it('quotes a dry run without rendering or touching the real manifest', async () => {
    const { fake, client } = await start();
    await threeVideos();
    const result = await renderBatch({ root: repo, outDir: 'out', client, dryRun: true });
    expect(result.manifest.dryRun).toBe(true);
    expect(result.manifest.videos.map((v) => v.status)).toEqual(['quoted', 'quoted', 'quoted']);
    expect(result.manifest.totals.creativeUnits).toBeGreaterThan(0);
    expect(result.manifestPath).toBe(path.join(out(), 'manifest.dry-run.json'));
    expect(paidSubmits(fake)).toBe(0);
    expect(fake.state().submissions.filter((s) => s.dryRun)).toHaveLength(3);
    await expect(stat(path.join(out(), 'manifest.json'))).rejects.toThrow();
    expect(fake.state().hazards.dryRunInBody).toBe(0);
  });

  it('quotes a video whose image is a URL: fetched without credentials, uploaded, nothing paid', async () => {
    const { fake, client } = await start();
    const png = await readFile(path.join(examples, 'cells.png'));
    const seen: Array<string | undefined> = [];
    const images = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length }).end(png);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = images.address() as AddressInfo;
      await write('prompts/remote.yml', `prompt: from a URL\nimage: http://127.0.0.1:${port}/cells.png\n`);
      const result = await renderBatch({ root: repo, outDir: 'out', client, dryRun: true });
      expect(result.manifest.videos).toMatchObject([{ name: 'remote', status: 'quoted', error: null }]);
      expect(result.manifest.totals.creativeUnits).toBeGreaterThan(0);
      expect(seen).toEqual([undefined]);
      const quoted = fake.state().submissions.filter((s) => s.dryRun);
      expect(quoted).toHaveLength(1);
      expect(quoted[0]!.input.image).toMatch(/^asset_/);
      expect(paidSubmits(fake)).toBe(0);
    } finally {
      await new Promise((resolve) => images.close(resolve));
    }
  });
});
