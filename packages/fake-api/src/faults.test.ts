import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FaultEngine } from './faults.js';
import type { FaultRule } from './options.js';
import {
  call,
  failure,
  renderVideo,
  startTestFake,
  submit,
  submitJob,
  uploadImage,
  type TestFake,
} from './testing/helpers.js';

let t: TestFake;
let image: string;
beforeAll(async () => {
  t = await startTestFake();
});
afterAll(() => t.close());
beforeEach(async () => {
  t.fake.reset();
  t.fake.setOptions({ teamConcurrencyLimit: 0, videoBytes: 0, seed: 1 });
  image = await uploadImage(t);
});

const faults = (...rules: FaultRule[]) => t.fake.setOptions({ faults: rules });
const kinds = () => t.fake.state().faultsInjected.map((f) => `${f.route}:${f.kind}`);

describe('fault rules', () => {
  it('are off by default', async () => {
    for (let i = 0; i < 5; i++) expect((await call(t, 'GET', '/jobs')).status).toBe(200);
    expect(kinds()).toEqual([]);
  });

  it('times, after and id pick exactly the matching requests; faultsInjected records each', async () => {
    const a = await submitJob(t, { prompt: 'a', image });
    const b = await submitJob(t, { prompt: 'b', image });
    faults({ route: 'getJob', kind: 'http-5xx', id: a, after: 1, times: 2 });
    const got = [];
    for (let i = 0; i < 4; i++) got.push((await call(t, 'GET', `/jobs/${a}`)).status);
    expect(got).toEqual([200, 503, 503, 200]);
    expect((await call(t, 'GET', `/jobs/${b}`)).status).toBe(200);
    expect(kinds()).toEqual(['getJob:http-5xx', 'getJob:http-5xx']);
  });

  it('rate draws from the seeded generator: the same seed gives the same pattern', async () => {
    const pattern = async () => {
      t.fake.setOptions({ seed: 42, faults: [{ route: 'listJobs', kind: 'http-5xx', rate: 0.5 }] });
      const out = [];
      for (let i = 0; i < 20; i++) out.push((await call(t, 'GET', '/jobs')).status);
      return out;
    };
    const first = await pattern();
    expect(first).toContain(200);
    expect(first).toContain(503);
    expect(await pattern()).toEqual(first);
  });

  it('the first matching rule wins, one fault per request', async () => {
    faults({ route: '*', kind: 'http-5xx', status: 502 }, { route: 'listJobs', kind: 'http-5xx', status: 504 });
    expect((await call(t, 'GET', '/jobs')).status).toBe(502);
    expect((await call(t, 'GET', '/jobs')).status).toBe(504);
    expect((await call(t, 'GET', '/jobs')).status).toBe(200);
  });

  it('refused requests (401, bad signature) meet no fault', async () => {
    faults({ route: '*', kind: 'http-5xx' });
    expect((await call(t, 'GET', '/jobs', { auth: false })).status).toBe(401);
    expect(kinds()).toEqual([]);
  });

  it('rules that can never fire are refused loudly, in process and over HTTP', async () => {
    expect(() => faults({ route: 'getJob', kind: 'truncate' })).toThrow(/only cdn/);
    expect(() => faults({ route: 'getJob', kind: 'reset-after-create' })).toThrow(/only generate/);
    expect(() => faults({ route: 'nope' as 'cdn', kind: 'slow' })).toThrow(/route/);
    expect(() => faults({ route: 'cdn', kind: 'boom' as 'slow' })).toThrow(/kind/);
    expect(() => faults({ route: 'cdn', kind: 'slow', rate: 2 })).toThrow(/rate/);
    const res = await call(t, 'POST', `${t.origin}/_fake/options`, {
      auth: false,
      body: { faults: [{ route: 'cdn', kind: 'malformed-json' }] },
    });
    expect(res.status).toBe(400);
    expect(res.json.reason).toMatch(/does not apply/);
  });

  it('`*` narrows route-specific kinds to their routes', () => {
    const e = new FaultEngine(1);
    e.configure([{ route: '*', kind: 'truncate', times: 5 }]);
    expect(e.pick('getJob', undefined)).toBeUndefined();
    expect(e.pick('cdn', 'asset_x')?.kind).toBe('truncate');
  });
});

describe('every fault kind', () => {
  it('http-5xx: {reason, trace_id}, nothing happens server-side', async () => {
    faults({ route: 'generate', kind: 'http-5xx' });
    const res = await submit(t, { prompt: 'x', image });
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ reason: expect.any(String), trace_id: expect.any(String) });
    expect(t.fake.state().jobIds).toEqual([]);
    expect(t.fake.state().submissions[0]).toMatchObject({ status: 503 });
  });

  it('rate-limit-retry-after / remaining-seconds / action-limit', async () => {
    faults(
      { route: 'getJob', kind: 'rate-limit-retry-after', retryAfterSeconds: 4 },
      { route: 'listJobs', kind: 'rate-limit-remaining-seconds', remainingSeconds: 9 },
      { route: 'generate', kind: 'rate-limit-action-limit', actionLimit: 3 },
    );
    const a = await call(t, 'GET', '/jobs/job_x');
    expect(a.status).toBe(429);
    expect(a.headers.get('retry-after')).toBe('4');
    const b = await call(t, 'GET', '/jobs');
    expect(b.status).toBe(429);
    expect(b.json.remainingSeconds).toBe(9);
    const c = await submit(t, { prompt: 'x', image });
    expect(c.status).toBe(429);
    expect(c.json.details).toEqual({ actionName: 'parallelInferences', actionLimit: 3 });
    expect(t.fake.state().jobIds).toEqual([]);
    // Without actionLimit the team's limit is reported, and never 0 (here there is no limit).
    faults({ route: 'generate', kind: 'rate-limit-action-limit' });
    expect((await submit(t, { prompt: 'x', image })).json.details.actionLimit).toBe(1);
  });

  it('reset-before-body and reset-after-body: the fetch fails, nothing is created', async () => {
    for (const kind of ['reset-before-body', 'reset-after-body'] as const) {
      faults({ route: 'generate', kind });
      const err = await failure(submit(t, { prompt: kind, image }));
      expect(err, kind).toBeInstanceOf(Error);
      expect(err!.name).not.toBe('TimeoutError');
    }
    const s = t.fake.state();
    expect(s.jobIds).toEqual([]);
    // Only the request whose body was read is a recorded submission.
    expect(s.submissions.map((x) => [x.input.prompt, x.status])).toEqual([['reset-after-body', 0]]);
  });

  it('reset-after-create: the fetch fails, but the job exists and runs', async () => {
    faults({ route: 'generate', kind: 'reset-after-create' });
    expect(await failure(submit(t, { prompt: 'x', image }))).toBeInstanceOf(Error);
    const s = t.fake.state();
    expect(s.jobIds).toHaveLength(1);
    expect(s.submissions[0]).toMatchObject({ status: 0, jobId: s.jobIds[0] });
    t.clock.advance(60_000);
    expect((await call(t, 'GET', `/jobs/${s.jobIds[0]}`)).json.job.status).toBe('success');
  });

  it('truncate: full Content-Length announced, part sent, connection dropped (also on a Range)', async () => {
    t.fake.setOptions({ videoBytes: 200_000 });
    const { url } = await renderVideo(t, { prompt: 'x', image });
    faults({ route: 'cdn', kind: 'truncate', truncateFraction: 0.3, times: 2 });
    for (const headers of [{}, { range: 'bytes=1000-' }] as Array<Record<string, string>>) {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(5_000) });
      const announced = Number(res.headers.get('content-length'));
      let got = 0;
      const err = await failure(
        (async () => {
          for await (const c of res.body!) got += c.length;
        })(),
      );
      expect(err).toBeInstanceOf(Error);
      expect(got).toBe(Math.floor(announced * 0.3));
    }
    expect((await fetch(url, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
  });

  it('slow: the answer comes after delayMs; a client that gives up first gets nothing', async () => {
    faults({ route: 'listJobs', kind: 'slow', delayMs: 300 });
    const started = Date.now();
    expect((await call(t, 'GET', '/jobs')).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    faults({ route: 'cdn', kind: 'slow', delayMs: 2_000 });
    const { url } = await renderVideo(t, { prompt: 'x', image });
    const err = await failure(fetch(url, { signal: AbortSignal.timeout(100) }));
    expect(err?.name).toBe('TimeoutError');
  });

  it('unknown-status: getJob and listJobs report a status outside the 8, once', async () => {
    const jobId = await submitJob(t, { prompt: 'x', image });
    faults(
      { route: 'getJob', kind: 'unknown-status' },
      { route: 'listJobs', kind: 'unknown-status', statusName: 'paused' },
    );
    expect((await call(t, 'GET', `/jobs/${jobId}`)).json.job.status).toBe('throttled');
    expect((await call(t, 'GET', '/jobs')).json.jobs[0].status).toBe('paused');
    expect((await call(t, 'GET', `/jobs/${jobId}`)).json.job.status).toBe('pending');
  });

  it('malformed-json: a 200 whose body does not parse; the route did its work', async () => {
    faults({ route: 'generate', kind: 'malformed-json' });
    const res = await submit(t, { prompt: 'x', image });
    expect(res.status).toBe(200);
    expect(res.json).toBeUndefined();
    expect(res.text.startsWith('{"job"')).toBe(true);
    expect(t.fake.state().jobIds).toHaveLength(1);
  });

  it('expired-url: getAsset hands out a URL the CDN already refuses', async () => {
    const { assetId } = await renderVideo(t, { prompt: 'x', image });
    faults({ route: 'getAsset', kind: 'expired-url', id: assetId });
    const url = (await call(t, 'GET', `/assets/${assetId}`)).json.asset.url;
    expect((await fetch(url, { signal: AbortSignal.timeout(5_000) })).status).toBe(403);
  });

  it('storage: 5xx and resets on part PUTs', async () => {
    const up = await call(t, 'POST', '/uploads', {
      body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', fileSize: 70, parts: 1 },
    });
    const url = up.json.upload.parts[0].url;
    faults({ route: 'putPart', kind: 'http-5xx' }, { route: 'putPart', kind: 'reset-after-body' });
    expect((await call(t, 'PUT', url, { raw: 'x', auth: false })).status).toBe(503);
    expect(await failure(call(t, 'PUT', url, { raw: 'x', auth: false }))).toBeInstanceOf(Error);
    expect((await call(t, 'PUT', url, { raw: 'x', auth: false })).status).toBe(200);
  });
});
