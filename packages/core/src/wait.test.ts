import { afterEach, describe, expect, it } from 'vitest';
import type { RenderEvent } from './events.js';
import { DEFAULT_POLL_SCHEDULE } from './poll-schedule.js';
import { FRAME_PNG, NO_HAZARDS, START, startHarness, type Harness } from './testing/fake.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const statuses = (events: RenderEvent[]) =>
  events.filter((e): e is Extract<RenderEvent, { type: 'status' }> => e.type === 'status');

/** Upload an image and submit a Wan job with `prompt`. */
const submit = async (prompt = 'a cat surfing') => {
  const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'cat.png' });
  return h.client.submit({ params: { prompt, image: assetId } });
};

describe('waitForJob: statuses', () => {
  it('sees the whole lifecycle (pending → queued → warming-up → in-progress → finalizing → success), emitting only changes', async () => {
    // Long enough that every status lasts longer than the schedule's longest interval.
    h = await startHarness({ jobDurationMs: 600_000 });
    const handle = await submit();
    const job = await h.client.waitForJob(handle.jobId);
    expect(job.status).toBe('success');
    expect(job.metadata.assetIds.length).toBeGreaterThan(0);
    const seen = statuses(h.events);
    const order = [...new Set(seen.map((e) => e.status))];
    expect(order).toEqual(['pending', 'queued', 'warming-up', 'in-progress', 'finalizing', 'success']);
    // Only changes: no two consecutive events with the same status and progress.
    for (let i = 1; i < seen.length; i++) {
      expect([seen[i]!.status, seen[i]!.progress]).not.toEqual([seen[i - 1]!.status, seen[i - 1]!.progress]);
    }
    // Fewer events than polls: unchanged polls are silent.
    expect(seen.length).toBeLessThan(h.fake.state().requests.getJob);
    expect(seen.every((e) => e.jobId === handle.jobId)).toBe(true);
  });

  it('failure surfaces metadata.error and metadata.hint as job_failed naming the job', async () => {
    h = await startHarness({
      jobDurationMs: 60_000,
      outcomes: [{ outcome: 'failure', error: 'Content moderation', hint: 'Try a different prompt' }],
    });
    const handle = await submit();
    const err = await h.client.waitForJob(handle).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'job_failed',
      jobId: handle.jobId,
      reason: 'Content moderation',
      hint: 'Try a different prompt',
      retryable: false,
    });
    expect((err as Error).message).toContain(handle.jobId);
    expect(statuses(h.events).at(-1)?.status).toBe('failure');
  });

  it('canceled ends in job_canceled naming the job', async () => {
    h = await startHarness({ jobDurationMs: 60_000, outcomes: [{ outcome: 'canceled' }] });
    const handle = await submit();
    await expect(h.client.waitForJob(handle)).rejects.toMatchObject({ code: 'job_canceled', jobId: handle.jobId });
    expect(statuses(h.events).at(-1)?.status).toBe('canceled');
  });

  it('a job that never finishes ends in timed_out naming the job id, at the deadline', async () => {
    h = await startHarness({ jobDurationMs: 60_000, outcomes: [{ outcome: 'never' }] });
    const handle = await submit();
    const before = h.clock.now();
    const err = await h.client.waitForJob(handle, { timeoutMs: 20 * 60_000 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'timed_out', jobId: handle.jobId, retryable: false });
    expect((err as Error).message).toContain(handle.jobId);
    expect((err as { details: { lastStatus: string } }).details.lastStatus).toBe('in-progress');
    expect(h.clock.now() - before).toBe(20 * 60_000);
    // Bounded: a 20-minute wait on the capped schedule, not a hot loop.
    expect(h.fake.state().requests.getJob).toBeLessThan((20 * 60_000) / DEFAULT_POLL_SCHEDULE.maxMs + 30);
  });

  it('an undocumented status is tolerated for a bounded time, then reported with the job id', async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    const handle = await submit();
    h.fake.setOptions({ faults: [{ route: 'getJob', kind: 'unknown-status', rate: 1 }] });
    const before = h.clock.now();
    const err = await h.client
      .waitForJob(handle, { unknownStatusTimeoutMs: 2 * 60_000, timeoutMs: 30 * 60_000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'server', jobId: handle.jobId, details: { status: 'throttled' } });
    expect((err as Error).message).toMatch(/undocumented status "throttled"/);
    const waited = h.clock.now() - before;
    expect(waited).toBeGreaterThanOrEqual(2 * 60_000);
    expect(waited).toBeLessThan(2 * 60_000 + DEFAULT_POLL_SCHEDULE.maxMs * 1.2);
    expect(statuses(h.events).map((e) => e.status)).toContain('throttled');
  });

  it('an undocumented status that goes away is simply waited through', async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    const handle = await submit();
    h.fake.setOptions({ faults: [{ route: 'getJob', kind: 'unknown-status', times: 3 }] });
    const job = await h.client.waitForJob(handle);
    expect(job.status).toBe('success');
  });
});

describe('waitForJob: adaptive polling against the fake', () => {
  it.each([
    { durationMs: 60_000, label: '60 s' },
    { durationMs: 10 * 60_000, label: '10-minute' },
  ])(
    'a $label job takes fewer polls than a fixed 3 s loop and its end is noticed within ~3 s',
    async ({ durationMs }) => {
      h = await startHarness({ jobDurationMs: durationMs });
      const handle = await submit();
      const createdAt = Date.parse((await h.client.getJob(handle.jobId)).createdAt!);
      const pollsBefore = h.fake.state().requests.getJob;
      await h.client.waitForJob(handle);
      const polls = h.fake.state().requests.getJob - pollsBefore;
      const fixedLoopPolls = Math.ceil(durationMs / 3000) + 1;
      expect(polls).toBeLessThan(fixedLoopPolls);
      if (durationMs >= 10 * 60_000) expect(polls).toBeLessThan(fixedLoopPolls / 3);
      const late = h.clock.now() - (createdAt + durationMs);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThanOrEqual(3500);
      // The schedule's shape: quick first polls, longer ones mid-job.
      const sleeps = h.time.sleeps;
      expect(sleeps[0]).toBeLessThanOrEqual(DEFAULT_POLL_SCHEDULE.minMs * 1.1);
      if (durationMs >= 10 * 60_000) expect(Math.max(...sleeps)).toBeGreaterThan(10_000);
    },
  );
});

describe('waitForJob: the first look', () => {
  it('a job just submitted is first looked at when it is minMs old (its submit answer was the look at 0 s)', async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    const handle = await submit();
    const sleepsBefore = h.time.sleeps.length;
    const pollsBefore = h.fake.state().requests.getJob;
    await h.client.waitForJob(handle);
    const first = h.time.sleeps[sleepsBefore]!;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(DEFAULT_POLL_SCHEDULE.minMs);
    expect(h.fake.state().requests.getJob - pollsBefore).toBeGreaterThan(0);
  });

  it('a job id alone, or a job created long ago, is looked at at once', async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    const handle = await submit();
    h.clock.advance(70_000);
    const sleepsBefore = h.time.sleeps.length;
    await h.client.waitForJob(handle);
    await h.client.waitForJob(handle.jobId);
    expect(h.time.sleeps.length).toBe(sleepsBefore);
  });
});

describe('waitForJob: resumable from a plain JSON handle', () => {
  it('another client (another process) resumes waiting from the serialised handle', async () => {
    h = await startHarness({ jobDurationMs: 60_000 });
    const handle = await submit();
    const stored = JSON.parse(JSON.stringify(handle)) as typeof handle;
    expect(stored).toEqual(handle);
    expect(stored).toMatchObject({ jobId: expect.stringMatching(/^job_/), modelId: 'model_wan-2-2-i2v-a14b' });
    const { createScenarioClient } = await import('./client.js');
    const other = createScenarioClient({ baseUrl: stored.baseUrl!, ports: h.ports });
    const job = await other.waitForJob(stored);
    expect(job.jobId).toBe(handle.jobId);
    expect(job.status).toBe('success');
  });
});

describe('waitForJob: abort', () => {
  it('stops within one poll interval, names the job, and sends nothing after the abort', async () => {
    h = await startHarness({ jobDurationMs: 10 * 60_000 });
    const handle = await submit();
    const ac = new AbortController();
    let abortedAt = 0;
    let polls = 0;
    const err = await h.client
      .waitForJob(handle, {
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'status' && e.status === 'in-progress' && !ac.signal.aborted) {
            abortedAt = h.clock.now();
            polls = h.fake.state().requests.getJob;
            ac.abort();
          }
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'aborted', jobId: handle.jobId });
    expect(h.clock.now() - abortedAt).toBeLessThanOrEqual(DEFAULT_POLL_SCHEDULE.maxMs * 1.1);
    expect(h.fake.state().requests.getJob).toBe(polls);
  });

  it('with real timers: an abort mid-sleep rejects at once and leaves no sleep (timer) pending', async () => {
    const { startFakeScenario } = await import('./testing/fake.js');
    const { createNodeClient, timerSleep } = await import('./node/index.js');
    const fake = await startFakeScenario({ jobDurationMs: 60_000 }); // real clock
    try {
      let pending = 0;
      const counted = async (ms: number, signal?: AbortSignal) => {
        pending++;
        try {
          await timerSleep(ms, signal);
        } finally {
          pending--;
        }
      };
      const client = createNodeClient({
        apiKey: fake.credentials.apiKey,
        apiSecret: fake.credentials.apiSecret,
        baseUrl: fake.url,
      });
      const { assetId } = await client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' });
      const handle = await client.submit({ params: { prompt: 'real time', image: assetId } });
      const { createScenarioClient } = await import('./client.js');
      const { createHttpTransport, systemClock } = await import('./node/index.js');
      const real = createScenarioClient({
        baseUrl: fake.url,
        ports: {
          http: createHttpTransport({ baseUrl: fake.url, apiKey: 'fake-key', apiSecret: 'fake-secret' }),
          sleep: counted,
          clock: systemClock,
        },
      });
      const ac = new AbortController();
      const waiting = real.waitForJob(handle, { signal: ac.signal });
      // Abort while the first sleep (about a second) is running.
      await new Promise((r) => setTimeout(r, 200));
      expect(pending).toBe(1);
      const polls = fake.state().requests.getJob;
      ac.abort();
      await expect(waiting).rejects.toMatchObject({ code: 'aborted', jobId: handle.jobId });
      expect(pending).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(fake.state().requests.getJob).toBe(polls);
    } finally {
      await fake.close();
    }
  });

  it('an already-aborted signal rejects at once without a request', async () => {
    h = await startHarness();
    const before = h.fake.state().requests.getJob;
    await expect(h.client.waitForJob('job_x', { signal: AbortSignal.abort() })).rejects.toMatchObject({
      code: 'aborted',
      jobId: 'job_x',
    });
    expect(h.fake.state().requests.getJob).toBe(before);
  });
});

describe('GET retries', () => {
  it('retries 5xx, network resets and malformed JSON, announcing each retry, then succeeds', async () => {
    h = await startHarness({ jobDurationMs: 30_000 });
    const handle = await submit();
    h.fake.setOptions({
      faults: [
        { route: 'getJob', kind: 'http-5xx', times: 2 },
        { route: 'getJob', kind: 'reset-after-body', times: 1, after: 2 },
        { route: 'getJob', kind: 'malformed-json', times: 1, after: 3 },
      ],
    });
    const job = await h.client.waitForJob(handle);
    expect(job.status).toBe('success');
    const retries = h.events.filter((e) => e.type === 'retrying');
    expect(retries.map((e) => (e.type === 'retrying' ? e.cause : ''))).toEqual([
      'server',
      'server',
      'network',
      'server',
    ]);
    expect(retries.every((e) => e.type === 'retrying' && e.jobId === handle.jobId)).toBe(true);
    expect(h.fake.state().faultsInjected).toHaveLength(4);
  });

  it('honours Retry-After and remainingSeconds', async () => {
    h = await startHarness({ jobDurationMs: 30_000 });
    const handle = await submit();
    h.fake.setOptions({
      faults: [
        { route: 'getJob', kind: 'rate-limit-retry-after', retryAfterSeconds: 9, times: 1 },
        { route: 'getJob', kind: 'rate-limit-remaining-seconds', remainingSeconds: 13, times: 1, after: 1 },
      ],
    });
    await h.client.waitForJob(handle);
    const delays = h.events.flatMap((e) => (e.type === 'retrying' ? [e.delayMs] : []));
    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeGreaterThanOrEqual(9000);
    expect(delays[0]).toBeLessThanOrEqual(9900);
    expect(delays[1]).toBeGreaterThanOrEqual(13_000);
    expect(delays[1]).toBeLessThanOrEqual(14_300);
    expect(h.time.sleeps).toEqual(expect.arrayContaining(delays));
  });

  it('does not retry 4xx other than 429: unknown job (404) and bad credentials (401)', async () => {
    h = await startHarness();
    await expect(h.client.getJob('job_does_not_exist')).rejects.toMatchObject({
      code: 'invalid_input',
      status: 404,
      retryable: false,
    });
    expect(h.fake.state().requests.getJob).toBe(1);

    const { createScenarioClient } = await import('./client.js');
    const { createHttpTransport } = await import('./node/http-transport.js');
    const bad = createScenarioClient({
      baseUrl: h.fake.url,
      ports: {
        ...h.ports,
        http: createHttpTransport({ baseUrl: h.fake.url, apiKey: 'fake-key', apiSecret: 'wrong-secret' }),
      },
    });
    const err = await bad.getJob('job_1').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unauthorized', status: 401, retryable: false });
    expect(JSON.stringify(err)).not.toContain('wrong-secret');
    expect((err as Error).message).not.toContain('wrong-secret');
    expect(h.fake.state().unauthorized).toBe(1);
  });

  it('gives up after a bounded number of attempts and reports the error with the job id', async () => {
    h = await startHarness({ jobDurationMs: 30_000 });
    const handle = await submit();
    h.fake.setOptions({ faults: [{ route: 'getJob', kind: 'http-5xx', rate: 1 }] });
    const err = await h.client.waitForJob(handle).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'server', jobId: handle.jobId, retryable: true });
    const polls = h.fake.state().requests.getJob;
    expect(polls).toBeGreaterThan(3);
    expect(polls).toBeLessThanOrEqual(3 * 6);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
    expect(h.clock.now() - START).toBeLessThan(30 * 60_000);
  });
});
