import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createManualClock,
  readFakeVideoIdentity,
  startFakeScenario,
  type FakeScenario,
  type FakeScenarioOptions,
} from '@scenario-video/fake-api';
import type { BatchEvent } from '../batch/events.js';
import type { Manifest } from '../batch/manifest.js';

// The CLI runs as a real child process, from the build (`pnpm test` builds first).
const bin = fileURLToPath(new URL('../../dist/cli/bin.js', import.meta.url));
const images = fileURLToPath(new URL('../../../examples/prompts/images/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

function hasFfprobe(): boolean {
  try {
    execFileSync('ffprobe', ['-version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let repo: string;
let fake: FakeScenario | undefined;
const children = new Set<ChildProcess>();

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);
});

beforeEach(async () => {
  repo = await realpath(await mkdtemp(path.join(tmpdir(), 'sv-cli-')));
  await mkdir(path.join(repo, '.git'));
  await mkdir(path.join(repo, 'prompts', 'images'), { recursive: true });
  await copyFile(path.join(images, 'cells.png'), path.join(repo, 'prompts', 'images', 'cells.png'));
  await write('prompts/cells.yml', 'prompt: cells ripple\nimage: images/cells.png\n');
  await write(
    'prompts/more.yml',
    'defaults:\n  image: images/cells.png\nvideos:\n  - prompt: cells spin\n  - prompt: cells fade\n',
  );
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await fake?.close();
  fake = undefined;
  await rm(repo, { recursive: true, force: true });
});

async function write(rel: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
  await writeFile(path.join(repo, rel), text);
}

async function startFake(options: FakeScenarioOptions = {}): Promise<FakeScenario> {
  fake = await startFakeScenario({ jobDurationMs: 300, ...options });
  return fake;
}

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], env: Record<string, string | undefined> = {}): Run {
  const credentials = fake
    ? {
        SCENARIO_SDK_API_KEY: fake.credentials.apiKey,
        SCENARIO_SDK_API_SECRET: fake.credentials.apiSecret,
        SCENARIO_API_URL: fake.url,
      }
    : {};
  const childEnv: Record<string, string | undefined> = { ...process.env, ...credentials, ...env };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repo,
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, stdout: () => out, stderr: () => err, exit };
}

/** Wait (bounded) until `predicate` holds. */
async function until(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Complete lines only: output read while the child runs may end in the middle of one. */
const completeLines = (text: string) => text.slice(0, text.lastIndexOf('\n') + 1).split('\n');
const jsonLines = (text: string) =>
  completeLines(text)
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as BatchEvent);
const paidSubmits = (f: FakeScenario) => f.state().submissions.filter((s) => !s.dryRun).length;
const waitingVideos = (text: string) =>
  new Set(
    jsonLines(text)
      .filter((e) => e.type === 'video' && e.phase === 'waiting')
      .map((e) => (e as { name: string }).name),
  );

// Child processes on a busy CI machine: a generous bound (no speed is asserted).
describe('scenario-video CLI', { timeout: 60_000 }, () => {
  it('prints help and refuses unknown commands and bad options', async () => {
    const help = run(['--help']);
    expect(await help.exit).toBe(0);
    expect(help.stdout()).toMatch(/scenario-video render \[globs…\]/);
    const bad = run(['paint']);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/unknown command "paint"/);
    const badOpt = run(['render', '--concurrency', 'lots']);
    expect(await badOpt.exit).toBe(2);
    expect(badOpt.stderr()).toMatch(/--concurrency must be a whole number/);
  });

  it('says which credentials are missing', async () => {
    const r = run(['render'], { SCENARIO_SDK_API_KEY: undefined, SCENARIO_SDK_API_SECRET: 'shh-secret' });
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(/SCENARIO_SDK_API_KEY is not set/);
    expect(r.stderr()).toMatch(/--fake/);
    expect(r.stderr()).not.toContain('shh-secret');
  });

  it('renders with --json: every stdout line is JSON, the last one the result', async () => {
    const f = await startFake({
      credentials: [{ apiKey: 'key-123', apiSecret: 'very-secret-value', teamId: 'team_x' }],
    });
    const r = run(['render', '--json', '--out', 'videos'], {
      SCENARIO_SDK_API_KEY: 'key-123',
      SCENARIO_SDK_API_SECRET: 'very-secret-value',
    });
    expect(await r.exit).toBe(0);
    const events = jsonLines(r.stdout());
    expect(events[0]).toMatchObject({ type: 'discovered', files: ['prompts/cells.yml', 'prompts/more.yml'] });
    const last = events.at(-1)!;
    expect(last.type).toBe('finished');
    const manifest = (last as { manifest: Manifest }).manifest;
    expect(manifest.totals).toMatchObject({ videos: 3, rendered: 3, failed: 0 });
    expect(await readdir(path.join(repo, 'videos'))).toEqual(
      expect.arrayContaining(['cells.mp4', 'more-1.mp4', 'more-2.mp4', 'manifest.json']),
    );
    expect(paidSubmits(f)).toBe(3);
    // The secret is never printed, nor written to the manifest or the ledger.
    const written = await Promise.all(
      ['manifest.json', '.scenario-video-ledger.json'].map((n) => readFile(path.join(repo, 'videos', n), 'utf8')),
    );
    for (const text of [r.stdout(), r.stderr(), ...written]) expect(text).not.toContain('very-secret-value');

    // Unchanged: nothing rendered, nothing paid.
    const again = run(['render', '--json', '--out', 'videos']);
    expect(await again.exit).toBe(0);
    const result = jsonLines(again.stdout()).at(-1) as { manifest: Manifest };
    expect(result.manifest.totals).toMatchObject({ rendered: 0, skipped: 3 });
    expect(paidSubmits(f)).toBe(3);
  });

  it('exits non-zero when a video fails or a file is broken, and names the file, line and field', async () => {
    await startFake({ outcomes: [{ outcome: 'failure', promptIncludes: 'fade', error: 'Moderation' }] });
    await write('prompts/broken.yml', 'prompt: a cat\nimage: images/cells.png\nframesPerSecond: 60\n');
    const r = run(['render', '--out', 'out']);
    expect(await r.exit).toBe(1);
    expect(r.stderr()).toContain('prompts/broken.yml:3:18: framesPerSecond: must be between 5 and 24 (got 60)');
    expect(r.stderr()).toMatch(/more-2: failed: Job job_\w+ failed: Moderation/);
    expect(r.stderr()).toMatch(/2 rendered, 0 unchanged, 1 failed, 1 invalid file; 14.5 creative units spent/);
    const manifest = JSON.parse(await readFile(path.join(repo, 'out', 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.videos.map((v) => [v.name, v.status])).toEqual([
      ['cells', 'rendered'],
      ['more-1', 'rendered'],
      ['more-2', 'failed'],
    ]);
  });

  it('prints the quoted cost with --dry-run and renders nothing', async () => {
    const f = await startFake();
    const r = run(['render', '--dry-run', '--out', 'out']);
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toMatch(/Quoted 3 videos: [\d.]+ creative units in all; nothing was rendered\./);
    expect(r.stderr()).toMatch(/cells: quote: [\d.]+ CU/);
    expect(paidSubmits(f)).toBe(0);
  });

  it('resumes after a crash and after Ctrl-C from the ledger, with zero new submits', async () => {
    const clock = createManualClock();
    const f = await startFake({ clock, jobDurationMs: 120_000 });

    // 1. Killed hard while waiting (a crash): the ledger was written before waiting started.
    const crashed = run(['render', '--json', '--out', 'out']);
    await until(() => waitingVideos(crashed.stdout()).size === 3, 'all three jobs to be waited on');
    crashed.child.kill('SIGKILL');
    await crashed.exit;
    expect(paidSubmits(f)).toBe(3);
    const ledger = JSON.parse(await readFile(path.join(repo, 'out', '.scenario-video-ledger.json'), 'utf8')) as {
      entries: Record<string, { jobId: string }>;
    };
    const jobIds = Object.values(ledger.entries)
      .map((e) => e.jobId)
      .sort();
    expect(jobIds).toEqual([...f.state().jobIds].sort());

    // 2. Run again: the jobs are resumed, not submitted; then Ctrl-C.
    const interrupted = run(['render', '--out', 'out']);
    await until(() => (interrupted.stderr().match(/: resumed job_/g) ?? []).length === 3, 'three resumed jobs');
    await until(() => (interrupted.stderr().match(/: pending|: queued|: in-progress/g) ?? []).length >= 3, 'polling');
    interrupted.child.kill('SIGINT');
    expect(await interrupted.exit).toBe(130);
    expect(interrupted.stderr()).toMatch(
      /Stopped waiting\. 3 jobs still running on Scenario, recorded in out\/\.scenario-video-ledger\.json/,
    );
    // The summary counts the same jobs as the cancel message.
    expect(interrupted.stderr()).toMatch(/, 3 jobs still running on Scenario; /);
    expect(interrupted.stderr()).toContain('Resume (nothing is submitted twice): scenario-video render --out out');
    expect(paidSubmits(f)).toBe(3);

    // 3. The jobs finish; the next run downloads them, still without submitting.
    clock.advance(121_000);
    const finished = run(['render', '--json', '--out', 'out']);
    expect(await finished.exit).toBe(0);
    const manifest = (jsonLines(finished.stdout()).at(-1) as { manifest: Manifest }).manifest;
    expect(manifest.totals).toMatchObject({ rendered: 3, failed: 0, interrupted: 0 });
    expect(paidSubmits(f)).toBe(3);
    expect(manifest.videos.map((v) => v.jobId).sort()).toEqual(jobIds);
    for (const v of manifest.videos) {
      expect(readFakeVideoIdentity(path.join(repo, 'out', v.file!)).jobId).toBe(v.jobId);
    }
  });

  it('renders the examples with --fake (the demo), into playable MP4s and a manifest', async () => {
    const examplesDir = fileURLToPath(new URL('../../../examples/prompts/', import.meta.url));
    const outDir = path.join(repo, 'demo-out');
    const inRepo = run(
      [
        'render',
        path.join(examplesDir, '*.{yml,yaml,json,md}'),
        '--fake',
        '--out',
        outDir,
        '-c',
        '6',
        '--root',
        repoRoot,
      ],
      { SCENARIO_SDK_API_KEY: undefined, SCENARIO_SDK_API_SECRET: undefined, CI: 'true', NO_COLOR: '1' },
    );
    expect(await inRepo.exit).toBe(0);
    expect(inRepo.stderr()).toMatch(/6 rendered, 0 unchanged, 0 failed/);
    expect(inRepo.stderr()).toMatch(/Videos are in .*demo-out/);
    const manifest = JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.videos.map((v) => v.file).sort()).toEqual([
      'dawn-loop.mp4',
      'fractal-dive.mp4',
      'patterns-1.mp4',
      'patterns-2.mp4',
      'sunrise.mp4',
      'weave.mp4',
    ]);
    if (hasFfprobe()) {
      for (const v of manifest.videos) {
        const probe = execFileSync('ffprobe', [
          '-v',
          'error',
          '-show_entries',
          'stream=codec_type',
          '-of',
          'csv=p=0',
          path.join(outDir, v.file!),
        ]);
        expect(probe.toString()).toContain('video');
      }
    }
  });

  it('runs the fake API in the foreground until Ctrl-C', async () => {
    const server = run(['fake-api', '--json']);
    await until(() => server.stdout().includes('\n'), 'the fake API to start');
    const info = JSON.parse(server.stdout().split('\n')[0]!) as { url: string; apiKey: string; apiSecret: string };
    expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const auth = Buffer.from(`${info.apiKey}:${info.apiSecret}`).toString('base64');
    const res = await fetch(`${info.url}/jobs/job_nope`, { headers: { authorization: `Basic ${auth}` } });
    expect(res.status).toBe(404);
    server.child.kill('SIGINT');
    expect(await server.exit).toBe(0);
  });

  it('shows a job and downloads its video', async () => {
    await startFake();
    const rendered = run(['render', '--json', '--out', 'out', 'prompts/cells.yml']);
    expect(await rendered.exit).toBe(0);
    const manifest = (jsonLines(rendered.stdout()).at(-1) as { manifest: Manifest }).manifest;
    const jobId = manifest.videos[0]!.jobId!;

    const shown = run(['job', jobId, '--download', 'again', '--json']);
    expect(await shown.exit).toBe(0);
    const result = JSON.parse(shown.stdout()) as { status: string; files: Array<{ file: string; bytes: number }> };
    expect(result.status).toBe('success');
    expect(result.files).toHaveLength(1);
    expect(readFakeVideoIdentity(result.files[0]!.file).jobId).toBe(jobId);

    const plain = run(['job', jobId]);
    expect(await plain.exit).toBe(0);
    expect(plain.stdout()).toContain(`${jobId}: success`);
  });

  it('lists the recent jobs, newest first, with a hint to fetch one; --json is one document', async () => {
    await startFake();
    await write(
      'prompts/long.yml',
      `prompt: ${'a very long prompt about cells '.repeat(6)}\nimage: images/cells.png\n`,
    );
    const rendered = run(['render', '--json', '--out', 'out', 'prompts/cells.yml', 'prompts/long.yml']);
    expect(await rendered.exit).toBe(0);
    const manifest = (jsonLines(rendered.stdout()).at(-1) as { manifest: Manifest }).manifest;
    const ids = manifest.videos.map((v) => v.jobId!);

    const table = run(['jobs'], { TZ: 'UTC' });
    expect(await table.exit).toBe(0);
    const lines = table.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CREATED\s+STATUS\s+PROGRESS\s+CU\s+JOB ID\s+PROMPT$/);
    expect(lines).toHaveLength(3);
    for (const line of lines.slice(1)) {
      expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+success\s+100%\s+[\d.]+\s+job_\w+\s+\S/);
      expect(line.length).toBeLessThanOrEqual(140);
    }
    expect(table.stdout()).toContain('cells ripple');
    expect(table.stdout()).toMatch(/a very long prompt about cells a very.*…/);
    // Newest first: the two renders ran together, so compare with the API's creation times.
    const json = run(['jobs', '--json']);
    expect(await json.exit).toBe(0);
    const doc = JSON.parse(json.stdout()) as {
      jobs: Array<{ jobId: string; createdAt: string; prompt: string }>;
      more: boolean;
    };
    expect(doc.jobs.map((j) => j.jobId).sort()).toEqual([...ids].sort());
    expect(doc.jobs.map((j) => j.createdAt)).toEqual(
      doc.jobs
        .map((j) => j.createdAt)
        .sort()
        .reverse(),
    );
    expect(doc.more).toBe(false);
    expect(lines.slice(1).map((l) => /job_\w+/.exec(l)![0])).toEqual(doc.jobs.map((j) => j.jobId));
    expect(table.stderr()).toMatch(/2 jobs, newest first\. Fetch one: scenario-video job <jobId> --download DIR/);

    const one = run(['jobs', '--limit', '1', '--json']);
    expect(await one.exit).toBe(0);
    expect(JSON.parse(one.stdout())).toMatchObject({ jobs: [{ jobId: doc.jobs[0]!.jobId }], more: true });
  });

  it('jobs and job work with --fake (the embedded fake starts empty)', async () => {
    const env = { SCENARIO_SDK_API_KEY: undefined, SCENARIO_SDK_API_SECRET: undefined };
    const jobs = run(['jobs', '--fake'], env);
    expect(await jobs.exit).toBe(0);
    expect(jobs.stderr()).toMatch(/No jobs yet\. \(The embedded fake starts empty each time\.\)/);
    const job = run(['job', 'job_nope', '--fake'], env);
    expect(await job.exit).toBe(1);
    expect(job.stderr()).toMatch(/job job_nope not found: the embedded fake \(--fake\) starts empty/);
    expect(job.stderr()).not.toMatch(/Unknown option|unknown option/);
  });

  it('usage errors are one line: the flag, a suggestion and --help; never a stack trace', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ['render', '--outt', 'x'],
        {},
        /^scenario-video: unknown option --outt for render; did you mean --out\? \(see scenario-video render --help\)\n$/,
      ],
      [
        ['job', 'job_1', '--base-url', 'api.cloud.scenario.com/v1'],
        {},
        /did you mean https:\/\/api\.cloud\.scenario\.com\/v1\? \(see scenario-video job --help\)\n$/,
      ],
      [
        ['jobs'],
        { SCENARIO_API_URL: 'localhost:8080/v1', SCENARIO_SDK_API_KEY: 'k', SCENARIO_SDK_API_SECRET: 's' },
        /^scenario-video: SCENARIO_API_URL must be an http\(s\) URL .*\n$/,
      ],
    ];
    for (const [argv, env, message] of cases) {
      const r = run(argv, env);
      expect(await r.exit).toBe(2);
      expect(r.stderr()).toMatch(message);
      expect(r.stderr().trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr()).not.toMatch(/\n\s+at /);
    }
  });

  it('a wrong secret stops the run at the first 401 with one message about the credentials', async () => {
    const f = await startFake({ credentials: [{ apiKey: 'key-1', apiSecret: 'right-secret', teamId: 't' }] });
    const r = run(['render', '--out', 'out'], {
      SCENARIO_SDK_API_KEY: 'key-1',
      SCENARIO_SDK_API_SECRET: 'wrong-secret',
    });
    expect(await r.exit).toBe(2);
    const err = r.stderr();
    expect(err).toMatch(
      /Scenario refused the API key and secret \(401 Unauthorized from http:\/\/127\.0\.0\.1:\d+\/v1\)/,
    );
    expect(err.match(/refused|Unauthorized/g)).toHaveLength(2); // one message (its two mentions), not one per video
    expect(err).not.toMatch(/failed:|Videos are in|rendered, /);
    expect(err).not.toContain('wrong-secret');
    expect(paidSubmits(f)).toBe(0);
  });

  it('an unreachable API stops the run with one message, not a failure per video', async () => {
    // A port with nothing listening: taken, then released.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const r = run(['render', '--out', 'out'], {
      SCENARIO_API_URL: `http://127.0.0.1:${port}/v1`,
      SCENARIO_SDK_API_KEY: 'k',
      SCENARIO_SDK_API_SECRET: 's',
    });
    expect(await r.exit).toBe(2);
    expect(r.stderr()).toMatch(new RegExp(`cannot reach the Scenario API at http://127\\.0\\.0\\.1:${port}/v1`));
    expect(r.stderr().match(/cannot reach/g)).toHaveLength(1);
    expect(r.stderr()).not.toMatch(/failed:|Videos are in/);
  });

  it('plain mode says when videos wait for a team slot, and why', async () => {
    await startFake({ teamConcurrencyLimit: 1, jobDurationMs: 1500 });
    const r = run(['render', '--out', 'out', '-c', '3'], { CI: 'true' });
    expect(await r.exit).toBe(0);
    expect(r.stderr()).toMatch(/: waiting for a team slot: the team's limit of generations at once is reached/);
    expect(r.stderr()).toMatch(/3 rendered, 0 unchanged, 0 failed/);
  });

  it('render --dry-run without credentials validates offline and says the quote needs them', async () => {
    const env = { SCENARIO_SDK_API_KEY: undefined, SCENARIO_SDK_API_SECRET: undefined };
    const ok = run(['render', '--dry-run', '--out', 'out'], env);
    expect(await ok.exit).toBe(0);
    expect(ok.stderr()).toMatch(
      /SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET are not set: validating the prompt files offline/,
    );
    expect(ok.stderr()).toMatch(
      /3 videos valid, not quoted \(Scenario quotes the cost; that needs SCENARIO_SDK_API_KEY/,
    );
    const manifest = JSON.parse(await readFile(path.join(repo, 'out', 'manifest.dry-run.json'), 'utf8')) as Manifest;
    expect(manifest.videos.map((v) => [v.name, v.status, v.creativeUnits])).toEqual([
      ['cells', 'quoted', null],
      ['more-1', 'quoted', null],
      ['more-2', 'quoted', null],
    ]);

    await write('prompts/broken.yml', 'prompt: a cat\nimage: images/cells.png\nframesPerSecond: 60\n');
    const broken = run(['render', '--dry-run', '--out', 'out'], env);
    expect(await broken.exit).toBe(1);
    expect(broken.stderr()).toContain('prompts/broken.yml:3:18: framesPerSecond: must be between 5 and 24 (got 60)');
    expect(broken.stderr()).toMatch(/; 1 invalid file\./);
  });

  it("puts scenario-video on the PATH with the README's set-up (npm link in action/)", async () => {
    const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
    const setUp = readme.slice(readme.indexOf('## Set up'));
    const command = /```sh\n(.*)\n```/.exec(setUp)![1]!;
    expect(command).toContain('pnpm build && (cd action && npm link)');
    // The same link, into a throwaway global prefix (nothing leaves this machine: --offline).
    const prefix = path.join(repo, 'npm-prefix');
    execFileSync('npm', ['link', '--offline', '--no-audit', '--no-fund'], {
      cwd: path.join(repoRoot, 'action'),
      env: { ...process.env, NPM_CONFIG_PREFIX: prefix },
      stdio: 'ignore',
    });
    const onPath = execFileSync('scenario-video', ['--version'], {
      env: { ...process.env, PATH: `${path.join(prefix, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` },
    });
    const pkg = JSON.parse(await readFile(path.join(repoRoot, 'action', 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(onPath.toString().trim()).toBe(pkg.version);
  });
});
