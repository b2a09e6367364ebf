import { copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createScenarioClient } from '@scenario-video/core';
import { nodePorts } from '@scenario-video/core/node';
import { startFakeScenario, type FakeScenario } from '@scenario-video/fake-api';
import type { BatchEvent } from './events.js';
import { contentHash } from './hash.js';
import { hashedVideos, planBatch } from './plan.js';
import { renderBatch } from './render.js';

const examples = fileURLToPath(new URL('../../../examples/prompts/images/', import.meta.url));

let repo: string;
let fake: FakeScenario | undefined;

beforeEach(async () => {
  repo = await realpath(await mkdtemp(path.join(tmpdir(), 'sv-plan-')));
  await mkdir(path.join(repo, 'prompts', 'images'), { recursive: true });
  await copyFile(path.join(examples, 'cells.png'), path.join(repo, 'prompts', 'images', 'cells.png'));
  await writeFile(path.join(repo, 'prompts', 'cat.yml'), 'prompt: cells ripple\nimage: images/cells.png\n');
  await writeFile(path.join(repo, 'prompts', 'broken.yml'), 'prompt: [\n');
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await rm(repo, { recursive: true, force: true });
});

it('discovers, validates and hashes once: valid videos with their content hash, broken files as issues', async () => {
  const plan = await planBatch({ root: repo, outDir: 'out' });
  expect(plan.root).toBe(repo);
  expect(plan.outDir).toBe(path.join(repo, 'out'));
  expect(plan.discovery.files).toEqual(['prompts/broken.yml', 'prompts/cat.yml']);
  expect(plan.issues.map((i) => i.file)).toEqual(['prompts/broken.yml']);
  const [cat] = plan.videos;
  expect(cat && 'hash' in cat ? cat.hash : undefined).toBe(await contentHash(cat!.video));
  expect(hashedVideos(plan)).toEqual([{ name: 'cat', source: 'prompts/cat.yml', hash: await contentHash(cat!.video) }]);
});

it('renderBatch given a plan renders that plan and does not discover again', async () => {
  fake = await startFakeScenario({ jobDurationMs: 100 });
  const { apiKey, apiSecret } = fake.credentials;
  const client = createScenarioClient({
    baseUrl: fake.url,
    ports: nodePorts({ apiKey, apiSecret, baseUrl: fake.url }),
  });
  const plan = await planBatch({ root: repo, outDir: 'out' });
  // A prompt file added after planning is not this run's: the plan is what was restored from the cache.
  await writeFile(path.join(repo, 'prompts', 'dog.yml'), 'prompt: a dog\n');
  const events: BatchEvent[] = [];
  const { manifest } = await renderBatch({
    root: repo,
    outDir: 'out',
    plan,
    client,
    dryRun: true,
    onEvent: (e) => events.push(e),
  });
  expect(manifest.videos.map((v) => v.name)).toEqual(['cat']);
  expect(manifest.issues.map((i) => i.file)).toEqual(['prompts/broken.yml']);
  expect(events.find((e) => e.type === 'discovered')).toMatchObject({
    files: ['prompts/broken.yml', 'prompts/cat.yml'],
  });
}, 30_000);
