// Issue 14's five failures at real scale, one test each, as a user meets them:
// 1. n8n: 3 items, Max Concurrent Jobs 3, team limit 1, renders of 100 s: every item delivered;
// 2. a submit answered after the client's timeout (the job made later) is not paid twice by the
//    next run of the same command;
// 3. a cancelled Action run, an edited prompt and a re-run: the old job's id is in the re-run's
//    log, summary or outputs;
// 4. n8n without Continue On Fail: the error names every job of the execution, finished ones with
//    their asset ids;
// 5. `creative-units` counts a job that timed out on our side but still runs (and is charged).
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { imageItem, runNode } from '../../nodes/test/harness.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { startGitHubFakes, type GitHubFakes } from '../action/github-fakes.js';
import { runAction, type RunResult } from '../action/harness.js';
import {
  MIN,
  readManifest,
  runCli,
  startEventRig,
  startScaledRig,
  writePrompts,
  type EventRig,
  type ScaledRig,
} from './scale-rig.js';
import {
  API_KEY,
  API_SECRET,
  BASIC,
  NO_HAZARDS,
  checkVideo,
  errorTexts,
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
vi.mock('../../nodes/nodes/ScenarioVideo/transport/time.ts', () => ({
  n8nSleep: (ms: number, signal?: AbortSignal) => time.sleep!(ms, signal),
  systemClock: { now: () => time.now!() },
}));

let eventRig: EventRig | undefined;
let scaledRig: ScaledRig | undefined;
let gh: GitHubFakes | undefined;
afterEach(async () => {
  await eventRig?.close();
  await scaledRig?.close();
  await gh?.close();
  eventRig = undefined;
  scaledRig = undefined;
  gh = undefined;
});

/** Failures of the issue shown fixed: each test counts itself once all its checks passed. */
let fixed = 0;
afterAll(() => recordCounts('real-scale-failures', { failures: 5, fixed }));

/** A job as the API shows it (billing, outputs), read over HTTP with the test credential. */
async function apiJob(fake: FakeScenario, jobId: string) {
  const res = await fetch(`${fake.url}/jobs/${jobId}`, {
    headers: { authorization: `Basic ${BASIC}` },
    signal: AbortSignal.timeout(10_000),
  });
  return ((await res.json()) as { job: { metadata: { assetIds: string[] }; billing: { cuCost: number } } }).job;
}

const onVirtualTime = (rig: EventRig) => {
  time.sleep = rig.time.sleep;
  time.now = () => rig.time.clock.now();
};

describe('issue 14, failure 1: n8n at the team limit', () => {
  it('3 items, Max Concurrent Jobs 3, team limit 1, renders of 100 s: every item delivered, no storm of refused submits', async () => {
    eventRig = await startEventRig({ teamConcurrencyLimit: 1, jobDurationRangeMs: null, jobDurationMs: 100_000 });
    onVirtualTime(eventRig);
    const prompts = ['limit one, first', 'limit one, second', 'limit one, third'].map((p) => `issue 14 n8n ${p}`);
    const run = await runNode({
      parameters: {
        resource: 'video',
        operation: 'generate',
        prompt: (item: number) => prompts[item],
        resolution: '480p',
        options: { maxConcurrentJobs: 3 },
      },
      items: await Promise.all(prompts.map(() => imageItem())),
      credentials: { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: eventRig.fake.url },
      continueOnFail: true,
    });
    keep('issue14-1.output', JSON.stringify(run.output));
    const fake = eventRig.fake;
    for (const [i, item] of run.output.entries()) {
      const json = item.json as { jobId?: string; error?: string };
      expect(json.error, `item ${i}`).toBeUndefined();
      const bytes = run.binaries.get(item.binary!.data!.id!)!.bytes;
      expect(checkVideo(fake, bytes, json.jobId!, prompts[i])).toEqual({ ok: true });
    }
    const state = fake.state();
    expect(state.paidAgainByContent).toBe(0);
    expect(state.hazards).toEqual(NO_HAZARDS);
    // A refused submit goes again when one of the execution's own jobs ends, not on a timer of its own.
    expect(state.requests.generate, 'submit POSTs for 3 videos').toBeLessThanOrEqual(3 + 2);
    fixed++;
  });
});

describe('issue 14, failure 2: a late answer and the next run of the same command', () => {
  it('a submit answered 90 s late (after the 60 s timeout, the job made with the answer) is paid once over two runs of the CLI', async () => {
    scaledRig = await startScaledRig({
      jobDurationRangeMs: null,
      jobDurationMs: 3 * MIN,
      submitAnswers: [{ delayMs: 90_000, jobCreated: 'after-answer', times: 1 }],
    });
    const prompts = ['issue 14 a late answer, paid once'];
    const repo = await makeRepo('issue14-late');
    await writePrompts(repo, prompts);
    const args = ['render', '--out', 'out'];
    const first = await runCli(scaledRig, repo, args);
    const second = await runCli(scaledRig, repo, args);
    keep('issue14-2.first', first.stdout + first.stderr);
    const state = scaledRig.fake.state();
    const paid = state.submissions.filter((s) => s.jobId !== undefined);
    expect(paid, 'jobs made for the one video').toHaveLength(1);
    expect(state.paidAgainByContent).toBe(0);
    expect(state.hazards).toEqual(NO_HAZARDS);
    // The second run (at the latest) delivers the video of that one job.
    expect(second.code, second.stderr).toBe(0);
    const v = (await readManifest(path.join(repo, 'out', 'manifest.json'))).videos[0]!;
    expect(v.jobId).toBe(paid[0]!.jobId);
    const bytes = await readFile(path.join(repo, 'out', v.file!));
    expect(checkVideo(scaledRig.fake, bytes, v.jobId!, prompts[0])).toEqual({ ok: true });
    fixed++;
  }, 90_000);
});

/** One Action run on a fresh runner and checkout of `files`; GitHub's caches carry over. */
async function action(
  rig: ScaledRig,
  files: (repo: string) => Promise<void>,
  inputs: Record<string, string>,
  onChild?: (child: ChildProcess) => void,
): Promise<RunResult> {
  gh ??= await startGitHubFakes();
  const root = await workDir('issue14-runner');
  const workspace = await makeRepo('issue14-action');
  await files(workspace);
  await mkdir(path.join(root, '_temp'), { recursive: true });
  gh.newRun();
  let seen = false;
  const result = await runAction({
    dirs: { root, workspace, temp: path.join(root, '_temp') },
    fakes: gh,
    inputs: { 'api-key': API_KEY, 'api-secret': API_SECRET, 'base-url': rig.fake.url, ...inputs },
    env: rig.clock.env(),
    timeoutMs: 60_000,
    onStdout: (_text, child) => {
      if (!seen) onChild?.(child);
      seen = true;
    },
  });
  const visible = result.stdout.replace(/^::add-mask::.*$/gm, '');
  for (const [what, text] of Object.entries({ stdout: visible, stderr: result.stderr, ...result.files })) {
    keep(`issue14.action.${what}`, text);
    expect(hitsIn(Buffer.from(text), what)).toEqual([]);
  }
  return result;
}

describe('issue 14, failure 3: a cancelled Action run, an edited prompt, a re-run', () => {
  it('the job paid for the old prompt is named in the re-run’s log, summary or outputs', async () => {
    scaledRig = await startScaledRig({ jobDurationRangeMs: null, jobDurationMs: 10 * MIN });
    const fake = scaledRig.fake;
    const prompts = ['issue 14 the prompt that will be edited', 'issue 14 the prompt that stays'];
    // Run 1: cancelled (SIGTERM, as the runner cancels) once both jobs were submitted.
    const cancelled = await action(
      scaledRig,
      (repo) => writePrompts(repo, prompts),
      {},
      (child) => {
        const timer = setInterval(() => {
          if (fake.state().jobIds.length >= 2) {
            clearInterval(timer);
            child.kill('SIGTERM');
          }
        }, 5);
        child.once('close', () => clearInterval(timer));
      },
    );
    expect(fake.state().jobIds).toHaveLength(2);
    const oldJob = fake.state().submissions.find((s) => s.input.prompt === prompts[0])!.jobId!;
    expect(oldJob).toMatch(/^job_/);
    expect(cancelled.signal ?? cancelled.code).not.toBe(0);
    // Run 2: the first prompt edited, on a fresh checkout.
    const edited = [`${prompts[0]}, edited`, prompts[1]!];
    const rerun = await action(scaledRig, (repo) => writePrompts(repo, edited), {});
    const seen = [rerun.stdout, rerun.summary, JSON.stringify(rerun.outputs)].join('\n');
    expect(seen, 'the old job id, shown to the user').toContain(oldJob);
    // The unchanged video came from its first job; the edited one is a new job; nothing paid twice.
    expect(fake.state().jobIds).toHaveLength(3);
    expect(fake.state().paidAgainByContent).toBe(0);
    expect(fake.state().hazards).toEqual(NO_HAZARDS);
    fixed++;
  }, 90_000);
});

describe('issue 14, failure 4: n8n without Continue On Fail', () => {
  it('the error names every job of the execution: the finished one with its asset id, the failed and the running one', async () => {
    eventRig = await startEventRig({
      teamConcurrencyLimit: 0,
      jobDurationRangeMs: null,
      outcomes: [
        { outcome: 'success', promptIncludes: 'finishes first', durationMs: 100_000 },
        { outcome: 'failure', promptIncludes: 'fails', durationMs: 200_000 },
        { outcome: 'success', promptIncludes: 'still running', durationMs: 10 * MIN },
      ],
    });
    onVirtualTime(eventRig);
    const prompts = ['issue 14 finishes first', 'issue 14 fails', 'issue 14 still running'];
    const thrown = await runNode({
      parameters: {
        resource: 'video',
        operation: 'generate',
        prompt: (item: number) => prompts[item],
        resolution: '480p',
        options: { maxConcurrentJobs: 3 },
      },
      items: await Promise.all(prompts.map(() => imageItem())),
      credentials: { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: eventRig.fake.url },
    }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Error);
    const text = errorTexts(thrown);
    keep('issue14-4.error', text);
    const fake = eventRig.fake;
    const jobOf = (prompt: string) => fake.state().submissions.find((s) => s.input.prompt === prompt)!.jobId!;
    for (const p of prompts) expect(text, `names the job of "${p}"`).toContain(jobOf(p));
    const finished = await apiJob(fake, jobOf(prompts[0]!));
    expect(finished.metadata.assetIds).toHaveLength(1);
    expect(text, 'names the finished job’s asset').toContain(finished.metadata.assetIds[0]);
    fixed++;
  });
});

describe('issue 14, failure 5: spend that adds up', () => {
  it('`creative-units` counts the job that timed out on our side but still runs', async () => {
    scaledRig = await startScaledRig({
      jobDurationRangeMs: null,
      outcomes: [
        { outcome: 'success', promptIncludes: 'quick', durationMs: MIN },
        { outcome: 'success', promptIncludes: 'outlasts', durationMs: 20 * MIN },
      ],
    });
    const fake = scaledRig.fake;
    const prompts = ['issue 14 a quick render', 'issue 14 a render that outlasts the timeout'];
    const result = await action(scaledRig, (repo) => writePrompts(repo, prompts), { 'timeout-minutes': '3' });
    expect(result.outputs.rendered).toBe('1');
    const jobs = fake.state().jobIds;
    expect(jobs).toHaveLength(2);
    const charged = (await Promise.all(jobs.map((id) => apiJob(fake, id)))).reduce((a, j) => a + j.billing.cuCost, 0);
    // Both jobs are charged by Scenario: the one that outlasted our wait is still running.
    expect(Number(result.outputs['creative-units'])).toBeCloseTo(charged, 6);
    const long = fake.state().submissions.find((s) => s.input.prompt === prompts[1])!.jobId!;
    expect(result.summary, 'the job still running is named in the summary').toContain(long);
    fixed++;
  }, 90_000);
});
