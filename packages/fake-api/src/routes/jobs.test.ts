import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../app.js';
import { basic, call, startTestFake, submitJob, uploadImage, type TestFake } from '../testing/helpers.js';

let t: TestFake;
let image: string;
const OTHER = { apiKey: 'other-key', apiSecret: 'other-secret', teamId: 'team_other' };
const D = 10_000;

beforeAll(async () => {
  t = await startTestFake({ credentials: [DEFAULTS.credentials[0]!, OTHER] });
});
afterAll(() => t.close());
beforeEach(async () => {
  t.fake.reset();
  t.fake.setOptions({ jobDurationMs: D, teamConcurrencyLimit: 0, cancelableJobTypes: ['inference'] });
  image = await uploadImage(t);
});

/** Poll the job every `stepMs` of fake time and collect the distinct statuses seen. */
async function drive(jobId: string, stepMs = 250, maxMs = 5 * D) {
  const statuses: string[] = [];
  const progress: number[] = [];
  let job;
  for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
    job = (await call(t, 'GET', `/jobs/${jobId}`)).json.job;
    if (statuses.at(-1) !== job.status) statuses.push(job.status);
    progress.push(job.progress);
    if (['success', 'failure', 'canceled'].includes(job.status)) break;
    t.clock.advance(stepMs);
  }
  return { statuses, progress, job };
}

describe('the manual clock drives jobs through all 8 statuses', () => {
  it('success: pending → queued → warming-up → in-progress → finalizing → success, progress 0 → 1', async () => {
    const jobId = await submitJob(t, { prompt: 'x', image });
    const { statuses, progress, job } = await drive(jobId);
    expect(statuses).toEqual(['pending', 'queued', 'warming-up', 'in-progress', 'finalizing', 'success']);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(1);
    expect(job.statusHistory.map((h: { status: string }) => h.status)).toEqual(statuses);
    expect(job.metadata.assetIds).toHaveLength(1);
    expect(job.metadata.assetIds[0]).toMatch(/^asset_/);
    expect(Date.parse(job.updatedAt) - Date.parse(job.createdAt)).toBe(D);
    // The output exists once the job succeeded, as a video/mp4 asset with a size.
    const asset = (await call(t, 'GET', `/assets/${job.metadata.assetIds[0]}`)).json.asset;
    expect(asset).toMatchObject({ kind: 'video', mimeType: 'video/mp4', metadata: { jobId } });
    expect(asset.properties.size).toBeGreaterThan(0);
  });

  it('failure (scripted): metadata.error + hint, billing kept, no assets', async () => {
    t.fake.setOptions({ outcomes: [{ outcome: 'failure', promptIncludes: 'doomed', hint: 'Use a sharper image' }] });
    const jobId = await submitJob(t, { prompt: 'a doomed render', image });
    const { statuses, job } = await drive(jobId);
    expect(statuses).toEqual(['pending', 'queued', 'warming-up', 'in-progress', 'failure']);
    expect(job.metadata.error).toMatch(/failed/);
    expect(job.metadata.hint).toBe('Use a sharper image');
    expect(job.metadata.assetIds).toEqual([]);
    expect(job.billing).toMatchObject({ cuCost: 7.25, disableRefund: false });
    // A job for another prompt is not affected.
    expect((await drive(await submitJob(t, { prompt: 'fine', image }))).job.status).toBe('success');
  });

  it('canceled by the platform (scripted), consumed per `times`', async () => {
    t.fake.setOptions({ outcomes: [{ outcome: 'canceled', times: 1 }] });
    expect((await drive(await submitJob(t, { prompt: 'x', image }))).statuses.at(-1)).toBe('canceled');
    expect((await drive(await submitJob(t, { prompt: 'x', image }))).statuses.at(-1)).toBe('success');
  });

  it('canceled by the client when the job type is cancelable; the output never appears', async () => {
    t.fake.setOptions({ cancelableJobTypes: ['custom'] });
    const jobId = await submitJob(t, { prompt: 'x', image });
    t.clock.advance(D / 2);
    const res = await call(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'cancel' } });
    expect(res.status).toBe(200);
    expect(res.json.job.status).toBe('canceled');
    t.clock.advance(D);
    const job = (await call(t, 'GET', `/jobs/${jobId}`)).json.job;
    expect(job.status).toBe('canceled');
    expect(job.metadata.assetIds).toEqual([]);
    const again = await call(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'cancel' } });
    expect(again.status).toBe(400);
  });

  it('never: stays in-progress, progress stuck', async () => {
    t.fake.setOptions({ outcomes: [{ outcome: 'never' }] });
    const jobId = await submitJob(t, { prompt: 'x', image });
    const { statuses } = await drive(jobId, 500, 3 * D);
    expect(statuses).toEqual(['pending', 'queued', 'warming-up', 'in-progress']);
    const a = (await call(t, 'GET', `/jobs/${jobId}`)).json.job;
    t.clock.advance(1000 * D);
    const b = (await call(t, 'GET', `/jobs/${jobId}`)).json.job;
    expect(b).toMatchObject({ status: 'in-progress', progress: a.progress });
  });

  it('a job keeps the duration it was submitted with', async () => {
    const jobId = await submitJob(t, { prompt: 'x', image });
    t.fake.setOptions({ jobDurationMs: 100 * D });
    t.clock.advance(D);
    expect((await call(t, 'GET', `/jobs/${jobId}`)).json.job.status).toBe('success');
  });
});

describe('cancel on custom jobs', () => {
  it('answers 400 "Cannot cancel this type of job" and the job runs on', async () => {
    const jobId = await submitJob(t, { prompt: 'x', image });
    const res = await call(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'cancel' } });
    expect(res.status).toBe(400);
    expect(res.json.reason).toBe('Cannot cancel this type of job');
    expect((await drive(jobId)).job.status).toBe('success');
    expect((await call(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'pause' } })).status).toBe(400);
  });
});

describe('GET /v1/jobs', () => {
  it('lists newest first with metadata.input, pages with tokens, filters by status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await submitJob(t, { prompt: `p${i}`, image, seed: i }));
      t.clock.advance(D / 4);
    }
    const seen: string[] = [];
    let token: string | undefined;
    for (let page = 0; page < 10; page++) {
      const res = await call(t, 'GET', `/jobs?pageSize=2${token ? `&paginationToken=${token}` : ''}`);
      expect(res.status).toBe(200);
      for (const j of res.json.jobs) {
        seen.push(j.jobId);
        expect(j.metadata.input.prompt).toBe(`p${ids.indexOf(j.jobId)}`);
      }
      token = res.json.nextPaginationToken;
      if (!token) break;
    }
    expect(seen).toEqual([...ids].reverse());
    // By now the first jobs are done and the last ones are not.
    const done = (await call(t, 'GET', '/jobs?status=success&pageSize=200')).json.jobs;
    expect(done.length).toBeGreaterThan(0);
    expect(done.length).toBeLessThan(5);
    for (const j of done) expect(j.status).toBe('success');
    expect((await call(t, 'GET', '/jobs?type=custom')).json.jobs).toHaveLength(5);
    expect((await call(t, 'GET', '/jobs?type=inference')).json.jobs).toHaveLength(0);
  });

  it('a new job does not shift the next page', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await submitJob(t, { prompt: `p${i}`, image }));
    const p1 = await call(t, 'GET', '/jobs?pageSize=2');
    await submitJob(t, { prompt: 'late', image });
    const p2 = await call(t, 'GET', `/jobs?pageSize=2&paginationToken=${p1.json.nextPaginationToken}`);
    expect(p2.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[0]]);
  });

  it('refuses a bad pageSize, status or token with 400', async () => {
    for (const q of ['pageSize=0', 'pageSize=201', 'pageSize=abc', 'status=done', 'paginationToken=%%%']) {
      const res = await call(t, 'GET', `/jobs?${q}`);
      expect(res.status, q).toBe(400);
    }
  });
});

describe('teams', () => {
  it('another team’s job is 404, and is not listed', async () => {
    const jobId = await submitJob(t, { prompt: 'x', image });
    const other = basic(OTHER.apiKey, OTHER.apiSecret);
    expect((await call(t, 'GET', `/jobs/${jobId}`, { auth: other })).status).toBe(404);
    expect((await call(t, 'POST', `/jobs/${jobId}/action`, { auth: other, body: { action: 'cancel' } })).status).toBe(
      404,
    );
    expect((await call(t, 'GET', '/jobs', { auth: other })).json.jobs).toEqual([]);
    t.clock.advance(D);
    const assetId = (await call(t, 'GET', `/jobs/${jobId}`)).json.job.metadata.assetIds[0];
    expect((await call(t, 'GET', `/assets/${assetId}`, { auth: other })).status).toBe(404);
  });
});
