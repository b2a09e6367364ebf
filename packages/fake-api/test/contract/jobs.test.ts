/**
 * Jobs (docs §3): the job object, the status walk, listing, cancel, failures, and the per-team
 * concurrency ceiling (docs §5). Every test here creates paid jobs or drives the fake's clock,
 * so none runs live (the live-safe job checks are in readonly.test.ts).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  JOB_STATUSES,
  TERMINAL_STATUSES,
  api,
  driveJob,
  errorText,
  fakeState,
  getJob,
  submit,
  submitJob,
  uploadImage,
  wanInput,
  type WanInput,
} from './support.js';
import {
  FAKE_DEFAULTS,
  LIVE,
  SKIP_LIVE,
  basicAuth,
  contractTarget,
  resetTarget,
  type ContractTarget,
} from './target.js';

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t));

const isoDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const order = (s: string) => JOB_STATUSES.indexOf(s as (typeof JOB_STATUSES)[number]);

describe.skipIf(LIVE)(`GET /v1/jobs/{id} ${SKIP_LIVE.paid}`, () => {
  it('answers {job: {jobId, jobType, status, progress, statusHistory, createdAt, updatedAt, metadata, billing}}', async () => {
    const image = await uploadImage(t);
    const input = wanInput(image, { numFrames: 90, framesPerSecond: 12 });
    const { jobId, res: submitted } = await submitJob(t, input);
    const res = await getJob(t, jobId);
    expect(res.status).toBe(200);
    const job = res.json.job;
    expect(job.jobId).toBe(jobId);
    expect(job.jobType).toBe('custom');
    expect(JOB_STATUSES).toContain(job.status);
    expect(TERMINAL_STATUSES).not.toContain(job.status);
    expect(typeof job.progress).toBe('number');
    expect(job.progress).toBeGreaterThanOrEqual(0);
    expect(job.progress).toBeLessThanOrEqual(1);
    expect(Array.isArray(job.statusHistory)).toBe(true);
    for (const h of job.statusHistory) {
      expect(JOB_STATUSES).toContain(h.status);
      expect(isoDate(h.date), `statusHistory date ${h.date}`).toBe(true);
    }
    expect(isoDate(job.createdAt)).toBe(true);
    expect(isoDate(job.updatedAt)).toBe(true);
    expect(Date.parse(job.updatedAt)).toBeGreaterThanOrEqual(Date.parse(job.createdAt));
    expect(typeof job.authorId).toBe('string');
    expect(typeof job.ownerId).toBe('string');
    expect(job.metadata.input).toMatchObject(input);
    expect(Array.isArray(job.metadata.assetIds)).toBe(true);
    expect(job.metadata.error ?? null).toBeNull();
    expect(typeof job.billing?.cuCost).toBe('number');
    expect(job.billing.cuCost).toBe(submitted.json.creativeUnitsCost);
  });

  it('walks through the documented statuses to success, progress rising to 1, with assetIds', async () => {
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    const seen = await driveJob(t, jobId, { stepMs: 200, maxMs: FAKE_DEFAULTS.jobDurationMs * 3 });
    const statuses = seen.map((j) => j.status as string);
    const walk = statuses.filter((s, i) => s !== statuses[i - 1]);
    for (const s of statuses) expect(JOB_STATUSES).toContain(s);
    // Never goes back in the lifecycle.
    for (let i = 1; i < walk.length; i++)
      expect(order(walk[i]!), walk.join(' → ')).toBeGreaterThan(order(walk[i - 1]!));
    expect(walk[walk.length - 1], walk.join(' → ')).toBe('success');
    expect(walk, 'an intermediate in-progress state').toContain('in-progress');
    expect(walk.length, walk.join(' → ')).toBeGreaterThanOrEqual(3);
    // Progress never falls, and a successful job ends at 1.
    const progress = seen.map((j) => j.progress as number);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThanOrEqual(progress[i - 1]!);
    expect(progress[progress.length - 1]).toBe(1);

    const done = seen[seen.length - 1];
    expect(done.metadata.assetIds.length).toBeGreaterThan(0);
    for (const id of done.metadata.assetIds) expect(id).toMatch(/^asset_/);
    const history = (done.statusHistory as Array<{ status: string; date: string }>).map((h) => h.status);
    expect(history[history.length - 1]).toBe('success');
    for (const s of walk) expect(history, `statusHistory ${history.join(' → ')}`).toContain(s);
    const dates = (done.statusHistory as Array<{ date: string }>).map((h) => Date.parse(h.date));
    for (let i = 1; i < dates.length; i++) expect(dates[i]!).toBeGreaterThanOrEqual(dates[i - 1]!);
    expect(Date.parse(done.updatedAt)).toBeGreaterThan(Date.parse(done.createdAt));
  });

  it('is not finished before the clock moves (jobs take time)', async () => {
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    for (let i = 0; i < 3; i++) {
      const res = await getJob(t, jobId);
      expect(TERMINAL_STATUSES).not.toContain(res.json.job.status);
    }
  });

  it('the fake clock also moves over HTTP: POST /_fake/clock {advanceMs}', async () => {
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    const before = t.clock!.now();
    const res = await fetch(`${t.controlUrl}/_fake/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: FAKE_DEFAULTS.jobDurationMs * 2 }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect(t.clock!.now()).toBe(before + FAKE_DEFAULTS.jobDurationMs * 2);
    expect((await getJob(t, jobId)).json.job.status).toBe('success');
  });
});

describe.skipIf(LIVE)(`GET /v1/jobs (list) ${SKIP_LIVE.paid}`, () => {
  it('lists newest first with metadata.input; pageSize and nextPaginationToken page through', async () => {
    const image = await uploadImage(t);
    const ids: string[] = [];
    const inputs: WanInput[] = [];
    for (let i = 0; i < 3; i++) {
      const input = wanInput(image, { seed: i });
      inputs.push(input);
      ids.push((await submitJob(t, input)).jobId);
      t.clock!.advance(1_000); // distinct createdAt
    }
    const all = await api(t, 'GET', '/jobs');
    expect(all.status).toBe(200);
    expect(all.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([...ids].reverse());
    const created = all.json.jobs.map((j: { createdAt: string }) => Date.parse(j.createdAt));
    for (let i = 1; i < created.length; i++) expect(created[i]).toBeLessThanOrEqual(created[i - 1]);
    all.json.jobs.forEach((j: { metadata: { input: unknown } }, i: number) =>
      expect(j.metadata.input).toMatchObject(inputs[inputs.length - 1 - i]!),
    );

    const page1 = await api(t, 'GET', '/jobs', { query: { pageSize: 2 } });
    expect(page1.status).toBe(200);
    expect(page1.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[2], ids[1]]);
    expect(typeof page1.json.nextPaginationToken).toBe('string');
    const page2 = await api(t, 'GET', '/jobs', {
      query: { pageSize: 2, paginationToken: page1.json.nextPaginationToken },
    });
    expect(page2.status).toBe(200);
    expect(page2.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([ids[0]]);
    expect(page2.json.nextPaginationToken ?? undefined).toBeUndefined();
  });

  it('?status= filters the list', async () => {
    const image = await uploadImage(t);
    const first = (await submitJob(t, wanInput(image))).jobId;
    t.clock!.advance(FAKE_DEFAULTS.jobDurationMs * 2);
    const second = (await submitJob(t, wanInput(image))).jobId;
    const done = await api(t, 'GET', '/jobs', { query: { status: 'success' } });
    expect(done.status).toBe(200);
    expect(done.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([first]);
    const all = await api(t, 'GET', '/jobs');
    expect(all.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual([second, first]);
  });

  it('pageSize defaults to 10', async () => {
    const image = await uploadImage(t);
    t.fake!.setOptions({ teamConcurrencyLimit: 0 });
    for (let i = 0; i < 12; i++) await submitJob(t, wanInput(image, { seed: i }));
    const res = await api(t, 'GET', '/jobs');
    expect(res.json.jobs).toHaveLength(10);
    expect(typeof res.json.nextPaginationToken).toBe('string');
  });
});

describe.skipIf(LIVE)(`cancel: POST /v1/jobs/{id}/action {action: cancel} ${SKIP_LIVE.paid}`, () => {
  it('assumed (untested on Wan): a custom job answers 400 "Cannot cancel this type of job" and keeps running', async () => {
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    const res = await api(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'cancel' } });
    expect(res.status).toBe(400);
    expect(errorText(res.json)).toContain('Cannot cancel this type of job');
    const seen = await driveJob(t, jobId, { stepMs: 1_000 });
    expect(seen[seen.length - 1].status).toBe('success');
  });

  it(`on a cancelable job type answers {job} and the job ends canceled ${SKIP_LIVE.control}`, async () => {
    t.fake!.setOptions({ cancelableJobTypes: ['custom', 'inference'] });
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    t.clock!.advance(1_000);
    const res = await api(t, 'POST', `/jobs/${jobId}/action`, { body: { action: 'cancel' } });
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    expect(res.json.job?.jobId).toBe(jobId);
    // The acknowledgement is not authoritative: re-poll (docs §3, Blender).
    const seen = await driveJob(t, jobId, { stepMs: 500 });
    expect(seen[seen.length - 1].status).toBe('canceled');
  });
});

describe.skipIf(LIVE)(`scripted outcomes ${SKIP_LIVE.control}`, () => {
  it('a failed job reports status failure with metadata.error and metadata.hint', async () => {
    t.fake!.setOptions({
      outcomes: [{ outcome: 'failure', promptIncludes: 'doomed', error: 'GPU exploded', hint: 'Try a shorter video' }],
    });
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, { ...wanInput(image), prompt: 'a doomed render' });
    const seen = await driveJob(t, jobId, { stepMs: 500 });
    const job = seen[seen.length - 1];
    expect(job.status).toBe('failure');
    expect(job.metadata.error).toBe('GPU exploded');
    expect(job.metadata.hint).toBe('Try a shorter video');
    expect(job.statusHistory[job.statusHistory.length - 1].status).toBe('failure');
  });

  it('a failure without disableRefund is refundable; with it, billing.disableRefund is true', async () => {
    t.fake!.setOptions({
      outcomes: [
        { outcome: 'failure', promptIncludes: 'no-refund', disableRefund: true, times: 1 },
        { outcome: 'failure', promptIncludes: 'refund' },
      ],
    });
    const image = await uploadImage(t);
    const a = await submitJob(t, { ...wanInput(image), prompt: 'no-refund render' });
    const b = await submitJob(t, { ...wanInput(image), prompt: 'refund render' });
    const ja = (await driveJob(t, a.jobId, { stepMs: 1_000 })).at(-1);
    const jb = (await driveJob(t, b.jobId, { stepMs: 1_000 })).at(-1);
    expect(ja.status).toBe('failure');
    expect(jb.status).toBe('failure');
    expect(ja.billing.disableRefund).toBe(true);
    expect(jb.billing?.disableRefund ?? false).toBe(false);
  });

  it('a platform-canceled job ends canceled', async () => {
    t.fake!.setOptions({ outcomes: [{ outcome: 'canceled', times: 1 }] });
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    const seen = await driveJob(t, jobId, { stepMs: 500 });
    expect(seen[seen.length - 1].status).toBe('canceled');
    // `times: 1` is consumed: the next job succeeds.
    const next = await submitJob(t, wanInput(image));
    expect((await driveJob(t, next.jobId, { stepMs: 1_000 })).at(-1).status).toBe('success');
  });

  it('a job that never ends stays in-progress with its progress stuck', async () => {
    t.fake!.setOptions({ outcomes: [{ outcome: 'never' }] });
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    t.clock!.advance(FAKE_DEFAULTS.jobDurationMs * 2);
    const a = (await getJob(t, jobId)).json.job;
    t.clock!.advance(60 * 60 * 1000);
    const b = (await getJob(t, jobId)).json.job;
    expect(a.status).toBe('in-progress');
    expect(b.status).toBe('in-progress');
    expect(b.progress).toBe(a.progress);
    expect(b.progress).toBeLessThan(1);
  });

  it('durationMs overrides the job duration', async () => {
    t.fake!.setOptions({ outcomes: [{ outcome: 'success', durationMs: 60_000 }] });
    const image = await uploadImage(t);
    const { jobId } = await submitJob(t, wanInput(image));
    t.clock!.advance(FAKE_DEFAULTS.jobDurationMs * 2);
    expect((await getJob(t, jobId)).json.job.status).not.toBe('success');
    t.clock!.advance(60_000);
    expect((await getJob(t, jobId)).json.job.status).toBe('success');
  });
});

describe.skipIf(LIVE)(`per-team concurrency ceiling (429, details.actionName/actionLimit) ${SKIP_LIVE.paid}`, () => {
  it('refuses a submit over the limit with 429 and details, creating no job; room frees when jobs end', async () => {
    t.fake!.setOptions({ teamConcurrencyLimit: 2 });
    const image = await uploadImage(t);
    await submitJob(t, wanInput(image));
    await submitJob(t, wanInput(image));
    const refused = await submit(t, wanInput(image));
    expect(refused.status).toBe(429);
    expect(typeof refused.json?.details?.actionName).toBe('string');
    expect(refused.json.details.actionLimit).toBe(2);
    // "An immediate retry repeats the error".
    expect((await submit(t, wanInput(image))).status).toBe(429);
    const state = await fakeState(t);
    expect(state.jobIds).toHaveLength(2);
    // Once the jobs are done there is room again.
    t.clock!.advance(FAKE_DEFAULTS.jobDurationMs * 2);
    expect((await submit(t, wanInput(image))).status).toBe(200);
  });

  it('the limit is per team: another team is not blocked', async () => {
    const other = { apiKey: 'contract-other-key', apiSecret: 'contract-other-secret', teamId: 'team_contract_other' };
    const t2 = await contractTarget({
      teamConcurrencyLimit: 1,
      credentials: [{ apiKey: 'contract-key', apiSecret: 'contract-secret', teamId: 'team_contract' }, other],
    });
    try {
      const image = await uploadImage(t2);
      expect((await submit(t2, wanInput(image))).status).toBe(200);
      expect((await submit(t2, wanInput(image))).status).toBe(429);
      const asOther: ContractTarget = { ...t2, authHeader: () => basicAuth(other.apiKey, other.apiSecret) };
      const res = await submit(asOther, wanInput(await uploadImage(asOther)));
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      const state = t2.fake!.state();
      expect(state.submissions.map((s) => s.teamId)).toEqual(['team_contract', 'team_contract', 'team_contract_other']);
    } finally {
      await t2.close();
    }
  });
});
