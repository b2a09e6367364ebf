// End-to-end: the committed bundle, run as the GitHub runner runs it, against the fake Scenario API and
// loopback stand-ins of GitHub's Results (artifact + cache), blob storage and REST services. The real
// @actions/* clients do the talking; the tests look at what arrived (artifact zips, cache entries,
// PR comments), at the step's outputs, summary and annotations, and that no credential leaks anywhere.
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { startGitHubFakes, type GitHubFakes } from './github-fakes.js';
import { repoRoot, runAction, unzip, type RunnerDirs, type RunResult, type RunSpec } from './harness.js';

const API_KEY = `svk_e2e_${randomBytes(10).toString('hex')}`;
const API_SECRET = `svs_e2e_${randomBytes(16).toString('hex')}`;
const BASIC = Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64');
const SECRETS = [API_KEY, API_SECRET, BASIC];

const images = path.join(repoRoot, 'examples', 'prompts', 'images');

let fake: FakeScenario;
let gh: GitHubFakes;
let root: string;
let runId = 5000;
/** Everything any run printed or wrote, for the leak check at the end. */
const seen: Array<{ what: string; text: string | Uint8Array }> = [];

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sv-action-e2e-'));
  fake = await startFakeScenario({
    credentials: [{ apiKey: API_KEY, apiSecret: API_SECRET, teamId: 'team_e2e' }],
    jobDurationMs: 1200,
  });
  gh = await startGitHubFakes();
});

afterAll(async () => {
  await fake?.close();
  await gh?.close();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A fresh checkout: a new workspace (no output folder from earlier runs) with the given prompt files. */
async function checkout(files: Record<string, string>): Promise<RunnerDirs> {
  const dir = await mkdtemp(path.join(root, 'job-'));
  const workspace = path.join(dir, 'work', 'demo', 'demo');
  const temp = path.join(dir, 'work', '_temp');
  await mkdir(path.join(workspace, 'prompts', 'images'), { recursive: true });
  await mkdir(temp, { recursive: true });
  await cp(path.join(images, 'cells.png'), path.join(workspace, 'prompts', 'images', 'cells.png'));
  await cp(path.join(images, 'gradient.png'), path.join(workspace, 'prompts', 'images', 'gradient.png'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(workspace, rel)), { recursive: true });
    await writeFile(path.join(workspace, rel), text);
  }
  return { root: dir, workspace, temp };
}

async function run(dirs: RunnerDirs, spec: Partial<RunSpec> & { inputs?: Record<string, string> }): Promise<RunResult> {
  gh.newRun(); // every run is a new workflow run: artifact names start afresh
  const result = await runAction({
    dirs,
    fakes: gh,
    runId: ++runId,
    ...spec,
    inputs: { 'api-key': API_KEY, 'api-secret': API_SECRET, 'base-url': fake.url, ...spec.inputs },
  });
  seen.push(
    { what: 'stdout', text: result.stdout.replace(/^::add-mask::.*$/gm, '') },
    { what: 'stderr', text: result.stderr },
    ...Object.entries(result.files).map(([what, text]) => ({ what, text })),
  );
  for (const a of gh.artifacts) if (a.bytes) seen.push({ what: `artifact ${a.name}`, text: a.bytes });
  if (result.code !== 0 && process.env.SV_E2E_DEBUG) console.log(result.stdout, result.stderr);
  return result;
}

const paidSubmits = () => fake.state().submissions.filter((s) => !s.dryRun);

/** The uploaded artifact's files, and each MP4 checked against the job the manifest names. */
function artifactFiles(name = 'scenario-videos') {
  const artifact = gh.artifacts.find((a) => a.name === name && a.finalized);
  expect(artifact, `artifact ${name}`).toBeDefined();
  const entries = unzip(new Uint8Array(artifact!.bytes!));
  const manifest = JSON.parse(Buffer.from(entries['manifest.json']!).toString('utf8')) as {
    videos: Array<{ name: string; jobId: string; file: string | null; status: string; bytes: number }>;
  };
  return { artifact: artifact!, entries, manifest };
}

function expectVideosFromTheirJobs(
  entries: Record<string, Uint8Array>,
  videos: Array<{ name: string; jobId: string; file: string | null; bytes: number }>,
) {
  for (const v of videos) {
    const bytes = entries[v.file!];
    expect(bytes, `${v.file} in the artifact`).toBeDefined();
    expect(bytes!.length).toBe(v.bytes);
    const identity = readFakeVideoIdentity(bytes!);
    expect(identity.jobId).toBe(v.jobId);
    const submission = fake.state().submissions.find((s) => s.jobId === v.jobId);
    expect(submission, `submission of ${v.jobId}`).toBeDefined();
    expect(identity.input).toEqual(submission!.input);
  }
}

const PROMPTS = {
  'prompts/cat.yml': 'prompt: A cat made of cells stretches\nimage: images/cells.png\nresolution: 480p\nseed: 1\n',
  'prompts/multi.yml':
    'defaults:\n  image: images/gradient.png\n  resolution: 480p\nvideos:\n  - prompt: A gradient sky slowly shifts\n    seed: 2\n  - prompt: A gradient sea rolls\n    seed: 3\n',
  'prompts/bad.yml': 'prompt: Broken on purpose\nimage: images/cells.png\nnumFrames: 200\n',
};
const PR_EVENT = {
  name: 'pull_request',
  payload: {
    action: 'synchronize',
    number: 42,
    pull_request: { number: 42, head: { sha: 'abc', repo: { full_name: 'octo/demo', fork: false } } },
    repository: { full_name: 'octo/demo' },
  },
};

describe('the GitHub Action bundle, as the runner runs it', () => {
  let first: { jobIds: Record<string, string>; artifactId: number };

  it('renders every prompt file, uploads the MP4s, sets the outputs, writes the summary, annotates the bad file and comments once', async () => {
    const dirs = await checkout(PROMPTS);
    const result = await run(dirs, {
      event: PR_EVENT,
      inputs: { 'comment-on-pr': 'true', 'fail-on-error': 'false' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);

    // Three paid jobs, one per valid video; the broken file renders nothing.
    expect(paidSubmits()).toHaveLength(3);

    // The artifact: each MP4 came from the job the manifest names, with the input of that job.
    const { artifact, entries, manifest } = artifactFiles();
    expect(Object.keys(entries).sort()).toEqual(['cat.mp4', 'manifest.json', 'multi-1.mp4', 'multi-2.mp4']);
    expect(artifact.mimeType).toBe('application/zip');
    expectVideosFromTheirJobs(entries, manifest.videos);
    first = {
      jobIds: Object.fromEntries(manifest.videos.map((v) => [v.name, v.jobId])),
      artifactId: artifact.id,
    };

    // Outputs.
    const o = result.outputs;
    expect(o.rendered).toBe('3');
    expect(o.skipped).toBe('0');
    expect(o.failed).toBe('0');
    expect(Number(o['creative-units'])).toBeGreaterThan(0);
    expect(o['artifact-id']).toBe(String(artifact.id));
    expect(o['artifact-url']).toBe(`https://github.com/octo/demo/actions/runs/${runId}/artifacts/${artifact.id}`);
    expect(o.manifest).toBe('scenario-videos/manifest.json');
    const videos = JSON.parse(o.videos!) as Array<Record<string, unknown>>;
    expect(videos.map((v) => [v.name, v.source, v.status, v.file])).toEqual([
      ['cat', 'prompts/cat.yml', 'rendered', 'scenario-videos/cat.mp4'],
      ['multi-1', 'prompts/multi.yml', 'rendered', 'scenario-videos/multi-1.mp4'],
      ['multi-2', 'prompts/multi.yml', 'rendered', 'scenario-videos/multi-2.mp4'],
    ]);
    expect(videos.every((v) => typeof v.jobId === 'string' && typeof v.bytes === 'number' && v.error === null)).toBe(
      true,
    );
    const total = videos.reduce((sum, v) => sum + (v.creativeUnits as number), 0);
    expect(Number(o['creative-units'])).toBeCloseTo(total, 3);
    // The manifest on disk is the one the output names.
    const onDisk = JSON.parse(await readFile(path.join(dirs.workspace, o.manifest!), 'utf8')) as {
      totals: { rendered: number };
    };
    expect(onDisk.totals.rendered).toBe(3);

    // The bad prompt file is annotated at its file and line, and listed in the summary.
    expect(result.stdout).toMatch(
      /^::error title=Invalid prompt file,file=prompts\/bad\.yml,line=3(,col=\d+)?::numFrames: /m,
    );

    // The job summary: one table row per video with its job id, and a link to the artifact.
    expect(result.summary).toContain(
      '| Video | Source file | Status | Job id | Duration | Creative units | Artifact |',
    );
    for (const [name, jobId] of Object.entries(first.jobIds)) {
      expect(result.summary).toMatch(
        new RegExp(`^\\| ${name} \\| \`prompts/[a-z]+\\.yml\` \\| ✅ rendered \\| \`${jobId}\` \\|`, 'm'),
      );
    }
    expect(result.summary).toContain(o['artifact-url']);
    expect(result.summary).toContain('prompts/bad.yml:3');

    // One PR comment, found later by its hidden marker.
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.issueNumber).toBe(42);
    expect(gh.comments[0]!.body).toContain('<!-- scenario-video:scenario-videos -->');
    expect(gh.comments[0]!.body).toContain(first.jobIds.cat);

    // The cache now holds each video under its content hash, and the ledger.
    expect(gh.caches.filter((c) => c.finalized && c.key.startsWith('scenario-video-v1-'))).toHaveLength(3);
    // (saved after the submits, then again once the jobs completed)
    expect(
      gh.caches.filter((c) => c.finalized && c.key.startsWith('scenario-video-ledger-v1-')).length,
    ).toBeGreaterThanOrEqual(1);
  }, 90_000);

  it('on the next run restores unchanged videos from the cache (nothing submitted) and updates the comment in place', async () => {
    expect(first, 'needs the first test').toBeDefined();
    const before = fake.state().submissions.length;
    const dirs = await checkout(PROMPTS); // a fresh checkout: no output folder
    const result = await run(dirs, { event: PR_EVENT, inputs: { 'comment-on-pr': 'true', 'fail-on-error': 'false' } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(fake.state().submissions.length).toBe(before); // not even a quote
    expect(result.outputs.rendered).toBe('0');
    expect(result.outputs.skipped).toBe('3');
    expect(result.outputs['creative-units']).toBe('0');

    // The restored videos are uploaded again, byte for byte the ones the first run's jobs made.
    const { artifact, entries, manifest } = artifactFiles();
    expect(artifact.id).not.toBe(first.artifactId);
    expect(Object.fromEntries(manifest.videos.map((v) => [v.name, v.jobId]))).toEqual(first.jobIds);
    expectVideosFromTheirJobs(entries, manifest.videos);
    expect(result.summary).toMatch(/^\| cat \| `prompts\/cat\.yml` \| ♻️ unchanged \|/m);

    // Still one comment, now saying so.
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('♻️ unchanged');
    expect(gh.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/issues/comments/'))).toHaveLength(1);
    expect(gh.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/issues/42/comments'))).toHaveLength(1);
  }, 90_000);

  it('dry-run validates every file and quotes the total cost without rendering', async () => {
    const before = paidSubmits().length;
    const dirs = await checkout({
      ...PROMPTS,
      'prompts/new.yml': 'prompt: A brand new idea\nimage: images/cells.png\n',
    });
    const result = await run(dirs, { inputs: { 'dry-run': 'true' } });
    expect(result.code, result.stdout + result.stderr).toBe(1); // bad.yml, and fail-on-error defaults to true
    expect(paidSubmits().length).toBe(before);
    // Only the new video is quoted: the other three are in the ledger (cached) as paid jobs, free to fetch again.
    const quotes = fake.state().submissions.filter((s) => s.dryRun && s.status === 269);
    expect(quotes.map((q) => q.input.prompt)).toEqual(['A brand new idea']);
    expect(Number(result.outputs['creative-units'])).toBeGreaterThan(0);
    expect(result.outputs.rendered).toBe('0');
    expect(result.outputs['artifact-id']).toBe('');
    expect(result.summary).toMatch(/Dry run: 4 videos would cost \*\*[\d.]+ creative units\*\*/);
    expect(result.stdout).toMatch(/^::error title=Invalid prompt file,file=prompts\/bad\.yml,line=3/m);
    expect(gh.artifacts).toHaveLength(0);
  }, 90_000);

  it('on a fork pull request without secrets: a notice, validation only, exit 0', async () => {
    const before = fake.state().submissions.length;
    const requestsBefore = Object.values(fake.state().requests).reduce((a, b) => a + b, 0);
    const dirs = await checkout({ 'prompts/cat.yml': PROMPTS['prompts/cat.yml'] });
    const result = await run(dirs, {
      event: {
        name: 'pull_request',
        payload: {
          number: 7,
          pull_request: { number: 7, head: { repo: { full_name: 'someone/demo', fork: true } } },
          repository: { full_name: 'octo/demo' },
        },
      },
      inputs: { 'api-key': '', 'api-secret': '' },
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^::notice title=Scenario videos%3A validation only::.*forks get no secrets/m);
    expect(fake.state().submissions.length).toBe(before);
    expect(Object.values(fake.state().requests).reduce((a, b) => a + b, 0)).toBe(requestsBefore);
    expect(result.outputs.rendered).toBe('0');
    expect(result.summary).toContain('Validated 1 video');
    expect(gh.artifacts).toHaveLength(0);
  }, 60_000);

  it('fail-on-error: a failed video fails the step, the finished one is still uploaded; false keeps the step green', async () => {
    fake.setOptions({
      outcomes: [{ outcome: 'failure', promptIncludes: 'doomed', error: 'GPU on fire', hint: 'try again' }],
    });
    try {
      const files = {
        'prompts/ok.yml': 'prompt: A fine little loop\nimage: images/cells.png\nresolution: 480p\n',
        'prompts/doomed.yml': 'prompt: A doomed render\nimage: images/gradient.png\nresolution: 480p\n',
      };
      const strict = await run(await checkout(files), { inputs: { 'skip-unchanged': 'false' } });
      expect(strict.code).toBe(1);
      expect(strict.outputs.failed).toBe('1');
      expect(strict.outputs.rendered).toBe('1');
      const { entries, manifest } = artifactFiles();
      expect(Object.keys(entries).sort()).toEqual(['manifest.json', 'ok.mp4']);
      expectVideosFromTheirJobs(
        entries,
        manifest.videos.filter((v) => v.status === 'rendered'),
      );
      expect(strict.stdout).toMatch(/^::error::1 video\(s\) failed/m);
      expect(strict.summary).toContain('GPU on fire');

      const lenient = await run(await checkout(files), {
        inputs: { 'skip-unchanged': 'false', 'fail-on-error': 'false' },
      });
      expect(lenient.code, lenient.stdout).toBe(0);
      expect(lenient.outputs.failed).toBe('1');
      expect(artifactFiles().entries['ok.mp4']).toBeDefined();
    } finally {
      fake.setOptions({ outcomes: [] });
    }
  }, 120_000);

  it('a cancelled run (SIGINT, then SIGTERM) saves the ledger to the cache; the re-run resumes the job without submitting again', async () => {
    fake.setOptions({ jobDurationMs: 5000 });
    try {
      const files = {
        'prompts/slow.yml': 'prompt: A slow sunrise over cells\nimage: images/cells.png\nresolution: 480p\n',
      };
      const submitsBefore = paidSubmits().length;
      const ledgersBefore = gh.caches.filter(
        (c) => c.key.startsWith('scenario-video-ledger-v1-') && c.finalized,
      ).length;
      let signalled = false;
      const cancelled = await run(await checkout(files), {
        onStdout: (text, child) => {
          if (!signalled && /slow: submitted job_/.test(text)) {
            signalled = true;
            child.kill('SIGINT');
            setTimeout(() => child.kill('SIGTERM'), 300).unref();
          }
        },
      });
      expect(signalled, cancelled.stdout + cancelled.stderr).toBe(true);
      expect(cancelled.code).not.toBe(0);
      expect(cancelled.stdout).toContain('SIGINT: cancelling');
      expect(paidSubmits().length).toBe(submitsBefore + 1);
      const jobId = paidSubmits().at(-1)!.jobId!;
      expect(cancelled.summary).toContain('cancelled');
      expect(
        gh.caches.filter((c) => c.key.startsWith('scenario-video-ledger-v1-') && c.finalized).length,
      ).toBeGreaterThan(ledgersBefore);

      // Re-run on a fresh runner: the ledger comes from the cache, the job is adopted, nothing is paid twice.
      const resumed = await run(await checkout(files), { runAttempt: 2 });
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(paidSubmits().length).toBe(submitsBefore + 1);
      expect(resumed.outputs.rendered).toBe('1');
      expect(resumed.stdout).toContain(`slow: resumed ${jobId}`);
      const { entries, manifest } = artifactFiles();
      expect(manifest.videos[0]!.jobId).toBe(jobId);
      expectVideosFromTheirJobs(entries, manifest.videos);
    } finally {
      fake.setOptions({ jobDurationMs: 1200 });
    }
  }, 120_000);

  it('artifact-per-video: each MP4 is its own artifact, not zipped, and its summary row links to it', async () => {
    const dirs = await checkout({
      'prompts/owl.yml': 'prompt: An owl made of cells blinks\nimage: images/cells.png\nresolution: 480p\n',
      'prompts/fox.yml': 'prompt: A gradient fox runs\nimage: images/gradient.png\nresolution: 480p\n',
    });
    const result = await run(dirs, { inputs: { 'artifact-per-video': 'true' } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(
      gh.artifacts
        .filter((a) => a.finalized)
        .map((a) => a.name)
        .sort(),
      result.stdout,
    ).toEqual(['fox.mp4', 'owl.mp4', 'scenario-videos']);
    // The manifest alone in the zip named by artifact-name (the outputs point to it).
    const { artifact, entries, manifest } = artifactFiles();
    expect(Object.keys(entries)).toEqual(['manifest.json']);
    expect(result.outputs['artifact-id']).toBe(String(artifact.id));
    for (const v of manifest.videos) {
      // Each MP4 stored as it is: the same bytes as on disk, from the job the manifest names.
      const own = gh.artifacts.find((a) => a.name === v.file)!;
      expect(own.mimeType).toBe('video/mp4');
      const onDisk = await readFile(path.join(dirs.workspace, 'scenario-videos', v.file!));
      expect(Buffer.compare(own.bytes!, onDisk)).toBe(0);
      expectVideosFromTheirJobs({ [v.file!]: new Uint8Array(own.bytes!) }, [v]);
      expect(result.summary).toMatch(
        new RegExp(
          `^\\| ${v.name} \\| .*\\| \\[${v.file!.replace('.', '\\.')}\\]\\(https://[^)]+/artifacts/${own.id}\\) \\|$`,
          'm',
        ),
      );
    }
    expect(result.summary).toContain('Artifacts: one per video, unzipped');
  }, 90_000);

  it('leaks no credential into stdout, stderr, the summary, outputs, manifests or artifacts, and the fake saw no client mistakes', async () => {
    expect(seen.length).toBeGreaterThan(10);
    for (const { what, text } of seen) {
      const haystack = typeof text === 'string' ? text : Buffer.from(text).toString('latin1');
      for (const secret of SECRETS) expect(haystack.includes(secret), `${what} contains a credential`).toBe(false);
    }
    // Cache entries (videos and ledgers) too.
    for (const c of gh.caches) {
      if (!c.bytes) continue;
      const text = c.bytes.toString('latin1');
      for (const secret of SECRETS) expect(text.includes(secret)).toBe(false);
    }
    expect(fake.state().hazards).toEqual({ authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 });
  });
});
