// The real-scale profile (issue 14): renders of 2–10 minutes with jitter, team limit 1 and 3, 20
// videos, on every face: the core (renderMany), the batch renderer (renderBatch, behind the CLI and
// the Action), the n8n node (execute()), the spawned CLI and the Action bundle as the runner runs
// it. Then submit answers that come 0 s, 30 s, 90 s and 5 min late, with the job made before or
// after the answer, followed by a re-run of the same command where there is one.
//
// Each run checks, from the fake's side and from what the user gets:
// - every video is delivered (the bytes of the job it is reported for: checkVideo) or reported
//   with its job id;
// - nothing was paid twice by content (the fake keys submits by image bytes, not asset ids);
// - requests per video stay within REQUESTS_PER_VIDEO;
// - on the runs without late answers: wall time ÷ ideal ≤ 1.10 at the team limit, where ideal is
//   the same jobs' durations packed greedily on `limit` slots with no overhead and wall runs from
//   the first submit to the last download, on the fake's clock.
// The figures are printed per face and recorded for the suite's summary.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { renderBatch } from '../../action/src/batch/render.js';
import { imageItem, runNode } from '../../nodes/test/harness.js';
import { createMemorySink } from '../../packages/core/src/testing/memory.js';
import type { FakeScenario, SubmitAnswerRule } from '../../packages/fake-api/src/options.js';
import { startGitHubFakes, type GitHubFakes } from '../action/github-fakes.js';
import { runAction, unzip } from '../action/harness.js';
import { figures, formatFigures, type ProfileFigures } from './scale.js';
import {
  MIN,
  readManifest,
  runCli,
  startEventRig,
  startScaledRig,
  writePrompts,
  type EventRig,
  type ManifestVideo,
  type ScaledRig,
} from './scale-rig.js';
import {
  API_KEY,
  API_SECRET,
  NO_HAZARDS,
  checkVideo,
  exampleImages,
  hitsIn,
  keep,
  makeRepo,
  recordCounts,
  workDir,
} from './support.js';

const time = vi.hoisted(() => ({
  sleep: undefined as undefined | ((ms: number, signal?: AbortSignal) => Promise<void>),
  now: undefined as undefined | (() => number),
}));
// The n8n node's sleep and clock (its transport/time module) on the rig's virtual time.
vi.mock('../../nodes/nodes/ScenarioVideo/transport/time.ts', () => ({
  n8nSleep: (ms: number, signal?: AbortSignal) => time.sleep!(ms, signal),
  systemClock: { now: () => time.now!() },
}));

const ITEMS = 20;
const LIMITS = [1, 3] as const;
/**
 * Requests per video, all routes and the CDN: an upload per distinct image, the submit, the polls
 * (the client's own schedule promises "a few dozen, not two hundred" for a ten-minute render; today
 * it makes about 28 for renders of 2–10 minutes, most of them 3 s apart through the fake's
 * `finalizing`, the render's last 15 %), the asset and the download. 40 allows for all of it.
 */
const REQUESTS_PER_VIDEO = 40;
/**
 * Submit POSTs per video, refused ones included: a refused submit goes again when one of our own
 * jobs ends, never in a storm (issue 14). One refusal per video on average is allowed.
 */
const SUBMITS_PER_VIDEO = 2;
const MAX_WALL_OVER_IDEAL = 1.1;
/** Generous per-video timeouts (4 h): the profile measures the queue, not a timeout's choice. */
const TIMEOUT_MINUTES = 240;

const LATE: SubmitAnswerRule[] = [0, 30_000, 90_000, 5 * MIN].flatMap((delayMs) =>
  (['before-answer', 'after-answer'] as const).map((jobCreated) => ({
    delayMs,
    jobCreated,
    promptIncludes: `late ${delayMs / 1000}s ${jobCreated}`,
    times: 1,
  })),
);
const latePrompts = (face: string) => LATE.map((r) => `${face} ${r.promptIncludes} video`);

const printed: ProfileFigures[] = [];
afterAll(() => {
  const byFace: Record<string, ProfileFigures> = {};
  for (const f of printed) byFace[`${f.face} limit ${f.limit}`] = f;
  recordCounts('real-scale', byFace);
});

let eventRig: EventRig | undefined;
let scaledRig: ScaledRig | undefined;
afterEach(async () => {
  await eventRig?.close();
  await scaledRig?.close();
  eventRig = undefined;
  scaledRig = undefined;
});

const images = async () => ({
  cells: new Uint8Array(await readFile(path.join(exampleImages, 'cells.png'))),
  gradient: new Uint8Array(await readFile(path.join(exampleImages, 'gradient.png'))),
});
const promptsFor = (face: string, limit: number) =>
  Array.from({ length: ITEMS }, (_, i) => `real scale ${face} limit ${limit} video ${i}`);

interface Outcome {
  delivered: number;
  reportedWithJobId: number;
  /** The job reported for each delivered video. */
  jobIds: string[];
  /** Items neither delivered nor naming a job, with what was said. */
  lost: string[];
}

const outcome = (): Outcome => ({ delivered: 0, reportedWithJobId: 0, jobIds: [], lost: [] });

/** Judge one video: delivered intact from its job, or an error that names a job the fake made. */
function judgeVideo(
  fake: FakeScenario,
  o: Outcome,
  prompt: string,
  got: { bytes: Uint8Array; jobId: string } | { jobId?: string | null; message: string },
): void {
  if ('bytes' in got) {
    expect(checkVideo(fake, got.bytes, got.jobId, prompt), prompt).toEqual({ ok: true });
    o.delivered++;
    o.jobIds.push(got.jobId);
    return;
  }
  const jobId = got.jobId ?? /job_[A-Za-z0-9]+/.exec(got.message)?.[0];
  if (jobId !== undefined && fake.state().jobIds.includes(jobId) && got.message.includes(jobId)) {
    o.reportedWithJobId++;
  } else o.lost.push(`${prompt}: ${got.message}`);
}

function report(face: string, fake: FakeScenario, limit: number, items: number, o: Outcome, ratio: boolean) {
  const f = figures(face, fake.state(), { items, limit, ...o });
  printed.push(f);
  process.stdout.write(`${formatFigures(f)}\n`);
  expect(o.lost.join('\n'), 'every video delivered or reported with its job id').toBe('');
  expect(f.paidTwice, 'content paid for twice').toBe(0);
  expect(fake.state().hazards).toEqual(NO_HAZARDS);
  expect(f.requestsPerVideo, 'requests per video').toBeLessThanOrEqual(REQUESTS_PER_VIDEO);
  expect(f.perRoute.generate ?? 0, 'submit POSTs per video').toBeLessThanOrEqual(SUBMITS_PER_VIDEO);
  if (ratio) expect(f.wallOverIdeal, 'wall time ÷ ideal at the team limit').toBeLessThanOrEqual(MAX_WALL_OVER_IDEAL);
  return f;
}

// ---- the faces, in process ----

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

/** The manifest's videos (by prompt file `vNN.yml`) against the prompts asked for. */
async function judgeManifest(fake: FakeScenario, repo: string, videos: ManifestVideo[], prompts: string[]) {
  const o = outcome();
  for (const [i, prompt] of prompts.entries()) {
    const v = videos.find((x) => x.name === `v${String(i).padStart(2, '0')}`);
    if (v === undefined) o.lost.push(`${prompt}: not in the manifest`);
    else if (v.status === 'rendered' || v.status === 'skipped') {
      const bytes = new Uint8Array(await readFile(path.join(repo, 'out', v.file!)));
      judgeVideo(fake, o, prompt, { bytes, jobId: v.jobId! });
    } else
      judgeVideo(fake, o, prompt, { jobId: v.jobId ?? v.error?.jobId ?? null, message: v.error?.message ?? v.status });
  }
  return o;
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

  it('CLI, spawned: render', async () => {
    scaledRig = await startScaledRig({ teamConcurrencyLimit: limit });
    const prompts = promptsFor('cli', limit);
    const repo = await makeRepo(`scale-cli-${limit}`);
    await writePrompts(repo, prompts);
    const run = await runCli(scaledRig, repo, ['render', '--out', 'out', '--timeout', String(TIMEOUT_MINUTES)]);
    const manifest = await readManifest(path.join(repo, 'out', 'manifest.json'));
    const o = await judgeManifest(scaledRig.fake, repo, manifest.videos, prompts);
    expect(run.code, run.stderr).toBe(o.delivered === ITEMS ? 0 : 1);
    report('cli', scaledRig.fake, limit, ITEMS, o, true);
  }, 120_000);

  it('Action bundle, as the runner runs it', async () => {
    scaledRig = await startScaledRig({ teamConcurrencyLimit: limit });
    const prompts = promptsFor('action', limit);
    const { o } = await actionRun(scaledRig, `scale-action-${limit}`, prompts);
    report('action', scaledRig.fake, limit, ITEMS, o, true);
  }, 120_000);
});

// ---- the Action, spawned ----

let runId = 9100;
/** One repository's GitHub (caches, artifacts) per test: a ledger cached by one test is not another's. */
let gh: GitHubFakes | undefined;
afterEach(async () => {
  await gh?.close();
  gh = undefined;
});

/** One workflow run on a fresh runner and checkout (as GitHub does); caches carry over between runs. */
async function actionRun(rig: ScaledRig, tag: string, prompts: string[]) {
  gh ??= await startGitHubFakes();
  const root = await workDir('scale-runner');
  const ws = await makeRepo(tag);
  await writePrompts(ws, prompts);
  const temp = path.join(root, '_temp');
  await mkdir(temp, { recursive: true });
  gh.newRun();
  const result = await runAction({
    dirs: { root, workspace: ws, temp },
    fakes: gh,
    runId: ++runId,
    inputs: {
      'api-key': API_KEY,
      'api-secret': API_SECRET,
      'base-url': rig.fake.url,
      prompts: 'prompts/**/*.yml',
      'timeout-minutes': String(TIMEOUT_MINUTES),
    },
    env: rig.clock.env(),
    timeoutMs: 110_000,
  });
  const visible = result.stdout.replace(/^::add-mask::.*$/gm, '');
  for (const [what, text] of Object.entries({ stdout: visible, stderr: result.stderr, ...result.files })) {
    keep(`real-scale.action.${what}`, text);
    expect(hitsIn(Buffer.from(text), what)).toEqual([]);
  }
  const artifact = gh.artifacts.filter((a) => a.finalized && a.name === 'scenario-videos').at(-1);
  const o = outcome();
  if (artifact?.bytes === undefined) {
    for (const p of prompts) o.lost.push(`${p}: no artifact (exit ${result.code}): ${result.stderr.slice(-500)}`);
    return { o, result };
  }
  const entries = unzip(new Uint8Array(artifact.bytes));
  const manifest = JSON.parse(Buffer.from(entries['manifest.json']!).toString('utf8')) as { videos: ManifestVideo[] };
  for (const [i, prompt] of prompts.entries()) {
    const v = manifest.videos.find((x) => x.name === `v${String(i).padStart(2, '0')}`);
    if (v === undefined) o.lost.push(`${prompt}: not in the manifest`);
    else if (v.file !== null && entries[v.file] !== undefined) {
      judgeVideo(rig.fake, o, prompt, { bytes: entries[v.file]!, jobId: v.jobId! });
    } else judgeVideo(rig.fake, o, prompt, { jobId: v.jobId ?? null, message: v.error?.message ?? v.status });
  }
  return { o, result };
}

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

  it('n8n node (answers within its 60 s request timeout: 0 s and 30 s)', async () => {
    eventRig = await startEventRig({ ...late, submitAnswers: LATE.filter((r) => r.delayMs < 60_000) });
    const prompts = latePrompts('n8n').filter((p) => / late (0|30)s /.test(p));
    report('n8n, late answers', eventRig.fake, 3, prompts.length, await n8nRun(eventRig, prompts), false);
  });

  it('CLI, spawned: the same, and the next run of the same command delivers every video without paying again', async () => {
    scaledRig = await startScaledRig(late);
    const prompts = latePrompts('cli');
    const repo = await makeRepo('scale-cli-late');
    await writePrompts(repo, prompts);
    const args = ['render', '--out', 'out', '--timeout', String(TIMEOUT_MINUTES)];
    await runCli(scaledRig, repo, args);
    const first = await judgeManifest(
      scaledRig.fake,
      repo,
      (await readManifest(path.join(repo, 'out', 'manifest.json'))).videos,
      prompts,
    );
    report('cli, late answers', scaledRig.fake, 3, prompts.length, first, false);
    const rerun = await runCli(scaledRig, repo, args);
    const again = await judgeManifest(
      scaledRig.fake,
      repo,
      (await readManifest(path.join(repo, 'out', 'manifest.json'))).videos,
      prompts,
    );
    expect(rerun.code, rerun.stderr).toBe(0);
    const f = report('cli, late answers, re-run', scaledRig.fake, 3, prompts.length, again, false);
    expect(f.delivered).toBe(prompts.length);
  }, 120_000);

  it('Action bundle: the same, and a re-run of the workflow delivers every video without paying again', async () => {
    scaledRig = await startScaledRig(late);
    const prompts = latePrompts('action');
    const first = await actionRun(scaledRig, 'scale-action-late', prompts);
    report('action, late answers', scaledRig.fake, 3, prompts.length, first.o, false);
    const again = await actionRun(scaledRig, 'scale-action-late', prompts);
    const f = report('action, late answers, re-run', scaledRig.fake, 3, prompts.length, again.o, false);
    expect(f.delivered).toBe(prompts.length);
  }, 120_000);
});

// ---- a cancel, a prompt edit and a re-run ----

describe('a cancel, a prompt edit and a re-run, team limit 3', () => {
  const CANCEL_ITEMS = 6;
  const cancelPrompts = (face: string) =>
    Array.from({ length: CANCEL_ITEMS }, (_, i) => `real scale ${face} cancel video ${i}`);
  /** The job the fake made for a prompt (the first, if there were several). */
  const jobFor = (fake: FakeScenario, prompt: string) =>
    fake.state().submissions.find((s) => s.input.prompt === prompt && s.jobId !== undefined)?.jobId;

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
    eventRig = await startEventRig({ teamConcurrencyLimit: 3 });
    const fake = eventRig.fake;
    const prompts = cancelPrompts('batch');
    const repo = await makeRepo('scale-batch-cancel');
    await writePrompts(repo, prompts);
    // Stopped the moment the third job exists: its submit's answer may still be on its way, so that
    // submit is ambiguous for the client, which must keep it as such for the next run.
    const ac = new AbortController();
    const stopper = setInterval(() => {
      if (fake.state().jobIds.length >= 3) ac.abort(new Error('stopped by the user'));
    }, 1);
    let first;
    try {
      first = await batchRun(eventRig, repo, prompts, ac.signal);
    } finally {
      clearInterval(stopper);
    }
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

  it('CLI, spawned: Ctrl-C, one prompt edited, the same command again: every video delivered, the old job named', async () => {
    scaledRig = await startScaledRig({ teamConcurrencyLimit: 3 });
    const fake = scaledRig.fake;
    const prompts = cancelPrompts('cli');
    const repo = await makeRepo('scale-cli-cancel');
    await writePrompts(repo, prompts);
    const args = ['render', '--out', 'out', '--timeout', String(TIMEOUT_MINUTES)];
    const first = await runCli(scaledRig, repo, args, 60_000, (child) => {
      const timer = setInterval(() => {
        if (fake.state().jobIds.length >= 3) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 2);
      child.once('close', () => clearInterval(timer));
    });
    expect(first.code).not.toBe(0);
    const oldJob = jobFor(fake, prompts[0]!)!;
    expect(oldJob).toMatch(/^job_/);
    const edited = [`${prompts[0]} edited`, ...prompts.slice(1)];
    await writePrompts(repo, edited);
    const again = await runCli(scaledRig, repo, args);
    const manifest = await readManifest(path.join(repo, 'out', 'manifest.json'));
    const o = await judgeManifest(fake, repo, manifest.videos, edited);
    report('cli, cancel + edit + re-run', fake, 3, CANCEL_ITEMS, o, false);
    expect(o.delivered).toBe(CANCEL_ITEMS);
    expect(again.stdout + again.stderr, 'the log names the job paid for the old prompt').toContain(oldJob);
    expect(JSON.stringify(manifest)).toContain(oldJob);
  }, 120_000);
});
