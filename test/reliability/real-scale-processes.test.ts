// The real-scale profile (issue 14) on the spawned faces: the CLI from its build and the Action
// bundle as the runner runs it, on a clock 250× faster than real time shared with the fake
// (scale-rig.ts, scaled-time.mjs): 20 videos of 2–10 minutes at team limit 1 and 3, late submit
// answers with the next run of the same command, and a Ctrl-C, a prompt edit and a re-run. The
// checks and figures are the in-process profile's (scale-profile.ts).
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startGitHubFakes, type GitHubFakes } from '../action/github-fakes.js';
import { runAction, unzip } from '../action/harness.js';
import {
  ITEMS,
  LATE,
  LIMITS,
  TIMEOUT_MINUTES,
  jobFor,
  judgeManifest,
  judgeVideo,
  latePrompts,
  outcome,
  promptsFor,
  recordProfile,
  report,
} from './scale-profile.js';
import { readManifest, runCli, startScaledRig, writePrompts, type ManifestVideo, type ScaledRig } from './scale-rig.js';
import { API_KEY, API_SECRET, hitsIn, keep, makeRepo, workDir } from './support.js';

afterAll(() => recordProfile('real-scale-processes'));

let scaledRig: ScaledRig | undefined;
afterEach(async () => {
  await scaledRig?.close();
  scaledRig = undefined;
});

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

describe.each(LIMITS)('real scale, team limit %i: 20 videos of 2–10 minutes', (limit) => {
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

describe('late submit answers (0 s, 30 s, 90 s, 5 min; job made before or after the answer), team limit 3', () => {
  const late = { teamConcurrencyLimit: 3, submitAnswers: LATE };

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

describe('a cancel, a prompt edit and a re-run, team limit 3', () => {
  const CANCEL_ITEMS = 6;
  const cancelPrompts = (face: string) =>
    Array.from({ length: CANCEL_ITEMS }, (_, i) => `real scale ${face} cancel video ${i}`);

  it('CLI, spawned: Ctrl-C, one prompt edited, the same command again: every video delivered, the old job named', async () => {
    // One submit's answer is held 30 s (120 ms of real time here; its job runs meanwhile): Ctrl-C
    // comes while it is in flight, so the next run must not pay for that video again either.
    const prompts = cancelPrompts('cli');
    scaledRig = await startScaledRig({
      teamConcurrencyLimit: 3,
      submitAnswers: [{ delayMs: 30_000, jobCreated: 'before-answer', promptIncludes: prompts[2] }],
    });
    const fake = scaledRig.fake;
    const repo = await makeRepo('scale-cli-cancel');
    await writePrompts(repo, prompts);
    const args = ['render', '--out', 'out', '--timeout', String(TIMEOUT_MINUTES)];
    const held = () => fake.state().submissions.find((s) => s.input.prompt === prompts[2] && s.jobId !== undefined);
    const first = await runCli(scaledRig, repo, args, 60_000, (child) => {
      const timer = setInterval(() => {
        if (held() !== undefined && fake.state().jobIds.length >= 3) {
          clearInterval(timer);
          child.kill('SIGINT');
        }
      }, 2);
      child.once('close', () => clearInterval(timer));
    });
    expect(first.code).not.toBe(0);
    expect(held()?.status, 'stopped mid-submit').toBe(0);
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
