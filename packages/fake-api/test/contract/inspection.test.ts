/**
 * The fake's inspection and control API over HTTP (`/_fake/state`, `/_fake/reset`,
 * `/_fake/options`) and the hazards it counts: the mistakes a well-behaved client never makes.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeRoute } from '../../src/options.js';
import {
  WAN_MODEL,
  api,
  dryRun,
  fakeState,
  fetchBytes,
  renderJob,
  request,
  submit,
  uploadImage,
  wanInput,
  type ApiResponse,
} from './support.js';
import { LIVE, SKIP_LIVE, contractTarget, resetTarget, type ContractTarget } from './target.js';

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t));

const ROUTES: FakeRoute[] = [
  'createAsset',
  'getAsset',
  'createUpload',
  'getUpload',
  'uploadAction',
  'putPart',
  'generate',
  'dryRun',
  'getJob',
  'listJobs',
  'jobAction',
  'getModel',
  'cdn',
];

async function control(path: string, body?: unknown): Promise<ApiResponse> {
  return request(body === undefined ? 'GET' : 'POST', `${t.controlUrl}${path}`, { body });
}

async function swallow(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch {
    // the connection was destroyed on purpose
  }
}

describe.skipIf(LIVE)(`fake inspection API ${SKIP_LIVE.control}`, () => {
  it('GET /_fake/state has every route counter, hazards at 0, and equals state()', async () => {
    const res = await control('/_fake/state');
    expect(res.status).toBe(200);
    for (const r of ROUTES) expect(res.json.requests[r], r).toBe(0);
    expect(res.json).toMatchObject({
      unauthorized: 0,
      submissions: [],
      faultsInjected: [],
      jobIds: [],
      hazards: { authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 },
    });
    expect(res.json).toEqual(JSON.parse(JSON.stringify(t.fake!.state())));
  });

  it('counts requests per route, submissions with their inputs, and job ids in order', async () => {
    const image = await uploadImage(t);
    const a = wanInput(image, { seed: 1 });
    const b = wanInput(image, { seed: 2 });
    const ra = await submit(t, a);
    const rb = await submit(t, b);
    await dryRun(t, wanInput(image));
    await api(t, 'GET', `/jobs/${ra.json.job.jobId}`);
    await api(t, 'GET', '/jobs');
    await api(t, 'GET', `/models/${WAN_MODEL}`);
    const s = await fakeState(t);
    expect(s.requests).toMatchObject({ createAsset: 1, generate: 2, dryRun: 1, getJob: 1, listJobs: 1, getModel: 1 });
    expect(s.submissions.map((x) => [x.input, x.dryRun, x.status, x.teamId, x.modelId])).toEqual([
      [a, false, 200, t.fake!.credentials.teamId, WAN_MODEL],
      [b, false, 200, t.fake!.credentials.teamId, WAN_MODEL],
      [expect.any(Object), true, 269, t.fake!.credentials.teamId, WAN_MODEL],
    ]);
    expect(s.jobIds).toEqual([ra.json.job.jobId, rb.json.job.jobId]);
    for (const x of s.submissions) expect(typeof x.at).toBe('number');
  });

  it('POST /_fake/reset forgets jobs, assets, counters, hazards and faults', async () => {
    const image = await uploadImage(t);
    const r = await submit(t, wanInput(image));
    await submit(t, { ...wanInput(image), dryRun: true });
    t.fake!.setOptions({ faults: [{ route: 'listJobs', kind: 'http-5xx', times: 5 }] });
    const reset = await control('/_fake/reset', {});
    expect(reset.status).toBe(200);
    const s = await fakeState(t);
    expect(s.jobIds).toEqual([]);
    expect(s.submissions).toEqual([]);
    expect(s.hazards.dryRunInBody).toBe(0);
    for (const route of ROUTES) expect(s.requests[route], route).toBe(0);
    expect((await api(t, 'GET', `/jobs/${r.json.job.jobId}`)).status).toBe(404);
    expect((await api(t, 'GET', `/assets/${image}`)).status).toBe(404);
    expect((await api(t, 'GET', '/jobs')).status).toBe(200); // the fault is gone
  });

  it('POST /_fake/options merges options at run time (faults, outcomes, limits)', async () => {
    const res = await control('/_fake/options', {
      faults: [{ route: 'getModel', kind: 'http-5xx', status: 500 }],
      teamConcurrencyLimit: 1,
    });
    expect(res.status).toBe(200);
    expect((await api(t, 'GET', `/models/${WAN_MODEL}`)).status).toBe(500);
    const image = await uploadImage(t);
    expect((await submit(t, wanInput(image))).status).toBe(200);
    const refused = await submit(t, wanInput(image));
    expect(refused.status).toBe(429);
    expect(refused.json.details.actionLimit).toBe(1);
  });

  it('the control API is on the API origin but not under /v1, and needs no credentials', async () => {
    expect(new URL(t.controlUrl!).origin).toBe(new URL(t.baseUrl).origin);
    expect((await control('/_fake/state')).status).toBe(200);
  });
});

describe.skipIf(LIVE)(`hazards a client must never cause ${SKIP_LIVE.control}`, () => {
  it('an Authorization header sent to the CDN is counted', async () => {
    const image = await uploadImage(t);
    const { job } = await renderJob(t, wanInput(image));
    const asset = await api(t, 'GET', `/assets/${job.metadata.assetIds[0]}`);
    const url = asset.json.asset.url as string;
    await fetchBytes(url);
    expect((await fakeState(t)).hazards.authorizationToCdn).toBe(0);
    await fetchBytes(url, { headers: { authorization: t.authHeader() } });
    const s = await fakeState(t);
    expect(s.hazards.authorizationToCdn).toBe(1);
    expect(s.requests.cdn).toBe(2);
  });

  it('an Authorization header sent to a presigned part URL is counted', async () => {
    const up = await api(t, 'POST', '/uploads', {
      body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', parts: 1, fileSize: 70 },
    });
    await request('PUT', up.json.upload.parts[0].url, { raw: new Uint8Array(70), auth: t.authHeader() });
    expect((await fakeState(t)).hazards.authorizationToCdn).toBe(1);
  });

  it('dryRun in the JSON body is counted, and (like the real API) runs a paid job', async () => {
    const image = await uploadImage(t);
    const res = await submit(t, { ...wanInput(image), dryRun: true });
    expect(res.status).toBe(200);
    expect(typeof res.json.job.jobId).toBe('string');
    const s = await fakeState(t);
    expect(s.hazards.dryRunInBody).toBe(1);
    expect(s.jobIds).toEqual([res.json.job.jobId]);
    expect(s.submissions[0]).toMatchObject({ dryRun: false, status: 200 });
  });

  it('the query dry run is not a hazard', async () => {
    const image = await uploadImage(t);
    await dryRun(t, wanInput(image));
    expect((await fakeState(t)).hazards).toEqual({
      authorizationToCdn: 0,
      dryRunInBody: 0,
      duplicateSubmitAfterAmbiguous: 0,
    });
  });

  for (const kind of ['reset-after-create', 'reset-after-body'] as const) {
    it(`re-sending the same input after ${kind} is counted as a duplicate submit`, async () => {
      const image = await uploadImage(t);
      const input = wanInput(image);
      t.fake!.setOptions({ faults: [{ route: 'generate', kind }] });
      await swallow(submit(t, input));
      const again = await submit(t, input);
      expect(again.status).toBe(200);
      const s = await fakeState(t);
      expect(s.hazards.duplicateSubmitAfterAmbiguous).toBe(1);
      expect(s.jobIds).toHaveLength(kind === 'reset-after-create' ? 2 : 1);
    });
  }

  it('a different input after an ambiguous failure is not a duplicate; nor is a retry after a clean 5xx', async () => {
    const image = await uploadImage(t);
    t.fake!.setOptions({ faults: [{ route: 'generate', kind: 'reset-after-create' }] });
    await swallow(submit(t, wanInput(image, { seed: 1 })));
    t.fake!.setOptions({ faults: [{ route: 'generate', kind: 'http-5xx' }] });
    const other = wanInput(image, { seed: 2 });
    expect((await submit(t, other)).status).toBe(503);
    expect((await submit(t, other)).status).toBe(200);
    expect((await fakeState(t)).hazards.duplicateSubmitAfterAmbiguous).toBe(0);
  });
});
