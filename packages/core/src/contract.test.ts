/**
 * Contract tests against the fake: the live-safe facts (also run live by `pnpm test:live`), then
 * the facts that need a paid job, an upload or the fake's control (fake only). Each names its
 * section of docs/scenario-api.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScenarioClient } from './client.js';
import { JOB_STATUSES } from './events.js';
import { createHttpTransport } from './node/http-transport.js';
import { defineLiveSafeContract, type ContractContext } from './testing/contract-suite.js';
import { FRAME_PNG, NO_HAZARDS, startHarness, type Harness } from './testing/fake.js';
import { createMemorySink } from './testing/memory.js';

let h: Harness;
let ctx: ContractContext;
beforeAll(async () => {
  h = await startHarness({ jobDurationMs: 20_000, videoBytes: 64 * 1024 });
  const badClient = createScenarioClient({
    baseUrl: h.fake.url,
    ports: { ...h.ports, http: createHttpTransport({ baseUrl: h.fake.url, apiKey: 'nope', apiSecret: 'nope' }) },
  });
  const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'contract.png' });
  // A finished job, so the asset facts have something to look at.
  await h.client.renderVideo({ prompt: 'contract seed job', image: { assetId } });
  ctx = { kind: 'fake', client: h.client, badClient, http: h.ports.http, imageAssetId: assetId };
});
afterAll(async () => {
  await h?.close();
});

defineLiveSafeContract(() => ctx);

describe('contract (fake only): paid jobs, uploads, faults', () => {
  it('§1: POST /assets with a base64 image answers { asset: { id: asset_… } }', async () => {
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'a.png' });
    expect(assetId).toMatch(/^asset_/);
  });

  it('§1: POST /uploads → PUT parts (no auth) → complete → poll until imported; entityId is the asset id', async () => {
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'm.png' }, { inlineMaxBytes: 1 });
    expect((await h.client.getAsset(assetId)).kind).toBe('image');
  });

  it('§4: submit answers { job: { jobId, status }, creativeUnitsCost } (jobId, not id)', async () => {
    const handle = await h.client.submit({ params: { prompt: 'contract submit', image: ctx.imageAssetId! } });
    expect(handle.jobId).toMatch(/^job_/);
    expect(typeof handle.creativeUnitsCost).toBe('number');
  });

  it('§3: jobs move through the documented statuses and end in success with metadata.assetIds', async () => {
    const seen = new Set<string>();
    const handle = await h.client.submit({ params: { prompt: 'contract lifecycle', image: ctx.imageAssetId! } });
    const job = await h.client.waitForJob(handle, { onEvent: (e) => e.type === 'status' && seen.add(e.status) });
    for (const s of seen) expect(JOB_STATUSES as readonly string[]).toContain(s);
    expect(job.metadata.assetIds.length).toBeGreaterThan(0);
  });

  it('§3: cancel of a generate/custom job is refused with 400 "Cannot cancel this type of job"', async () => {
    const handle = await h.client.submit({ params: { prompt: 'contract cancel', image: ctx.imageAssetId! } });
    const res = await h.client.cancelJob(handle.jobId);
    expect(res).toMatchObject({ canceled: false, status: 400 });
  });

  it('§2: downloading the output needs no credentials (and gets none)', async () => {
    const result = await h.client.renderVideo(
      { prompt: 'contract download', image: { assetId: ctx.imageAssetId! } },
      { sink: createMemorySink() },
    );
    expect(result.files[0]!.bytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it('§5: a 429 carries details.actionLimit (concurrency) or remainingSeconds (cooldown)', async () => {
    h.fake.setOptions({
      faults: [
        { route: 'listJobs', kind: 'rate-limit-action-limit', actionLimit: 3 },
        { route: 'listJobs', kind: 'rate-limit-remaining-seconds', remainingSeconds: 4 },
      ],
    });
    const events: number[] = [];
    await h.client.listJobs({}, { onEvent: (e) => e.type === 'retrying' && events.push(e.delayMs) });
    expect(events).toHaveLength(2);
    expect(events[1]).toBeGreaterThanOrEqual(4000);
  });
});
