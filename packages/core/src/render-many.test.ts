import { afterEach, describe, expect, it } from 'vitest';
import type { RenderEvent } from './events.js';
import { FRAME_PNG, NO_HAZARDS, startHarness, type Harness } from './testing/fake.js';
import { createMemorySink } from './testing/memory.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const items = (n: number, prompt = (i: number) => `video ${i}`) =>
  Array.from({ length: n }, (_, i) => ({
    prompt: prompt(i),
    image: { bytes: FRAME_PNG, fileName: `f${i}.png` },
    name: `clip-${i}`,
  }));

describe('renderMany', () => {
  it('renders every item, in input order, with at most `concurrency` in flight', async () => {
    h = await startHarness({ jobDurationMs: 60_000, teamConcurrencyLimit: 0 });
    let active = 0;
    let peak = 0;
    const results = await h.client.renderMany(items(5), {
      concurrency: 2,
      sink: createMemorySink(),
      onEvent: (e) => {
        if (e.type === 'validated') peak = Math.max(peak, ++active);
        if (e.type === 'completed' || e.type === 'failed') active--;
      },
    });
    expect(results.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value.files[0]?.file : ''))).toEqual(
      [0, 1, 2, 3, 4].map((i) => `memory:clip-${i}.mp4`),
    );
    expect(peak).toBe(2);
  });

  it("drops to the team's ceiling when it answers 429 (actionLimit), and keeps it for the rest of the batch", async () => {
    h = await startHarness({ jobDurationMs: 60_000, teamConcurrencyLimit: 2 });
    const limits: number[] = [];
    const perItem = new Map<number, RenderEvent[]>();
    const results = await h.client.renderMany(items(10), {
      concurrency: 5,
      onLimitChange: (n) => limits.push(n),
      onEvent: (e, i) => perItem.set(i, [...(perItem.get(i) ?? []), e]),
    });
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    const state = h.fake.state();
    const paid = state.submissions.filter((s) => !s.dryRun);
    const refused = paid.filter((s) => s.status === 429);
    expect(state.jobIds).toHaveLength(10);
    expect(paid.filter((s) => s.status === 200)).toHaveLength(10);
    // It dropped to the ceiling at once (no hammering) and never probed past it again.
    expect(limits.length).toBeGreaterThan(0);
    expect(Math.max(...limits)).toBeLessThanOrEqual(2);
    expect(limits.at(-1)).toBe(2);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThan(10);
    expect(state.hazards).toEqual(NO_HAZARDS);
    // The refused items waited and re-submitted: each item has exactly one job.
    for (const events of perItem.values()) {
      expect(events.filter((e) => e.type === 'submitted')).toHaveLength(1);
    }
  });

  it('a render refused at the ceiling re-submits as soon as one of ours ends, without the backoff', async () => {
    h = await startHarness({ jobDurationMs: 60_000, teamConcurrencyLimit: 2 });
    const retries: Array<{ delayMs: number; at: number }> = [];
    const results = await h.client.renderMany(items(4), {
      concurrency: 4,
      onEvent: (e) => {
        if (e.type === 'retrying' && e.cause === 'rate_limited')
          retries.push({ delayMs: e.delayMs, at: h.clock.now() });
      },
    });
    expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
    expect(retries.length).toBeGreaterThan(0);
    // Every refused render waited for one of ours to end, then went at once (no idle team slot).
    expect(retries.every((r) => r.delayMs === 0)).toBe(true);
    const state = h.fake.state();
    expect(state.submissions.filter((s) => !s.dryRun && s.status === 200)).toHaveLength(4);
    expect(state.hazards).toEqual(NO_HAZARDS);
  });

  it('without a job of ours to wait for (others fill the team), a refused render backs off', async () => {
    h = await startHarness({ jobDurationMs: 60_000, teamConcurrencyLimit: 1 });
    // Someone else's job holds the team's only place for its 60 s.
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'other.png' });
    await h.client.submit({ params: { prompt: 'another pipeline', image: assetId } });
    const delays: number[] = [];
    const results = await h.client.renderMany(items(1), {
      concurrency: 2,
      onEvent: (e) => {
        if (e.type === 'retrying' && e.cause === 'rate_limited') delays.push(e.delayMs);
      },
    });
    expect(results[0]!.status).toBe('fulfilled');
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((d) => d > 0)).toBe(true);
  });

  it("one item's failure never stops the others, and names its job", async () => {
    h = await startHarness({
      jobDurationMs: 30_000,
      outcomes: [{ outcome: 'failure', promptIncludes: 'bad', error: 'Moderated' }],
    });
    const results = await h.client.renderMany(
      [
        ...items(2),
        { prompt: 'bad apple', image: { bytes: FRAME_PNG, fileName: 'b.png' } },
        { prompt: 'p', image: { assetId: '' } },
        ...items(2, (i) => `later ${i}`),
      ],
      { concurrency: 3 },
    );
    expect(results.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    const failed = results[2]!;
    expect(failed.status === 'rejected' && failed.error).toMatchObject({
      code: 'job_failed',
      reason: 'Moderated',
      jobId: expect.stringMatching(/^job_/),
    });
    const invalid = results[3]!;
    expect(invalid.status === 'rejected' && invalid.error).toMatchObject({ code: 'invalid_input' });
  });

  it('an abort stops every item; the ones already submitted name their job', async () => {
    h = await startHarness({ jobDurationMs: 10 * 60_000, teamConcurrencyLimit: 0 });
    const ac = new AbortController();
    let submitted = 0;
    const results = await h.client.renderMany(items(4), {
      concurrency: 2,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'submitted' && ++submitted === 2) ac.abort();
      },
    });
    expect(results.every((r) => r.status === 'rejected' && r.error.code === 'aborted')).toBe(true);
    const withJob = results.filter((r) => r.status === 'rejected' && r.error.jobId !== undefined);
    expect(withJob).toHaveLength(2);
    expect(h.fake.state().jobIds).toHaveLength(2);
  });
});
