import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeScenario } from './server.js';
import { call, startTestFake, submitJob, uploadImage, type TestFake } from './testing/helpers.js';

let t: TestFake;
beforeAll(async () => {
  t = await startTestFake();
});
afterAll(() => t.close());

const control = (method: string, path: string, body?: unknown) =>
  call(t, method, `${t.origin}${path}`, { auth: false, ...(body !== undefined ? { body } : {}) });

describe('the inspection API (/_fake/*, no auth)', () => {
  it('state equals state(); reset forgets everything; options merge and read back', async () => {
    const image = await uploadImage(t);
    const jobId = await submitJob(t, { prompt: 'x', image });
    const state = await control('GET', '/_fake/state');
    expect(state.json).toEqual(JSON.parse(JSON.stringify(t.fake.state())));
    expect(state.json.jobIds).toEqual([jobId]);
    expect(state.json.requests).toMatchObject({ createAsset: 1, generate: 1 });

    const opts = await control('POST', '/_fake/options', { jobDurationMs: 1234, outcomes: [{ outcome: 'never' }] });
    expect(opts.status).toBe(200);
    expect(opts.json).toMatchObject({ jobDurationMs: 1234, outcomes: [{ outcome: 'never' }] });
    expect((await control('GET', '/_fake/options')).json.jobDurationMs).toBe(1234);
    expect((await control('POST', '/_fake/options', { jobDurationMs: -1 })).status).toBe(400);
    expect((await control('POST', '/_fake/options', [1])).status).toBe(400);

    expect((await control('POST', '/_fake/reset')).status).toBe(200);
    const after = t.fake.state();
    expect(after.jobIds).toEqual([]);
    expect(Object.values(after.requests).every((n) => n === 0)).toBe(true);
    expect((await control('GET', '/_fake/options')).json).toMatchObject({ jobDurationMs: 1234, outcomes: [] });
    expect((await call(t, 'GET', `/jobs/${jobId}`)).status).toBe(404);
    // Ids keep counting across a reset: an old id never names a new job.
    const image2 = await uploadImage(t);
    expect(image2).not.toBe(image);
  });

  it('moves a manual clock: {advanceMs} or {setMs}', async () => {
    const before = t.clock.now();
    const res = await control('POST', '/_fake/clock', { advanceMs: 5_000 });
    expect(res.json).toEqual({ now: before + 5_000, manual: true });
    expect((await control('POST', '/_fake/clock', { setMs: 42 })).json.now).toBe(42);
    expect((await control('POST', '/_fake/clock', { advanceMs: -5 })).status).toBe(400);
    expect((await control('POST', '/_fake/clock', {})).status).toBe(400);
    t.clock.set(before);
  });

  it('refuses to move the real clock (409), and 404s unknown control routes', async () => {
    const real = await startFakeScenario();
    try {
      const origin = new URL(real.url).origin;
      const res = await fetch(`${origin}/_fake/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceMs: 1 }),
        signal: AbortSignal.timeout(5_000),
      });
      expect(res.status).toBe(409);
      expect((await fetch(`${origin}/_fake/nope`, { signal: AbortSignal.timeout(5_000) })).status).toBe(404);
    } finally {
      await real.close();
    }
  });
});

describe('lifecycle', () => {
  it('listens on 127.0.0.1 only, API and CDN on different ports; close() ends keep-alive connections', async () => {
    const fake = await startFakeScenario({ port: 0, cdnPort: 0 });
    const api = new URL(fake.url);
    const cdn = new URL(fake.cdnUrl);
    expect(api.hostname).toBe('127.0.0.1');
    expect(cdn.hostname).toBe('127.0.0.1');
    expect(api.pathname).toBe('/v1');
    expect(api.port).not.toBe(cdn.port);
    await fetch(`${fake.url}/jobs`, { signal: AbortSignal.timeout(5_000) }); // leaves a keep-alive socket
    const started = Date.now();
    await fake.close();
    await fake.close(); // idempotent
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('close() cuts slow answers short', async () => {
    const fake = await startFakeScenario({ faults: [{ route: 'listJobs', kind: 'slow', delayMs: 60_000 }] });
    const pending = fetch(`${fake.url}/jobs`, {
      headers: { authorization: `Basic ${Buffer.from('fake-key:fake-secret').toString('base64')}` },
      signal: AbortSignal.timeout(10_000),
    }).catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await fake.close();
    await pending;
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses bad options at start', async () => {
    await expect(startFakeScenario({ credentials: [] })).rejects.toThrow(/credential/);
    await expect(startFakeScenario({ faults: [{ route: 'getJob', kind: 'truncate' }] })).rejects.toThrow(/cdn/);
  });
});
