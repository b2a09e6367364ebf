// The real-scale profile (issue 14), in process: renders of 2–10 minutes with jitter, team limit 1
// and 3, 20 videos, on the core (renderMany), the batch renderer (renderBatch, behind the CLI and
// the Action) and the n8n node (execute()), on one discrete-event virtual time (scale-rig.ts).
// Then submit answers that come 0 s, 30 s, 90 s and 5 min late, with the job made before or after
// the answer (and a re-run of the same command where there is one), and a stop, a prompt edit and
// a re-run. The spawned CLI and Action bundle are in real-scale-processes.test.ts; issue 14's five
// failures, one test each, in real-scale-failures.test.ts.
//
// Each run checks, from the fake's side and from what the user gets (scale-profile.ts):
// - every video is delivered (the bytes of the job it is reported for: checkVideo) or reported
//   with its job id;
// - nothing was paid twice by content (the fake keys submits by image bytes, not asset ids);
// - requests per video stay within REQUESTS_PER_VIDEO, submit POSTs within SUBMITS_PER_VIDEO;
// - on the runs without late answers: wall time ÷ ideal ≤ 1.10 at the team limit, where ideal is
//   the same jobs' durations packed greedily on `limit` slots with no overhead and wall runs from
//   the first submit to the last download, on the fake's clock.
// The figures are printed per run and recorded for the suite's summary.
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { renderBatch } from '../../action/src/batch/render.js';
import { imageItem, runNode } from '../../nodes/test/harness.js';
import { createMemorySink } from '../../packages/core/src/testing/memory.js';
import {
  ITEMS,
  LATE,
  LIMITS,
  TIMEOUT_MINUTES,
  images,
  jobFor,
  judgeManifest,
  judgeVideo,
  latePrompts,
  outcome,
  promptsFor,
  recordProfile,
  report,
  type Outcome,
} from './scale-profile.js';
import { MIN, startEventRig, writePrompts, type EventRig, type ManifestVideo } from './scale-rig.js';
import { API_KEY, API_SECRET, keep, makeRepo } from './support.js';

const time = vi.hoisted(() => ({
  sleep: undefined as undefined | ((ms: number, signal?: AbortSignal) => Promise<void>),
  now: undefined as undefined | (() => number),
}));
// The n8n node's sleep and clock (its transport/time module) on the rig's virtual time.
vi.mock('../../nodes/nodes/ScenarioVideo/transport/time.ts', () => ({
  n8nSleep: (ms: number, signal?: AbortSignal) => time.sleep!(ms, signal),
  systemClock: { now: () => time.now!() },
}));

afterAll(() => recordProfile('real-scale'));

let eventRig: EventRig | undefined;
afterEach(async () => {
  await eventRig?.close();
  eventRig = undefined;
});

// ---- the faces ----

async function coreRun(rig: EventRig, prompts: string[]): Promise<Outcome> {
  const { cells, gradient } = await images();
  const sink = createMemorySink();
  const settled = await rig.client.renderMany(
    prompts.map((prompt, i) => ({
      prompt,
      image: { bytes: i % 2 === 0 ? cells : gradient, fileName: i % 2 === 0 ? 'cells.png' : 'gradient.png' },
      resolution: '480p' as const,
    })),
    { sink, timeoutMs: TIMEOUT_MINUTES * MIN },
  );
  const o = outcome();
  for (const s of settled) {
    const prompt = prompts[s.index]!;
    if (s.status === 'fulfilled') {
      const file = s.value.files[0]?.file;
      const out = sink.committed().find((x) => `memory:${x.name}` === file);
      if (out === undefined) o.lost.push(`${prompt}: no output`);
      else judgeVideo(rig.fake, o, prompt, { bytes: out.bytes(), jobId: s.value.jobId });
    } else {
      keep('real-scale.core.error', String(s.error));
      judgeVideo(rig.fake, o, prompt, { jobId: s.error.jobId, message: s.error.message });
    }
  }
  return o;
}

async function batchRun(rig: EventRig, repo: string, prompts: string[], signal?: AbortSignal) {
  const events: unknown[] = [];
  const result = await renderBatch({
    root: repo,
    outDir: 'out',
    client: rig.client,
    timeoutMs: TIMEOUT_MINUTES * MIN,
    now: () => rig.time.clock.now(),
    onEvent: (e) => events.push(e),
    ...(signal !== undefined ? { signal } : {}),
  });
  keep('real-scale.batch.events', JSON.stringify(events));
  return { result, o: await judgeManifest(rig.fake, repo, result.manifest.videos as ManifestVideo[], prompts) };
}

async function n8nRun(rig: EventRig, prompts: string[]): Promise<Outcome> {
  time.sleep = rig.time.sleep;
  time.now = () => rig.time.clock.now();
  const items = await Promise.all(prompts.map(() => imageItem()));
  const run = await runNode({
    parameters: {
      resource: 'video',
      operation: 'generate',
      prompt: (item: number) => prompts[item],
      resolution: '480p',
      options: { waitTimeoutMinutes: TIMEOUT_MINUTES },
    },
    items,
    credentials: { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: rig.fake.url },
    continueOnFail: true,
    // The node's 60 s request timeout on the same virtual time as the answers the fake holds.
    timers: rig.time.timers,
  });
  keep('real-scale.n8n.output', JSON.stringify(run.output));
  const o = outcome();
  for (const [index, item] of run.output.entries()) {
    const prompt = prompts[index]!;
    const json = item.json as { jobId?: string; error?: string };
    if (json.error === undefined && item.binary?.data?.id !== undefined) {
      const stored = run.binaries.get(item.binary.data.id)!;
      judgeVideo(rig.fake, o, prompt, { bytes: stored.bytes, jobId: json.jobId! });
    } else judgeVideo(rig.fake, o, prompt, { jobId: json.jobId ?? null, message: json.error ?? 'no video' });
  }
  return o;
}

describe.each(LIMITS)('real scale, team limit %i: 20 videos of 2–10 minutes', (limit) => {
  it('core: renderMany', async () => {
    eventRig = await startEventRig({ teamConcurrencyLimit: limit });
    const prompts = promptsFor('core', limit);
    report('core', eventRig.fake, limit, ITEMS, await coreRun(eventRig, prompts), true);
  });

  it('batch renderer: renderBatch', async () => {
    eventRig = await startEventRig({ teamConcurrencyLimit: limit });
    const prompts = promptsFor('batch', limit);
    const repo = await makeRepo(`scale-batch-${limit}`);
    await writePrompts(repo, prompts);
    const { o } = await batchRun(eventRig, repo, prompts);
    report('batch', eventRig.fake, limit, ITEMS, o, true);
  });

  it('n8n node: Video → Generate, 20 items', async () => {
    eventRig = await startEventRig({ teamConcurrencyLimit: limit });
    const prompts = promptsFor('n8n', limit);
    report('n8n', eventRig.fake, limit, ITEMS, await n8nRun(eventRig, prompts), true);
  });
});

// ---- late submit answers ----

describe('late submit answers (0 s, 30 s, 90 s, 5 min; job made before or after the answer), team limit 3', () => {
  const late = { teamConcurrencyLimit: 3, submitAnswers: LATE };

  it('core: every video delivered or reported with its job id, nothing paid twice', async () => {
    eventRig = await startEventRig(late);
    const prompts = latePrompts('core');
    report('core, late answers', eventRig.fake, 3, prompts.length, await coreRun(eventRig, prompts), false);
  });

  it('batch renderer: the same, and a re-run delivers every video without paying again', async () => {
    eventRig = await startEventRig(late);
    const prompts = latePrompts('batch');
    const repo = await makeRepo('scale-batch-late');
    await writePrompts(repo, prompts);
    const first = await batchRun(eventRig, repo, prompts);
    report('batch, late answers', eventRig.fake, 3, prompts.length, first.o, false);
    // The jobs made after their answer exist by now; the next run of the same command adopts them.
    await eventRig.time.sleep(10 * MIN);
    const again = await batchRun(eventRig, repo, prompts);
    const f = report('batch, late answers, re-run', eventRig.fake, 3, prompts.length, again.o, false);
    expect(f.delivered).toBe(prompts.length);
  });

  it('n8n node: every item delivered or reported with its job id, nothing paid twice', async () => {
    eventRig = await startEventRig(late);
    const prompts = latePrompts('n8n');
    report('n8n, late answers', eventRig.fake, 3, prompts.length, await n8nRun(eventRig, prompts), false);
  });
  it('n8n node, Video → Submit: every item returns the job made for it (found again when its answer was lost), paid once', async () => {
    eventRig = await startEventRig(late);
    const prompts = latePrompts('n8n-submit');
    time.sleep = eventRig.time.sleep;
    time.now = () => eventRig!.time.clock.now();
    const run = await runNode({
      parameters: {
        resource: 'video',
        operation: 'submit',
        prompt: (item: number) => prompts[item],
        resolution: '480p',
      },
      items: await Promise.all(prompts.map(() => imageItem())),
      credentials: { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: eventRig.fake.url },
      continueOnFail: true,
      timers: eventRig.time.timers,
    });
    keep('real-scale.n8n-submit.output', JSON.stringify(run.output));
    const state = eventRig.fake.state();
    // Each item names a job made from its own prompt; no prompt was paid for twice.
    for (const [index, item] of run.output.entries()) {
      const json = item.json as { jobId?: string; error?: string };
      expect(json.error, prompts[index]).toBeUndefined();
      const made = state.submissions.find((x) => x.jobId === json.jobId);
      expect(made?.input.prompt, prompts[index]).toBe(prompts[index]);
    }
    expect(state.jobIds).toHaveLength(prompts.length);
    expect(state.paidAgainByContent).toBe(0);
  });
});

// ---- a cancel, a prompt edit and a re-run ----

describe('a cancel, a prompt edit and a re-run, team limit 3', () => {
  const CANCEL_ITEMS = 6;
  const cancelPrompts = (face: string) =>
    Array.from({ length: CANCEL_ITEMS }, (_, i) => `real scale ${face} cancel video ${i}`);

  it('core: a stopped renderMany names the job of every video it had submitted; the others were never paid', async () => {
    eventRig = await startEventRig({ teamConcurrencyLimit: 3 });
    const prompts = cancelPrompts('core');
    const { cells } = await images();
    const ac = new AbortController();
    let submitted = 0;
    const settled = await eventRig.client.renderMany(
      prompts.map((prompt) => ({
        prompt,
        image: { bytes: cells, fileName: 'cells.png' },
        resolution: '480p' as const,
      })),
      {
        sink: createMemorySink(),
        signal: ac.signal,
        timeoutMs: TIMEOUT_MINUTES * MIN,
        onEvent: (e) => {
          if (e.type === 'submitted' && ++submitted === 3) ac.abort(new Error('stopped by the user'));
        },
      },
    );
    const fake = eventRig.fake;
    const o = outcome();
    for (const s of settled) {
      const prompt = prompts[s.index]!;
      expect(s.status, prompt).toBe('rejected');
      if (s.status !== 'rejected') continue;
      const job = jobFor(fake, prompt);
      if (job === undefined) continue; // never submitted: nothing to name, nothing paid
      judgeVideo(fake, o, prompt, { jobId: s.error.jobId, message: s.error.message });
      expect(s.error.jobId, prompt).toBe(job);
    }
    expect(o.reportedWithJobId).toBe(fake.state().jobIds.length);
    expect(o.lost).toEqual([]);
    expect(fake.state().paidAgainByContent).toBe(0);
  });

  it('batch renderer: stopped, one prompt edited, run again: every video delivered, the old job named, nothing paid twice', async () => {
    // One submit's answer is held 30 s (its job runs meanwhile): the stop comes while that submit is
    // in flight, so its outcome is unknown to the client, which must keep it as such for
    // the next run instead of paying again.
    const prompts = cancelPrompts('batch');
    eventRig = await startEventRig({
      teamConcurrencyLimit: 3,
      submitAnswers: [{ delayMs: 30_000, jobCreated: 'before-answer', promptIncludes: prompts[2] }],
    });
    const fake = eventRig.fake;
    const repo = await makeRepo('scale-batch-cancel');
    await writePrompts(repo, prompts);
    const held = () => fake.state().submissions.find((s) => s.input.prompt === prompts[2] && s.jobId !== undefined);
    const ac = new AbortController();
    // Polled in real time: the hold spans several jumps of the clock (the other jobs' first polls).
    const stopper = setInterval(() => {
      if (held() !== undefined) ac.abort(new Error('stopped by the user'));
    }, 1);
    let first;
    try {
      first = await batchRun(eventRig, repo, prompts, ac.signal);
    } finally {
      clearInterval(stopper);
    }
    expect(held()?.status, 'stopped mid-submit').toBe(0);
    expect(first.result.interrupted).toBe(true);
    const oldJob = jobFor(fake, prompts[0]!)!;
    expect(oldJob).toMatch(/^job_/);
    // Edit the first prompt (its job stays paid), run the same command again.
    const edited = [`${prompts[0]} edited`, ...prompts.slice(1)];
    await writePrompts(repo, edited);
    const events: unknown[] = [];
    const again = await renderBatch({
      root: repo,
      outDir: 'out',
      client: eventRig.client,
      timeoutMs: TIMEOUT_MINUTES * MIN,
      now: () => eventRig!.time.clock.now(),
      onEvent: (e) => events.push(e),
    });
    const o = await judgeManifest(fake, repo, again.manifest.videos as ManifestVideo[], edited);
    report('batch, cancel + edit + re-run', fake, 3, CANCEL_ITEMS, o, false);
    expect(o.delivered).toBe(CANCEL_ITEMS);
    const manifestText = await readFile(again.manifestPath, 'utf8');
    expect(manifestText, 'the manifest names the job paid for the old prompt').toContain(oldJob);
    expect(JSON.stringify(events), 'the run told about it').toContain(oldJob);
  });
});
