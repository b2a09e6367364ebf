/**
 * The live-safe subset: read-only calls and dry runs only, never a paid job or an upload.
 * Runs against the fake in `pnpm test` and against the real API with `pnpm test:live`
 * (live dry runs need SCENARIO_CONTRACT_IMAGE_ASSET_ID, an image asset already in the account).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  JOB_STATUSES,
  NO_IMAGE_FOR_DRY_RUN,
  WAN_MODEL,
  api,
  dryRun,
  dryRunImage,
  errorText,
  jobsWithPrompt,
  nonce,
} from './support.js';
import { contractTarget, resetTarget, type ContractTarget } from './target.js';

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t));

const NEEDS_IMAGE = NO_IMAGE_FOR_DRY_RUN ? ' [skipped live: set SCENARIO_CONTRACT_IMAGE_ASSET_ID]' : '';

describe('read-only and dry-run checks (the live-safe subset)', () => {
  it('GET /v1/jobs answers {jobs: [...], nextPaginationToken?} honouring pageSize', async () => {
    const res = await api(t, 'GET', '/jobs', { query: { pageSize: 1 } });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.json?.jobs), res.text.slice(0, 200)).toBe(true);
    expect(res.json.jobs.length).toBeLessThanOrEqual(1);
    for (const job of res.json.jobs) {
      expect(typeof job.jobId).toBe('string');
      expect(typeof job.jobType).toBe('string');
      expect(JOB_STATUSES).toContain(job.status);
    }
    const token = res.json.nextPaginationToken;
    expect(token === undefined || token === null || typeof token === 'string').toBe(true);
  });

  it('GET /v1/jobs?status=success lists only successful jobs', async () => {
    const res = await api(t, 'GET', '/jobs', { query: { status: 'success', pageSize: 5 } });
    expect(res.status).toBe(200);
    for (const job of res.json.jobs) expect(job.status).toBe('success');
  });

  it('GET /v1/jobs/{unknown} answers 404 with an error message', async () => {
    const res = await api(t, 'GET', `/jobs/job_${nonce('contract-missing')}`);
    expect(res.status).toBe(404);
    expect(errorText(res.json), res.text.slice(0, 200)).not.toBe('');
  });

  it('GET /v1/assets/{unknown} answers 404', async () => {
    const res = await api(t, 'GET', `/assets/asset_${nonce('contract-missing')}`);
    expect(res.status).toBe(404);
  });

  it('bad credentials answer 401', async () => {
    const res = await api(t, 'GET', '/jobs', { auth: t.authHeader('contract-bad-key', 'contract-bad-secret') });
    expect(res.status).toBe(401);
  });

  it(`GET /v1/models/${WAN_MODEL} lists the documented inputs`, async () => {
    const res = await api(t, 'GET', `/models/${WAN_MODEL}`);
    expect(res.status, res.text.slice(0, 200)).toBe(200);
    const inputs: Array<{ name: string }> = res.json?.model?.inputs ?? [];
    const names = inputs.map((i) => i.name);
    for (const name of [
      'prompt',
      'image',
      'lastFrameImage',
      'resolution',
      'numFrames',
      'framesPerSecond',
      'sampleSteps',
      'sampleShift',
      'seed',
    ]) {
      expect(names, `model.inputs names: ${names.join(', ')}`).toContain(name);
    }
  });

  it(`assumed: GET /v1/models/${WAN_MODEL} input ranges equal the documented table`, async () => {
    const res = await api(t, 'GET', `/models/${WAN_MODEL}`);
    expect(res.status).toBe(200);
    const byName = new Map<string, Record<string, unknown>>(
      (res.json?.model?.inputs ?? []).map((i: Record<string, unknown>) => [i.name as string, i]),
    );
    const ranges: Record<string, [number, number, number]> = {
      numFrames: [81, 100, 81],
      framesPerSecond: [5, 24, 16],
      sampleSteps: [1, 50, 30],
      sampleShift: [1, 20, 5],
    };
    for (const [name, [min, max, dflt]] of Object.entries(ranges)) {
      expect(byName.get(name), name).toMatchObject({ min, max, default: dflt });
    }
    expect(byName.get('resolution')?.allowedValues).toEqual(expect.arrayContaining(['720p', '480p']));
    expect(byName.get('prompt')?.required).toBeTruthy();
  });

  it.skipIf(NO_IMAGE_FOR_DRY_RUN)(
    `dry run (?dryRun=true in the query) answers HTTP 269 with creativeUnitsCost${NEEDS_IMAGE}`,
    async () => {
      const image = await dryRunImage(t);
      const res = await dryRun(t, { prompt: nonce('contract dry run'), image });
      expect(res.status, res.text.slice(0, 300)).toBe(269);
      expect(res.ok).toBe(true); // fetch treats 269 as success
      expect(typeof res.json?.creativeUnitsCost).toBe('number');
      expect(res.json.creativeUnitsCost).toBeGreaterThanOrEqual(0);
    },
  );

  it.skipIf(NO_IMAGE_FOR_DRY_RUN)(`a dry run creates no job${NEEDS_IMAGE}`, async () => {
    const image = await dryRunImage(t);
    const prompt = nonce('contract dry run creates nothing');
    const before = await api(t, 'GET', '/jobs', { query: { pageSize: 50 } });
    expect(before.status).toBe(200);
    const res = await dryRun(t, { prompt, image });
    expect(res.status).toBe(269);
    expect(await jobsWithPrompt(t, prompt)).toEqual([]);
    if (t.kind === 'fake') {
      const after = await api(t, 'GET', '/jobs', { query: { pageSize: 50 } });
      expect(after.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(
        before.json.jobs.map((j: { jobId: string }) => j.jobId),
      );
    }
  });

  it.skipIf(NO_IMAGE_FOR_DRY_RUN)(
    `assumed: a dry run with an out-of-range param (numFrames 101) answers 400 naming it${NEEDS_IMAGE}`,
    async () => {
      const image = await dryRunImage(t);
      const res = await dryRun(t, { prompt: nonce('contract dry run range'), image, numFrames: 101 });
      expect(res.status, res.text.slice(0, 300)).toBe(400);
      expect(errorText(res.json)).toContain('numFrames');
    },
  );
});
