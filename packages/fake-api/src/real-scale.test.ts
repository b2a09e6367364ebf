// Real scales: renders of minutes with jitter, submit answers that come minutes late (with the job
// made before or after the answer), and duplicates counted by content, not by asset id.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, failure, makePng, startTestFake, submit, uploadImage, WAN, type TestFake } from './testing/helpers.js';

let t: TestFake;
beforeAll(async () => {
  t = await startTestFake({ teamConcurrencyLimit: 0 });
});
afterAll(() => t.close());
beforeEach(() => {
  t.fake.reset();
  t.fake.setOptions({ jobDurationRangeMs: null, jobDurationMs: 6_000, teamConcurrencyLimit: 0 });
});

const MIN = 2 * 60_000;
const MAX = 10 * 60_000;
/** Let the fake's handler run up to its next wait (loopback: a few turns of the event loop). */
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('jobDurationRangeMs', () => {
  it('draws each job a duration in the range, reproducibly for a seed, and the job ends then', async () => {
    const draw = async () => {
      t.fake.reset();
      t.fake.setOptions({ jobDurationRangeMs: [MIN, MAX], seed: 3 });
      const image = await uploadImage(t);
      for (let i = 0; i < 12; i++) expect((await submit(t, { prompt: `jitter ${i}`, image })).status).toBe(200);
      return t.fake.state().submissions.map((s) => s.durationMs!);
    };
    const first = await draw();
    expect(first.every((d) => d >= MIN && d <= MAX)).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(8); // jitter, not one duration
    expect(await draw()).toEqual(first);
    // The status follows the drawn duration.
    const [jobId] = t.fake.state().jobIds;
    const d = t.fake.state().submissions[0]!.durationMs!;
    t.clock.advance(d - 1);
    expect((await call(t, 'GET', `/jobs/${jobId}`)).json.job.status).toBe('finalizing');
    t.clock.advance(1);
    expect((await call(t, 'GET', `/jobs/${jobId}`)).json.job.status).toBe('success');
  });

  it('refuses a range that is not [min, max]', () => {
    expect(() => t.fake.setOptions({ jobDurationRangeMs: [5, 1] })).toThrow(/jobDurationRangeMs/);
  });
});

describe('submitAnswers: late answers on the fake clock', () => {
  it('before-answer: the job exists and runs at once; the answer leaves when the clock reaches the delay', async () => {
    const image = await uploadImage(t);
    t.fake.setOptions({ submitAnswers: [{ delayMs: 90_000, jobCreated: 'before-answer', promptIncludes: 'late' }] });
    const answer = submit(t, { prompt: 'a late answer', image });
    await settle();
    expect(t.fake.state().jobIds).toHaveLength(1);
    expect(t.fake.busy(), 'a held answer does not count as busy').toBe(0);
    expect(t.clock.nextAt()).toBe(t.clock.now() + 90_000);
    const list = await call(t, 'GET', '/jobs');
    expect(list.json.jobs.map((j: { jobId: string }) => j.jobId)).toEqual(t.fake.state().jobIds);
    t.clock.advance(90_000);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(res.json.job.jobId).toBe(t.fake.state().jobIds[0]);
    expect(res.json.job.status).not.toBe('pending'); // 90 s into a 6 s job: it is shown as it is now
    // Other submits are not held.
    expect((await submit(t, { prompt: 'on time', image })).status).toBe(200);
  });

  it('after-answer: nothing is listed until the delay ends, then the job is made (createdAt then), even if the client left', async () => {
    const image = await uploadImage(t);
    t.fake.setOptions({ submitAnswers: [{ delayMs: 5 * 60_000, jobCreated: 'after-answer', times: 1 }] });
    const start = t.clock.now();
    const err = await failure(submit(t, { prompt: 'made after the answer', image }, { timeoutMs: 100 }));
    expect(err?.name).toBe('TimeoutError');
    expect(t.fake.state().jobIds).toHaveLength(0);
    expect((await call(t, 'GET', '/jobs')).json.jobs).toEqual([]);
    t.clock.advance(5 * 60_000);
    await settle();
    const [jobId] = t.fake.state().jobIds;
    expect(jobId).toMatch(/^job_/);
    const job = (await call(t, 'GET', `/jobs/${jobId}`)).json.job;
    expect(Date.parse(job.createdAt)).toBe(start + 5 * 60_000);
    // The client gave up: its submit was ambiguous, and a resend of the same content is the hazard.
    expect(t.fake.state().submissions[0]!.status).toBe(0);
    expect((await submit(t, { prompt: 'made after the answer', image })).status).toBe(200);
    expect(t.fake.state().hazards.duplicateSubmitAfterAmbiguous).toBe(1);
    expect(t.fake.state().paidAgainByContent).toBe(1);
  });

  it('a refused submit (400, 429) answers at once, and close() releases held answers', async () => {
    const image = await uploadImage(t);
    t.fake.setOptions({ submitAnswers: [{ delayMs: 60_000 }], teamConcurrencyLimit: 1 });
    expect((await submit(t, { prompt: '', image })).status).toBe(400);
    const held = submit(t, { prompt: 'holds the slot', image });
    await settle();
    expect((await submit(t, { prompt: 'over the limit', image })).status).toBe(429);
    const other = await startTestFake({ submitAnswers: [{ delayMs: 60_000 }] });
    const otherImage = await uploadImage(other);
    const pending = failure(submit(other, { prompt: 'held at close', image: otherImage }));
    await settle();
    await other.close();
    await pending; // settles (the answer or a closed connection), never hangs
    t.clock.advance(60_000);
    expect((await held).status).toBe(200);
  });
});

describe('duplicates by content', () => {
  it('keys a submit by the image bytes, not the asset id: a re-upload of the same image is paid again', async () => {
    const a = await uploadImage(t);
    const b = await uploadImage(t); // the same bytes, a new asset id
    const c = await uploadImage(t, makePng(40, 20)); // other bytes
    expect(a).not.toBe(b);
    for (const image of [a, b, c]) expect((await submit(t, { prompt: 'same words', image, seed: 1 })).status).toBe(200);
    const keys = t.fake.state().submissions.map((s) => s.contentKey);
    expect(keys[0]).toBe(keys[1]);
    expect(keys[0]).not.toBe(keys[2]);
    expect(keys[0]).toMatch(/sha256:[0-9a-f]{64}/);
    expect(keys[0]).not.toContain(a);
    expect(t.fake.state().paidAgainByContent).toBe(1);
    // Dry runs and refusals are not paid.
    await call(t, 'POST', `/generate/custom/${WAN}?dryRun=true`, { body: { prompt: 'same words', image: a, seed: 1 } });
    expect((await submit(t, { prompt: '', image: a })).status).toBe(400);
    expect(t.fake.state().paidAgainByContent).toBe(1);
  });

  it('an ambiguous submit re-sent with a re-uploaded image is still the duplicate hazard', async () => {
    const a = await uploadImage(t);
    t.fake.setOptions({ faults: [{ route: 'generate', kind: 'reset-after-create' }] });
    await failure(submit(t, { prompt: 'lost answer', image: a }));
    const b = await uploadImage(t);
    expect((await submit(t, { prompt: 'lost answer', image: b })).status).toBe(200);
    expect(t.fake.state().hazards.duplicateSubmitAfterAmbiguous).toBe(1);
    expect(t.fake.state().paidAgainByContent).toBe(1);
  });
});
