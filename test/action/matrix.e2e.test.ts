// End-to-end: a render split over a GitHub Actions matrix. The committed bundles (action/dist/index.mjs
// for each shard, action/dist/merge.mjs for the merge job) run as the runner runs them: three shard jobs
// at once against one fake Scenario API whose team may run 3 jobs at a time, each job with its own
// workspace and runtime token in one workflow run, then the merge job. The tests look at what a user
// sees: the merged artifact (every video once, each from the job its manifest names), what Scenario was
// asked to do (no input paid twice, never more than the team's 3 jobs at once, no refusals), and what a
// cancelled shard and its re-run do.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shardOf } from '../../action/src/shard/shard.js';
import { readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { startGitHubFakes, type GitHubFakes } from './github-fakes.js';
import { repoRoot, runAction, unzip, type RunnerDirs, type RunResult, type RunSpec } from './harness.js';

const API_KEY = `svk_matrix_${randomBytes(10).toString('hex')}`;
const API_SECRET = `svs_matrix_${randomBytes(16).toString('hex')}`;
const BASIC = Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64');
const TEAM_LIMIT = 3;
const SHARDS = 3;

const images = path.join(repoRoot, 'examples', 'prompts', 'images');

let fake: FakeScenario;
let gh: GitHubFakes;
let root: string;
let runId = 9000;
const seen: string[] = [];

/** Twelve prompt files, one video each: `clip-01` … `clip-12`. */
const PROMPTS = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    const image = i % 2 === 0 ? 'cells.png' : 'gradient.png';
    return [
      `prompts/clip-${n}.yml`,
      `prompt: Clip ${n} drifts slowly\nimage: images/${image}\nresolution: 480p\nseed: ${i + 1}\n`,
    ];
  }),
);
const NAMES = Object.keys(PROMPTS).map((f) => path.basename(f, '.yml'));

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sv-matrix-e2e-'));
  fake = await startFakeScenario({
    credentials: [{ apiKey: API_KEY, apiSecret: API_SECRET, teamId: 'team_matrix' }],
    jobDurationMs: 1200,
    teamConcurrencyLimit: TEAM_LIMIT,
  });
  gh = await startGitHubFakes();
});

afterAll(async () => {
  await fake?.close();
  await gh?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A fresh checkout for one job of the matrix: its own workspace, as every hosted job gets. */
async function checkout(files: Record<string, string>): Promise<RunnerDirs> {
  const dir = await mkdtemp(path.join(root, 'job-'));
  const workspace = path.join(dir, 'work', 'demo', 'demo');
  const temp = path.join(dir, 'work', '_temp');
  await mkdir(path.join(workspace, 'prompts', 'images'), { recursive: true });
  await mkdir(temp, { recursive: true });
  for (const image of ['cells.png', 'gradient.png']) {
    await cp(path.join(images, image), path.join(workspace, 'prompts', 'images', image));
  }
  for (const [rel, text] of Object.entries(files)) await writeFile(path.join(workspace, rel), text);
  return { root: dir, workspace, temp };
}

/** One job of the current workflow run: its own runtime token (job backend id), the run's id and attempt. */
async function job(
  name: string,
  files: Record<string, string>,
  spec: Partial<RunSpec> & { inputs?: Record<string, string> },
): Promise<RunResult> {
  const result = await runAction({
    dirs: await checkout(files),
    fakes: gh,
    runId,
    ...spec,
    env: { ACTIONS_RUNTIME_TOKEN: gh.runtimeTokenFor(`job-${name}-${spec.runAttempt ?? 1}`), ...spec.env },
    inputs:
      spec.action === 'merge'
        ? { ...spec.inputs }
        : { 'api-key': API_KEY, 'api-secret': API_SECRET, 'base-url': fake.url, ...spec.inputs },
  });
  seen.push(result.stdout.replace(/^::add-mask::.*$/gm, ''), result.stderr, ...Object.values(result.files));
  if (result.code !== 0 && process.env.SV_E2E_DEBUG) console.log(name, result.stdout, result.stderr);
  return result;
}

/** Shards 1..n of the matrix, all at once, as `strategy.matrix` with max-parallel ≥ n starts them. */
const shardJobs = (files: Record<string, string>, extra: Record<string, string> = {}) =>
  Promise.all(
    Array.from({ length: SHARDS }, (_, i) =>
      job(`shard-${i + 1}`, files, {
        inputs: { shard: `${i + 1}/${SHARDS}`, 'team-concurrency': String(TEAM_LIMIT), ...extra },
      }),
    ),
  );

const paid = () => fake.state().submissions.filter((s) => !s.dryRun && s.jobId !== undefined);

/** No input paid twice: every job made is for content no earlier job of the team had. */
function expectNothingPaidTwice() {
  const keys = paid().map((s) => s.contentKey);
  expect(new Set(keys).size).toBe(keys.length);
  expect(fake.state().paidAgainByContent).toBe(0);
}

/** The most jobs of the team that were running at the same moment, by the fake's own record of each job. */
function peakRunning(): number {
  const edges = paid().flatMap((s) => [
    { at: s.at, d: 1 },
    { at: s.at + (s.durationMs ?? 0), d: -1 },
  ]);
  edges.sort((a, b) => a.at - b.at || a.d - b.d); // a job that ends frees its slot before the next starts
  let running = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (running += e.d));
  return peak;
}

interface ArtifactManifest {
  totals: Record<string, number>;
  shard?: { index: number; count: number };
  videos: Array<{ name: string; jobId: string; file: string | null; status: string; bytes: number }>;
}

function artifact(name: string) {
  const found = gh.artifacts.filter((a) => a.name === name && a.finalized);
  expect(found, `artifact ${name}`).toHaveLength(1);
  const entries = unzip(new Uint8Array(found[0]!.bytes!));
  const manifest = JSON.parse(Buffer.from(entries['manifest.json']!).toString('utf8')) as ArtifactManifest;
  return { entries, manifest, id: found[0]!.id };
}

/** Every delivered video of an artifact is whole and is the output of the job its manifest names. */
function expectVideosFromTheirJobs(entries: Record<string, Uint8Array>, manifest: ArtifactManifest) {
  for (const v of manifest.videos.filter((x) => x.status === 'rendered' || x.status === 'skipped')) {
    const bytes = entries[v.file!];
    expect(bytes, `${v.file} in the artifact`).toBeDefined();
    expect(bytes!.length).toBe(v.bytes);
    const identity = readFakeVideoIdentity(bytes!);
    expect(identity.jobId).toBe(v.jobId);
    expect(identity.input).toEqual(fake.state().submissions.find((s) => s.jobId === v.jobId)!.input);
  }
}

describe('a render sharded over a matrix, then merged', () => {
  it('bad shard values are refused by name before anything is spent', async () => {
    const before = { scenario: fake.state().requests, github: gh.requests.length };
    for (const bad of ['0/3', '4/3', 'x']) {
      const result = await job('bad', PROMPTS, { inputs: { shard: bad } });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(
        new RegExp(`^::error::Input shard .*\\(got "${bad.replace('/', '\\/')}"\\)\\.$`, 'm'),
      );
    }
    expect(fake.state().requests).toEqual(before.scenario);
    expect(gh.requests.length).toBe(before.github);
  }, 60_000);

  it("three shards at once share the team's 3 slots; the merge holds every video exactly once", async () => {
    const owners = NAMES.map((n) => shardOf(n, SHARDS));
    for (let i = 1; i <= SHARDS; i++)
      expect(owners.filter((o) => o === i).length, `videos of shard ${i}`).toBeGreaterThan(0);

    runId++;
    gh.newRun();
    const shards = await shardJobs(PROMPTS);
    for (const [i, r] of shards.entries()) {
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs.shard).toBe(`${i + 1}/${SHARDS}`);
      expect(r.stdout).toContain(
        `Shard ${i + 1}/${SHARDS} renders up to 1 video(s) at once: its share of team-concurrency 3`,
      );
      expect(r.summary).toContain(`### Scenario videos · shard ${i + 1} of ${SHARDS}`);
      // Each shard rendered its own videos, and only those.
      const mine = NAMES.filter((n) => shardOf(n, SHARDS) === i + 1);
      const { manifest } = artifact(`scenario-videos-${i + 1}-of-${SHARDS}`);
      expect(manifest.shard).toEqual({ index: i + 1, count: SHARDS });
      expect(manifest.videos.map((v) => v.name).sort()).toEqual(mine);
      expect(r.outputs.rendered).toBe(String(mine.length));
    }

    // Scenario's side: 12 jobs, one per input; the three shards kept the team's 3 slots full and were never refused.
    expect(paid()).toHaveLength(12);
    expectNothingPaidTwice();
    expect(peakRunning()).toBe(TEAM_LIMIT);
    expect(fake.state().submissions.filter((s) => s.status === 429)).toEqual([]);

    const merged = await job('merge', {}, { action: 'merge', inputs: { 'comment-on-pr': 'false' } });
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    const { entries, manifest } = artifact('scenario-videos');
    expect(manifest.videos.map((v) => v.name)).toEqual(NAMES);
    expect(manifest.shard).toBeUndefined();
    expect(Object.keys(entries).sort()).toEqual([...NAMES.map((n) => `${n}.mp4`), 'manifest.json'].sort());
    expectVideosFromTheirJobs(entries, manifest);
    expect(new Set(manifest.videos.map((v) => v.jobId)).size).toBe(12);
    expect(manifest.totals).toMatchObject({ videos: 12, rendered: 12, failed: 0, interrupted: 0 });
    expect(merged.outputs.rendered).toBe('12');
    // The spend is the shards' spend added up.
    const spent = shards.reduce((sum, r) => sum + Number(r.outputs['creative-units']), 0);
    expect(spent).toBeGreaterThan(0);
    expect(Number(merged.outputs['creative-units'])).toBeCloseTo(spent, 3);
    expect(merged.summary).toContain('Merged 3 shard(s): 1/3 (scenario-videos-1-of-3');
    expect(merged.summary).toMatch(/^\| clip-01 \| `prompts\/clip-01\.yml` \| ✅ rendered \|/m);
  }, 120_000);

  it('a cancelled shard fails the merge naming it; its re-run resumes its job without paying, and the merge then passes', async () => {
    runId++;
    gh.newRun();
    fake.setOptions({ jobDurationMs: 4000 });
    try {
      // Three new prompts; the twelve earlier ones are restored from the cache by their shards.
      const files = { ...PROMPTS };
      for (const n of [1, 2, 3])
        files[`prompts/late-${n}.yml`] = `prompt: A late idea number ${n}\nimage: images/cells.png\n`;
      const victim = shardOf('late-1', SHARDS);
      const before = paid().length;
      let cancelled = false;
      const results = await Promise.all(
        Array.from({ length: SHARDS }, (_, i) =>
          job(`shard-${i + 1}`, files, {
            inputs: { shard: `${i + 1}/${SHARDS}`, 'team-concurrency': String(TEAM_LIMIT) },
            ...(i + 1 === victim
              ? {
                  onStdout: (text, child) => {
                    if (!cancelled && /late-1: submitted job_/.test(text)) {
                      cancelled = true;
                      child.kill('SIGINT');
                    }
                  },
                }
              : {}),
          }),
        ),
      );
      expect(cancelled).toBe(true);
      expect(results[victim - 1]!.code).not.toBe(0);
      expect(results[victim - 1]!.stdout).toContain('SIGINT: cancelling');
      for (const [i, r] of results.entries()) if (i + 1 !== victim) expect(r.code, r.stdout).toBe(0);
      const late1 = paid().find((s) => s.input.prompt === 'A late idea number 1')!;
      expect(late1).toBeDefined();

      // The merge names the shard that did not finish.
      const early = await job('merge', {}, { action: 'merge' });
      expect(early.code).toBe(1);
      expect(early.stdout).toMatch(
        new RegExp(
          `^::error title=Scenario videos%3A shard ${victim}/3 did not finish::Shard ${victim}/3 did not finish: late-1`,
          'm',
        ),
      );

      // "Re-run failed jobs": attempt 2 of the same workflow run, on a fresh runner.
      const paidBeforeRerun = paid().length;
      const rerun = await job(`shard-${victim}`, files, {
        runAttempt: 2,
        inputs: { shard: `${victim}/${SHARDS}`, 'team-concurrency': String(TEAM_LIMIT) },
      });
      expect(rerun.code, rerun.stdout + rerun.stderr).toBe(0);
      expect(rerun.stdout).toContain(`late-1: resumed ${late1.jobId}`);
      // Only the late videos of that shard the cancel stopped before their submit are paid now, once.
      const lateOfVictim = ['late-1', 'late-2', 'late-3'].filter((n) => shardOf(n, SHARDS) === victim);
      expect(paid().length - before).toBe(3);
      expect(paid().length - paidBeforeRerun).toBeLessThan(lateOfVictim.length);
      expectNothingPaidTwice();

      const merged = await job('merge', {}, { action: 'merge', runAttempt: 2 });
      expect(merged.code, merged.stdout + merged.stderr).toBe(0);
      const { entries, manifest } = artifact('scenario-videos');
      const all = [...NAMES, 'late-1', 'late-2', 'late-3'].sort();
      expect(manifest.videos.map((v) => v.name).sort()).toEqual(all);
      expect(manifest.videos.find((v) => v.name === 'late-1')!.jobId).toBe(late1.jobId);
      expectVideosFromTheirJobs(entries, manifest);
      expect(peakRunning()).toBeLessThanOrEqual(TEAM_LIMIT);
    } finally {
      fake.setOptions({ jobDurationMs: 1200 });
    }
  }, 180_000);

  it('the merge fails naming a missing shard, and naming a video two shards delivered', async () => {
    runId++;
    gh.newRun();
    const before = paid().length;
    for (const i of [1, 3]) {
      const r = await job(`shard-${i}`, PROMPTS, { inputs: { shard: `${i}/${SHARDS}`, 'team-concurrency': '3' } });
      expect(r.code, r.stdout).toBe(0);
    }
    expect(paid().length).toBe(before); // everything restored from the cache
    const missing = await job('merge', {}, { action: 'merge' });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/^::error title=Scenario videos%3A merge::Shard 2\/3 is missing: /m);
    expect(gh.artifacts.some((a) => a.name === 'scenario-videos')).toBe(false);

    // A job of a different split (shard 1/2) in the same run: its videos are also in shards 1/3 and 3/3.
    const rogue = await job('rogue', PROMPTS, { inputs: { shard: '1/2' } });
    expect(rogue.code, rogue.stdout).toBe(0);
    const twice = await job('merge', {}, { action: 'merge', runAttempt: 2, inputs: { shards: '3' } });
    expect(twice.code).toBe(1);
    const dup = NAMES.find((n) => shardOf(n, 2) === 1 && shardOf(n, SHARDS) !== 2)!;
    expect(twice.stdout).toMatch(
      new RegExp(`^::error title=Scenario videos%3A merge::The video ${dup} is in two shards: `, 'm'),
    );
    expect(twice.stdout).toContain('The artifact scenario-videos-1-of-2 is shard 1/2, but the matrix has 3 shards.');
    expect(twice.summary).toContain('### Scenario videos · merge failed');
    expect(gh.artifacts.some((a) => a.name === 'scenario-videos')).toBe(false);
  }, 120_000);

  it('with artifact-per-video shards, the merge lists every video, links each to its own artifact, and deletes only the shard zips', async () => {
    runId++;
    gh.newRun();
    const before = paid().length;
    const shards = await shardJobs(PROMPTS, { 'artifact-per-video': 'true' });
    for (const r of shards) expect(r.code, r.stdout).toBe(0);
    expect(paid().length).toBe(before); // restored from the cache, uploaded one artifact per video
    const merged = await job('merge', {}, { action: 'merge', inputs: { 'delete-merged': 'true' } });
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    const { entries, manifest } = artifact('scenario-videos');
    expect(Object.keys(entries)).toEqual(['manifest.json']);
    expect(manifest.videos.map((v) => v.name)).toEqual(NAMES);
    for (const name of NAMES) {
      const own = gh.artifacts.find((a) => a.name === `${name}.mp4` && a.finalized);
      expect(own, `artifact ${name}.mp4`).toBeDefined();
      expect(merged.summary).toContain(
        `[${name}.mp4](https://github.com/octo/demo/actions/runs/${runId}/artifacts/${own!.id})`,
      );
      const v = manifest.videos.find((x) => x.name === name)!;
      expect(readFakeVideoIdentity(new Uint8Array(own!.bytes!)).jobId).toBe(v.jobId);
    }
    // delete-merged: the shards' zips are gone, the videos' own artifacts stay.
    expect(gh.artifacts.filter((a) => /^scenario-videos-\d-of-3$/.test(a.name))).toEqual([]);
    expect(gh.artifacts.filter((a) => a.name.endsWith('.mp4'))).toHaveLength(12);
  }, 120_000);

  it('a shard whose part is empty says so and still uploads its manifest, so the merge sees every shard', async () => {
    runId++;
    gh.newRun();
    const one = { 'prompts/clip-01.yml': PROMPTS['prompts/clip-01.yml']! };
    const owner = shardOf('clip-01', SHARDS);
    const shards = await shardJobs(one);
    for (const [i, r] of shards.entries()) {
      expect(r.code, r.stdout).toBe(0);
      if (i + 1 === owner) continue;
      expect(r.stdout).toContain(
        `::warning::Shard ${i + 1}/3 has no videos: none of the prompt files' videos falls to it`,
      );
      expect(r.stdout).not.toContain('No prompt files found');
      expect(r.summary).toContain('No video of the prompt files falls to this shard.');
      expect(Object.keys(artifact(`scenario-videos-${i + 1}-of-3`).entries)).toEqual(['manifest.json']);
    }
    const merged = await job('merge', {}, { action: 'merge' });
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    expect(artifact('scenario-videos').manifest.videos.map((v) => v.name)).toEqual(['clip-01']);
  }, 120_000);

  it('leaks no credential anywhere', () => {
    for (const text of seen)
      for (const secret of [API_KEY, API_SECRET, BASIC]) expect(text.includes(secret)).toBe(false);
    for (const a of gh.artifacts) {
      const text = a.bytes?.toString('latin1') ?? '';
      for (const secret of [API_KEY, API_SECRET, BASIC]) expect(text.includes(secret)).toBe(false);
    }
  });
});
