/**
 * Every fault kind of the fake (options.ts FaultKind), observed from the client side over HTTP:
 * what a client actually sees (status, headers, body, a rejected fetch, a short body). These pin
 * the fake's behaviour that the core's reliability tests rely on; fake only.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeRoute, FaultRule } from '../../src/options.js';
import {
  JOB_STATUSES,
  TINY_PNG_BASE64,
  api,
  dryRun,
  fakeState,
  fetchBytes,
  getJob,
  renderJob,
  request,
  submit,
  submitJob,
  uploadImage,
  wanInput,
  type ApiResponse,
} from './support.js';
import { LIVE, SKIP_LIVE, contractTarget, resetTarget, type ContractTarget } from './target.js';

const VIDEO_BYTES = 512 * 1024;

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget({ videoBytes: VIDEO_BYTES });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t, { videoBytes: VIDEO_BYTES, teamConcurrencyLimit: 0 }));

function fault(...rules: FaultRule[]): void {
  t.fake!.setOptions({ faults: rules });
}

/** Resolves with how the exchange ended: a response, or the fetch rejection. */
async function settle(p: Promise<ApiResponse>): Promise<{ res?: ApiResponse; err?: unknown }> {
  try {
    return { res: await p };
  } catch (err) {
    return { err };
  }
}

async function expectReset(p: Promise<ApiResponse>): Promise<void> {
  const { res, err } = await settle(p);
  expect(res?.status, 'expected the connection to be destroyed, got an answer').toBeUndefined();
  expect(err).toBeInstanceOf(Error);
  // A destroyed connection, not our own timeout.
  expect((err as Error).name).not.toBe('TimeoutError');
}

async function listJobIds(): Promise<string[]> {
  const res = await api(t, 'GET', '/jobs', { query: { pageSize: 50 } });
  return res.json.jobs.map((j: { jobId: string }) => j.jobId);
}

/** A finished video's signed URL. */
async function videoUrl(): Promise<{ url: string; assetId: string }> {
  const image = await uploadImage(t);
  const { job } = await renderJob(t, wanInput(image));
  const assetId = job.metadata.assetIds[0] as string;
  const res = await api(t, 'GET', `/assets/${assetId}`);
  return { url: res.json.asset.url, assetId };
}

describe.skipIf(LIVE)(`faults, as a client sees them ${SKIP_LIVE.control}`, () => {
  describe('http-5xx', () => {
    it('answers 503 with {reason, trace_id} by default, then the route works again (times: 1)', async () => {
      fault({ route: 'listJobs', kind: 'http-5xx' });
      const res = await api(t, 'GET', '/jobs');
      expect(res.status).toBe(503);
      expect(typeof res.json?.reason).toBe('string');
      expect(typeof res.json?.trace_id).toBe('string');
      expect((await api(t, 'GET', '/jobs')).status).toBe(200);
      const state = await fakeState(t);
      expect(state.faultsInjected.map((f) => [f.route, f.kind])).toEqual([['listJobs', 'http-5xx']]);
    });

    it('uses the given status; on generate nothing happens server-side', async () => {
      fault({ route: 'generate', kind: 'http-5xx', status: 500 });
      const image = await uploadImage(t);
      const res = await submit(t, wanInput(image));
      expect(res.status).toBe(500);
      expect(await listJobIds()).toEqual([]);
      expect((await fakeState(t)).jobIds).toEqual([]);
    });

    it('times, after and id target exactly the matching requests', async () => {
      const image = await uploadImage(t);
      const a = (await submitJob(t, wanInput(image))).jobId;
      const b = (await submitJob(t, wanInput(image))).jobId;
      fault({ route: 'getJob', kind: 'http-5xx', times: 2, after: 1, id: a });
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await getJob(t, a)).status);
      expect(statuses).toEqual([200, 503, 503, 200]);
      expect((await getJob(t, b)).status).toBe(200);
    });

    it('rate 1 hits every matching request, rate 0 none; route "*" matches every route', async () => {
      fault({ route: '*', kind: 'http-5xx', rate: 1 });
      expect((await api(t, 'GET', '/jobs')).status).toBe(503);
      expect((await api(t, 'GET', '/jobs')).status).toBe(503);
      expect((await api(t, 'GET', '/models/model_wan-2-2-i2v-a14b')).status).toBe(503);
      fault({ route: '*', kind: 'http-5xx', rate: 0 });
      expect((await api(t, 'GET', '/jobs')).status).toBe(200);
    });
  });

  describe('targets every route', () => {
    // One request per route; the fault hits it once, then the route answers as before.
    const routes: Array<[FakeRoute, () => Promise<() => Promise<{ status: number }>>]> = [
      ['createAsset', async () => () => api(t, 'POST', '/assets', { body: { image: TINY_PNG_BASE64, name: 'a.png' } })],
      [
        'getAsset',
        async () => {
          const id = await uploadImage(t);
          return () => api(t, 'GET', `/assets/${id}`);
        },
      ],
      [
        'createUpload',
        async () => () =>
          api(t, 'POST', '/uploads', {
            body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', parts: 1, fileSize: 70 },
          }),
      ],
      [
        'getUpload',
        async () => {
          const up = await api(t, 'POST', '/uploads', {
            body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', parts: 1, fileSize: 70 },
          });
          return () => api(t, 'GET', `/uploads/${up.json.upload.id}`);
        },
      ],
      [
        'uploadAction',
        async () => {
          const up = await api(t, 'POST', '/uploads', {
            body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', parts: 1, fileSize: 70 },
          });
          return () => api(t, 'POST', `/uploads/${up.json.upload.id}/action`, { body: { action: 'complete' } });
        },
      ],
      [
        'putPart',
        async () => {
          const up = await api(t, 'POST', '/uploads', {
            body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', parts: 1, fileSize: 70 },
          });
          return () => request('PUT', up.json.upload.parts[0].url, { raw: Buffer.from(TINY_PNG_BASE64, 'base64') });
        },
      ],
      [
        'generate',
        async () => {
          const image = await uploadImage(t);
          return () => submit(t, wanInput(image));
        },
      ],
      [
        'dryRun',
        async () => {
          const image = await uploadImage(t);
          return () => dryRun(t, wanInput(image));
        },
      ],
      [
        'getJob',
        async () => {
          const { jobId } = await submitJob(t, wanInput(await uploadImage(t)));
          return () => getJob(t, jobId);
        },
      ],
      ['listJobs', async () => () => api(t, 'GET', '/jobs')],
      [
        'jobAction',
        async () => {
          const { jobId } = await submitJob(t, wanInput(await uploadImage(t)));
          return () => api(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'cancel' } });
        },
      ],
      ['getModel', async () => () => api(t, 'GET', '/models/model_wan-2-2-i2v-a14b')],
      [
        'cdn',
        async () => {
          const { url } = await videoUrl();
          return () => fetchBytes(url);
        },
      ],
    ];
    for (const [route, setup] of routes) {
      it(`http-5xx on ${route}`, async () => {
        const send = await setup();
        fault({ route, kind: 'http-5xx', status: 502 });
        expect((await send()).status).toBe(502);
        expect((await send()).status).not.toBe(502);
        const state = await fakeState(t);
        expect(state.faultsInjected.map((f) => f.route)).toEqual([route]);
        expect(state.requests[route]).toBeGreaterThanOrEqual(2);
      });
    }
  });

  describe('rate limits', () => {
    it('rate-limit-retry-after: 429 with a Retry-After header', async () => {
      fault({ route: 'getJob', kind: 'rate-limit-retry-after', retryAfterSeconds: 3 });
      const res = await api(t, 'GET', '/jobs/job_whatever');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('3');
    });

    it('rate-limit-remaining-seconds: 429 with remainingSeconds in the body', async () => {
      fault({ route: 'listJobs', kind: 'rate-limit-remaining-seconds', remainingSeconds: 7 });
      const res = await api(t, 'GET', '/jobs');
      expect(res.status).toBe(429);
      expect(res.json?.remainingSeconds).toBe(7);
    });

    it('rate-limit-action-limit: 429 with details.actionName / details.actionLimit, and no job', async () => {
      fault({ route: 'generate', kind: 'rate-limit-action-limit', actionLimit: 4 });
      const image = await uploadImage(t);
      const res = await submit(t, wanInput(image));
      expect(res.status).toBe(429);
      expect(typeof res.json?.details?.actionName).toBe('string');
      expect(res.json.details.actionLimit).toBe(4);
      expect(await listJobIds()).toEqual([]);
    });
  });

  describe('connection resets', () => {
    it('reset-before-body: fetch rejects and nothing is created', async () => {
      fault({ route: 'generate', kind: 'reset-before-body' });
      const image = await uploadImage(t);
      await expectReset(submit(t, wanInput(image)));
      expect(await listJobIds()).toEqual([]);
      expect((await fakeState(t)).jobIds).toEqual([]);
    });

    it('reset-after-body: fetch rejects and nothing is created; the submission is recorded with status 0', async () => {
      fault({ route: 'generate', kind: 'reset-after-body' });
      const image = await uploadImage(t);
      const input = wanInput(image);
      await expectReset(submit(t, input));
      expect(await listJobIds()).toEqual([]);
      const state = await fakeState(t);
      expect(state.jobIds).toEqual([]);
      expect(state.submissions).toHaveLength(1);
      expect(state.submissions[0]).toMatchObject({ input, status: 0 });
      expect(state.submissions[0]!.jobId).toBeUndefined();
    });

    it('reset-after-create: fetch rejects, yet the job exists, shows in GET /v1/jobs and runs', async () => {
      fault({ route: 'generate', kind: 'reset-after-create' });
      const image = await uploadImage(t);
      const input = wanInput(image);
      await expectReset(submit(t, input));
      const list = await api(t, 'GET', '/jobs');
      expect(list.json.jobs).toHaveLength(1);
      const job = list.json.jobs[0];
      expect(job.metadata.input).toMatchObject(input);
      const state = await fakeState(t);
      expect(state.jobIds).toEqual([job.jobId]);
      expect(state.submissions[0]).toMatchObject({ input, status: 0, jobId: job.jobId });
      t.clock!.advance(60_000);
      expect((await getJob(t, job.jobId)).json.job.status).toBe('success');
    });

    it('reset-after-body on a GET rejects the fetch; the next GET works', async () => {
      fault({ route: 'listJobs', kind: 'reset-after-body' });
      await expectReset(api(t, 'GET', '/jobs'));
      expect((await api(t, 'GET', '/jobs')).status).toBe(200);
    });
  });

  describe('truncate (cdn)', () => {
    it('announces the full Content-Length, sends part of the body, then drops the connection', async () => {
      const { url } = await videoUrl();
      fault({ route: 'cdn', kind: 'truncate', truncateFraction: 0.25 });
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      expect(res.status).toBe(200);
      const announced = Number(res.headers.get('content-length'));
      expect(announced).toBeGreaterThanOrEqual(VIDEO_BYTES);
      let got = 0;
      let error: unknown;
      const reader = res.body!.getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          got += value.length;
        }
      } catch (err) {
        error = err;
      }
      expect(got).toBeLessThan(announced);
      expect(got).toBeGreaterThan(0);
      expect(got).toBeLessThanOrEqual(Math.ceil(announced * 0.25) + 1);
      expect(error, 'reading a truncated body must fail').toBeDefined();
      // Only once: the next download is whole.
      const again = await fetchBytes(url);
      expect(again.bytes.length).toBe(announced);
    });

    it('arrayBuffer() rejects on a truncated body (default fraction)', async () => {
      const { url } = await videoUrl();
      fault({ route: 'cdn', kind: 'truncate' });
      await expect(fetchBytes(url)).rejects.toThrow();
    });
  });

  describe('slow', () => {
    it('delays the answer by delayMs, then answers normally', async () => {
      fault({ route: 'listJobs', kind: 'slow', delayMs: 400 });
      const started = Date.now();
      const res = await api(t, 'GET', '/jobs', { timeoutMs: 5_000 });
      expect(res.status).toBe(200);
      expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    });

    it('a client timeout shorter than the delay aborts the request', async () => {
      fault({ route: 'getModel', kind: 'slow', delayMs: 1_500 });
      await expect(api(t, 'GET', '/models/model_wan-2-2-i2v-a14b', { timeoutMs: 200 })).rejects.toThrow();
    });

    it('a slow submit still creates the job', async () => {
      fault({ route: 'generate', kind: 'slow', delayMs: 200 });
      const image = await uploadImage(t);
      const res = await submit(t, wanInput(image));
      expect(res.status).toBe(200);
      expect(await listJobIds()).toEqual([res.json.job.jobId]);
    });
  });

  describe('unknown-status', () => {
    it('getJob reports a status outside the 8 ("throttled" by default)', async () => {
      const { jobId } = await submitJob(t, wanInput(await uploadImage(t)));
      fault({ route: 'getJob', kind: 'unknown-status' });
      const res = await getJob(t, jobId);
      expect(res.status).toBe(200);
      expect(res.json.job.status).toBe('throttled');
      expect(JOB_STATUSES).not.toContain(res.json.job.status);
      expect(JOB_STATUSES).toContain((await getJob(t, jobId)).json.job.status);
    });

    it('listJobs reports the given unknown status', async () => {
      await submitJob(t, wanInput(await uploadImage(t)));
      fault({ route: 'listJobs', kind: 'unknown-status', statusName: 'paused' });
      const res = await api(t, 'GET', '/jobs');
      expect(res.json.jobs[0].status).toBe('paused');
    });
  });

  describe('malformed-json', () => {
    it('answers 200 with a body that is not JSON', async () => {
      fault({ route: 'getModel', kind: 'malformed-json' });
      const res = await api(t, 'GET', '/models/model_wan-2-2-i2v-a14b');
      expect(res.status).toBe(200);
      expect(res.text.length).toBeGreaterThan(0);
      expect(() => JSON.parse(res.text)).toThrow();
    });
  });

  describe('expired-url', () => {
    it('getAsset hands out a signed URL that the CDN already refuses with 403', async () => {
      const { assetId } = await videoUrl();
      fault({ route: 'getAsset', kind: 'expired-url' });
      const res = await api(t, 'GET', `/assets/${assetId}`);
      expect(res.status).toBe(200);
      expect((await fetchBytes(res.json.asset.url)).status).toBe(403);
      const fresh = await api(t, 'GET', `/assets/${assetId}`);
      expect((await fetchBytes(fresh.json.asset.url)).status).toBe(200);
    });
  });
});
