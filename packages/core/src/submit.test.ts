import { afterEach, describe, expect, it } from 'vitest';
import { ScenarioError } from './errors.js';
import { WAN_MODEL_ID } from './params.js';
import { FRAME_PNG, NO_HAZARDS, startHarness, type Harness } from './testing/fake.js';
import { jobMatchesInput } from './submit.js';
import { jsonEqual } from './json.js';
import { createScenarioClient } from './client.js';
import { HttpTransportError, type HttpPort } from './ports.js';
import type { ScenarioJob } from './jobs.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const image = async () => (await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'frame.png' })).assetId;
const paid = () => h.fake.state().submissions.filter((s) => !s.dryRun);

describe('submit: never pay twice', () => {
  it('connection lost after the job was created: finds the job among the recent ones and adopts it', async () => {
    h = await startHarness({ jobDurationMs: 30_000 });
    const params = { prompt: 'adopt me', image: await image(), seed: 42 };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'reset-after-create' }] });
    const handle = await h.client.submit({ params });
    const state = h.fake.state();
    expect(state.jobIds).toEqual([handle.jobId]);
    expect(handle.recovered).toBe(true);
    expect(paid()).toHaveLength(1);
    expect(state.requests.listJobs).toBeGreaterThanOrEqual(1);
    expect(state.hazards).toEqual(NO_HAZARDS);
    expect(h.events.find((e) => e.type === 'submitted')).toMatchObject({ jobId: handle.jobId, recovered: true });
    expect((await h.client.waitForJob(handle)).status).toBe('success');
  });

  it('an unreadable 2xx answer (malformed JSON) is ambiguous too: the created job is adopted', async () => {
    h = await startHarness({ jobDurationMs: 30_000 });
    const params = { prompt: 'half an answer', image: await image() };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'malformed-json' }] });
    const handle = await h.client.submit({ params });
    expect(h.fake.state().jobIds).toEqual([handle.jobId]);
    expect(paid()).toHaveLength(1);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it.each(['reset-after-body', 'reset-before-body'] as const)(
    'connection lost with no job to find (%s): reports submitOutcome unknown and never re-sends',
    async (kind) => {
      h = await startHarness();
      const params = { prompt: 'lost in transit', image: await image() };
      h.fake.setOptions({ faults: [{ route: 'generate', kind }] });
      const err = await h.client.submit({ params }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ScenarioError);
      expect(err).toMatchObject({ code: 'network', retryable: false, details: { submitOutcome: 'unknown' } });
      expect((err as Error).message).toMatch(/not sent again/);
      const state = h.fake.state();
      expect(state.requests.generate).toBe(1);
      expect(state.jobIds).toEqual([]);
      expect(state.hazards).toEqual(NO_HAZARDS);
      expect(h.events.some((e) => e.type === 'submitted')).toBe(false);
    },
  );

  it('a 5xx is retried only after checking that no job was made', async () => {
    h = await startHarness();
    const params = { prompt: 'try again', image: await image() };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'http-5xx', status: 502 }] });
    const handle = await h.client.submit({ params });
    const state = h.fake.state();
    expect(paid().map((s) => s.status)).toEqual([502, 200]);
    expect(state.jobIds).toEqual([handle.jobId]);
    expect(state.requests.listJobs).toBeGreaterThanOrEqual(1);
    expect(h.events.filter((e) => e.type === 'retrying')).toHaveLength(1);
    expect(state.hazards).toEqual(NO_HAZARDS);
  });

  it('a 429 before any job is retried after the server-given wait', async () => {
    h = await startHarness();
    const params = { prompt: 'slow down', image: await image() };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'rate-limit-retry-after', retryAfterSeconds: 20 }] });
    const handle = await h.client.submit({ params });
    expect(paid().map((s) => s.status)).toEqual([429, 200]);
    expect(h.fake.state().jobIds).toEqual([handle.jobId]);
    const retry = h.events.find((e) => e.type === 'retrying');
    expect(retry).toMatchObject({ cause: 'rate_limited' });
    expect(retry?.type === 'retrying' && retry.delayMs).toBeGreaterThanOrEqual(20_000);
  });

  it('a refused submit is retried a bounded number of times, then the 429 is reported', async () => {
    h = await startHarness({}, { submitRetry: { maxAttempts: 3 } });
    const params = { prompt: 'always busy', image: await image() };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'rate-limit-action-limit', actionLimit: 2, rate: 1 }] });
    const err = await h.client.submit({ params }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'rate_limited', status: 429, details: { actionLimit: 2 } });
    expect(paid()).toHaveLength(3);
    expect(h.fake.state().jobIds).toEqual([]);
  });

  it('a submit that times out waiting for the answer is ambiguous: the job is looked up, not re-sent', async () => {
    h = await startHarness({}, { submitTimeoutMs: 200 });
    const params = { prompt: 'too slow', image: await image() };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'slow', delayMs: 1500 }] });
    const handle = await h.client.submit({ params });
    expect(handle.recovered).toBe(true);
    expect(h.fake.state().jobIds).toEqual([handle.jobId]);
    expect(h.fake.state().requests.generate).toBe(1);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it('a connection that never reached the server (sent: false) is retried', async () => {
    h = await startHarness();
    const params = { prompt: 'refused connection', image: await image() };
    let refused = 0;
    const flaky: HttpPort = {
      request: async (req) => {
        if (req.method === 'POST' && req.url.includes('/generate/') && refused++ === 0) {
          throw new HttpTransportError('connect ECONNREFUSED', { sent: false });
        }
        return h.ports.http.request(req);
      },
    };
    const client = createScenarioClient({ baseUrl: h.fake.url, ports: { ...h.ports, http: flaky } });
    const handle = await client.submit({ params });
    expect(refused).toBe(2);
    expect(h.fake.state().jobIds).toEqual([handle.jobId]);
    expect(h.fake.state().requests.listJobs).toBe(0);
  });

  it('two identical submits that both lose their answer adopt two different jobs', async () => {
    h = await startHarness();
    const params = { prompt: 'twins', image: await image() };
    h.fake.setOptions({ faults: [{ route: 'generate', kind: 'reset-after-create', times: 2 }] });
    const a = await h.client.submit({ params });
    const b = await h.client.submit({ params });
    expect(a.jobId).not.toBe(b.jobId);
    expect(new Set(h.fake.state().jobIds)).toEqual(new Set([a.jobId, b.jobId]));
    // The fake counts the second submit as "identical input after an ambiguous failure": here it is
    // the caller asking for two renders, and each lost answer was resolved to its own job.
    expect(h.fake.state().hazards).toEqual({ ...NO_HAZARDS, duplicateSubmitAfterAmbiguous: 1 });
    expect(h.fake.state().submissions.filter((s) => !s.dryRun)).toHaveLength(2);
  });

  it('invalid Wan parameters are refused before any request, naming the field', async () => {
    h = await startHarness();
    const err = await h.client.submit({ params: { prompt: 'p', image: 'asset_1', numFrames: 200 } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid_input', field: 'numFrames', retryable: false });
    expect(h.fake.state().submissions).toHaveLength(0);
  });

  it('another model takes raw params, validated by the server: a 400 is not retried', async () => {
    h = await startHarness();
    const err = await h.client
      .submit({ modelId: 'model_wan-2-2-t2v', params: { prompt: 'p', numFrames: 5000 } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input', status: 400, retryable: false });
    expect(paid()).toHaveLength(1);
    const unknown = await h.client.submit({ modelId: 'model_nope', params: { prompt: 'p' } }).catch((e) => e);
    expect(unknown).toMatchObject({ code: 'invalid_input', status: 404 });
    const ok = await h.client.submit({ modelId: 'model_wan-2-2-t2v', params: { prompt: 'a text-only video' } });
    expect(ok.modelId).toBe('model_wan-2-2-t2v');
  });

  it('the accepted job id and cost are handed over in a plain JSON handle and a submitted event', async () => {
    h = await startHarness();
    const params = { prompt: 'costly', image: await image() };
    const handle = await h.client.submit({ params });
    expect(handle).toMatchObject({ modelId: WAN_MODEL_ID, input: params, baseUrl: h.fake.url });
    expect(typeof handle.creativeUnitsCost).toBe('number');
    expect(h.events).toContainEqual({ type: 'submitted', jobId: handle.jobId, cost: handle.creativeUnitsCost });
  });
});

describe('matching a lost submit to a job', () => {
  const job = (input: Record<string, unknown>, extra: Partial<ScenarioJob['metadata']> = {}): ScenarioJob => ({
    jobId: 'job_1',
    status: 'queued',
    metadata: { assetIds: [], input, ...extra },
  });
  it('matches when every sent field is equal (server defaults may be added)', () => {
    const sent = { prompt: 'p', image: 'asset_1', numFrames: 81 };
    expect(jobMatchesInput(job({ ...sent, sampleSteps: 30 }), WAN_MODEL_ID, sent)).toBe(true);
    expect(jobMatchesInput(job({ ...sent, numFrames: 82 }), WAN_MODEL_ID, sent)).toBe(false);
    expect(jobMatchesInput(job({ prompt: 'p' }), WAN_MODEL_ID, sent)).toBe(false);
    expect(jobMatchesInput(job(sent, { modelId: 'model_other' }), WAN_MODEL_ID, sent)).toBe(false);
  });
  it('compares JSON structurally', () => {
    expect(jsonEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(jsonEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
  });
});
