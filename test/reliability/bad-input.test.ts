// Bad input across prompt files, CLI flags and GitHub Action inputs: every case gets an error a
// user can act on, naming the file, line and field (prompt files) or the flag / input, nothing is
// paid for it, and the valid work of the same run still completes.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INPUTS, type InputName, type OutputName } from '../../action/src/action/inputs.js';
import type { ActionDeps, AnnotationAt } from '../../action/src/action/ports.js';
import { run as runAction } from '../../action/src/action/run.js';
import type { BatchEvent } from '../../action/src/batch/events.js';
import { renderBatch, type BatchResult } from '../../action/src/batch/render.js';
import { main as cliMain } from '../../action/src/cli/main.js';
import { startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import {
  API_KEY,
  API_SECRET,
  CREDENTIALS,
  NO_HAZARDS,
  auditSubmits,
  checkVideo,
  keep,
  makeRepo,
  recordCounts,
  repoRoot,
  startRig,
  writeIn,
  type Rig,
} from './support.js';

const counts = { 'prompt-files': 0, cli: 0, action: 0 };
afterAll(() => {
  for (const [area, cases] of Object.entries(counts)) recordCounts(`bad-input-${area}`, { cases });
});

/** A loopback server whose one image is larger than any face accepts (50 MB): streamed, never held. */
async function hugeImageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    const chunk = Buffer.alloc(1024 * 1024);
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(chunk);
    let sent = 0;
    const more = () => {
      while (sent < 60) {
        sent++;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    req.on('close', () => res.destroy());
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/huge.png`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// ---- prompt files: one batch with every broken file beside valid ones ----

interface FileCase {
  what: string;
  file: string;
  text: string;
  /** Expected issue: line, field and message (the file is the case's). */
  line?: number;
  field: string;
  message: RegExp;
}

const Y = (s: string) => `${s}\n`;
const FILE_CASES: FileCase[] = [
  {
    what: 'malformed YAML (an unclosed quote)',
    file: 'prompts/bad-yaml.yml',
    text: Y('prompt: "unclosed\nimage: images/cells.png'),
    line: 1,
    field: 'prompt',
    message: /closing "?quote/i,
  },
  {
    what: 'malformed JSON (a trailing comma)',
    file: 'prompts/bad-json.json',
    text: '{\n  "prompt": "x",\n  "image": "images/cells.png",\n}\n',
    line: 4,
    field: '(syntax)',
    message: /not valid JSON/,
  },
  {
    what: 'malformed front matter',
    file: 'prompts/bad-front-matter.md',
    text: Y('---\nimage: [images/cells.png\n---\nbody'),
    line: 2,
    field: 'image[0]',
    message: /end with a \]/,
  },
  {
    what: 'Markdown without front matter',
    file: 'prompts/no-front-matter.md',
    text: Y('just a prompt, no fields'),
    line: 1,
    field: '(front matter)',
    message: /start the file with a line ---/,
  },
  {
    what: 'missing prompt',
    file: 'prompts/missing-prompt.yml',
    text: Y('image: images/cells.png\nseed: 3'),
    line: 1,
    field: 'prompt',
    message: /is required/,
  },
  {
    what: 'empty prompt',
    file: 'prompts/empty-prompt.yml',
    text: Y('prompt: ""\nimage: images/cells.png'),
    line: 1,
    field: 'prompt',
    message: /must not be empty/,
  },
  {
    what: 'numFrames out of range',
    file: 'prompts/frames.yml',
    text: Y('prompt: p\nimage: images/cells.png\nnumFrames: 200'),
    line: 3,
    field: 'numFrames',
    message: /between 81 and 100 \(got 200\)/,
  },
  {
    what: 'framesPerSecond of the wrong type',
    file: 'prompts/fps.yml',
    text: Y('prompt: p\nimage: images/cells.png\nframesPerSecond: fast'),
    line: 3,
    field: 'framesPerSecond',
    message: /must be a number \(got "fast"\)/,
  },
  {
    what: 'sampleShift out of range',
    file: 'prompts/shift.yml',
    text: Y('prompt: p\nimage: images/cells.png\nsampleShift: 0'),
    line: 3,
    field: 'sampleShift',
    message: /between 1 and 20/,
  },
  {
    what: 'an unknown resolution',
    file: 'prompts/resolution.yml',
    text: Y('prompt: p\nimage: images/cells.png\nresolution: 1080p'),
    line: 3,
    field: 'resolution',
    message: /"720p", "480p" \(got "1080p"\)/,
  },
  {
    what: 'a seed that is not a whole number',
    file: 'prompts/seed.yml',
    text: Y('prompt: p\nimage: images/cells.png\nseed: 1.5'),
    line: 3,
    field: 'seed',
    message: /whole number/,
  },
  {
    what: 'a last frame without a first frame',
    file: 'prompts/last-only.yml',
    text: Y('prompt: p\nlastFrameImage: images/cells.png'),
    line: 2,
    field: 'lastFrameImage',
    message: /only works together with image/,
  },
  {
    what: 'an image path that leaves the repository (..)',
    file: 'prompts/traversal.yml',
    text: Y('prompt: p\nimage: ../../../etc/passwd.png'),
    line: 2,
    field: 'image',
    message: /leaves the repository/,
  },
  {
    what: 'an image that is a symbolic link out of the repository',
    file: 'prompts/symlink.yml',
    text: Y('prompt: p\nimage: images/escape.png'),
    line: 2,
    field: 'image',
    message: /symbolic link that leaves the repository/,
  },
  {
    what: 'an absolute image path',
    file: 'prompts/absolute.yml',
    text: Y('prompt: p\nimage: /etc/hosts.png'),
    line: 2,
    field: 'image',
    message: /absolute path; write it relative/,
  },
  {
    what: 'an image file that does not exist',
    file: 'prompts/missing-image.yml',
    text: Y('prompt: p\nimage: images/nope.png'),
    line: 2,
    field: 'image',
    message: /file not found: images\/nope.png/,
  },
  {
    what: 'a .png that is not an image',
    file: 'prompts/not-an-image.yml',
    text: Y('prompt: p\nimage: images/text.png'),
    line: 2,
    field: 'image',
    message: /"images\/text.png" is not a PNG, JPEG/,
  },
  {
    what: 'an image with a non-image extension',
    file: 'prompts/text-file.yml',
    text: Y('prompt: p\nimage: images/notes.txt'),
    line: 2,
    field: 'image',
    message: /not an image Scenario accepts/,
  },
  {
    what: 'a misspelt field',
    file: 'prompts/typo.yml',
    text: Y('promt: p\nimage: images/cells.png'),
    line: 1,
    field: 'promt',
    message: /did you mean "prompt"/,
  },
  {
    what: 'an empty list of videos',
    file: 'prompts/no-videos.yml',
    text: Y('videos: []'),
    line: 1,
    field: 'videos',
    message: /at least one video/,
  },
  {
    what: 'a video that is not a mapping',
    file: 'prompts/list-item.yml',
    text: Y('defaults:\n  image: images/cells.png\nvideos:\n  - prompt: ok\n  - 42'),
    line: 5,
    field: 'videos[1]',
    message: /must be a mapping/,
  },
  {
    what: 'an out-of-range default',
    file: 'prompts/defaults.yml',
    text: Y('defaults:\n  image: images/cells.png\n  numFrames: 7\nvideos:\n  - prompt: a'),
    line: 3,
    field: 'defaults.numFrames',
    message: /between 81 and 100 \(got 7\)/,
  },
  {
    what: 'an empty file',
    file: 'prompts/empty.yml',
    text: '',
    line: 1,
    field: '(file)',
    message: /the file is empty/,
  },
  {
    what: 'an output name another file already uses (case-insensitively)',
    file: 'prompts/zz-duplicate.yml',
    text: Y('prompt: b\nimage: images/cells.png\nname: Valid-One'),
    line: 3,
    field: 'name',
    message: /"Valid-One" is already used by prompts\/valid.yml/,
  },
  {
    what: 'unicode and spaces in an output name',
    file: 'prompts/unicode-name.yml',
    text: Y('prompt: café\nimage: images/cells.png\nname: "café vidéo ☕ 1"'),
    line: 3,
    field: 'name',
    message: /may contain only ASCII letters and digits, .* \(no spaces or accents\)/,
  },
  {
    what: 'an output name that climbs out of the output folder',
    file: 'prompts/name-traversal.yml',
    text: Y('prompt: p\nimage: images/cells.png\nname: "../up"'),
    line: 3,
    field: 'name',
    message: /may contain only/,
  },
  {
    what: 'a plain-http image URL',
    file: 'prompts/http-url.yml',
    text: Y('prompt: p\nimage: http://example.com/a.png'),
    line: 2,
    field: 'image',
    message: /use an https:\/\/ URL/,
  },
  {
    what: 'a malformed asset id',
    file: 'prompts/asset-id.yml',
    text: Y('prompt: p\nimage: asset_!!'),
    line: 2,
    field: 'image',
    message: /not a valid asset id/,
  },
  {
    what: 'params that are not a mapping',
    file: 'prompts/params.yml',
    text: Y('prompt: p\nimage: images/cells.png\nparams: 5'),
    line: 3,
    field: 'params',
    message: /must be a mapping/,
  },
  {
    what: 'an oversize prompt file (over 1 MiB)',
    file: 'prompts/oversize.yml',
    text: Y(`prompt: ${'a'.repeat(1024 * 1024 + 10)}\nimage: images/cells.png`),
    line: 1,
    field: '(file)',
    message: /prompt files are limited to 1048576/,
  },
];

describe('prompt files: each broken file is named with line and field; the valid ones render', () => {
  let rig: Rig;
  let repo: string;
  let result: BatchResult;
  let huge: Awaited<ReturnType<typeof hugeImageServer>>;
  const events: BatchEvent[] = [];
  const VALID: Record<string, string> = {
    'prompts/valid.yml': Y('prompt: the valid one\nimage: images/cells.png\nname: valid-one'),
    'prompts/Sunset über Bay.yml': Y('prompt: unicode and spaces in the file name\nimage: images/gradient.png'),
    'prompts/dir with space/clip.md': Y('---\nimage: ../images/cells.png\n---\nA clip from a folder with a space'),
  };

  beforeAll(async () => {
    rig = await startRig({ jobDurationMs: 30_000 });
    huge = await hugeImageServer();
    repo = await makeRepo('bad-files', {
      ...VALID,
      ...Object.fromEntries(FILE_CASES.map((c) => [c.file, c.text])),
      'prompts/huge-url.yml': Y(`prompt: too big\nimage: ${huge.url}`),
    });
    await writeIn(repo, 'prompts/images/text.png', 'hello, I am not an image');
    await writeIn(repo, 'prompts/images/notes.txt', 'notes');
    await symlink('/etc/hostname', path.join(repo, 'prompts', 'images', 'escape.png'));
    result = await renderBatch({
      root: repo,
      outDir: 'out',
      client: rig.client,
      patterns: ['prompts/**/*.{yml,yaml,json,md}', 'videos/**/*.yml'],
      onEvent: (e) => events.push(e),
    });
    keep('bad-files.manifest', JSON.stringify(result.manifest));
  }, 120_000);
  afterAll(async () => {
    await rig?.close();
    await huge?.close();
  });

  it.each(FILE_CASES.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const issues = result.manifest.issues.filter((i) => i.file === c.file);
    const issue = issues.find((i) => i.field === c.field);
    expect(issue, `${c.file}: ${JSON.stringify(issues)}`).toBeDefined();
    expect(issue!.message).toMatch(c.message);
    if (c.line !== undefined) expect(issue!.line).toBe(c.line);
    // A broken file renders nothing.
    expect(result.manifest.videos.filter((v) => v.source === c.file)).toEqual([]);
    counts['prompt-files']++;
  });

  it('an image URL over 50 MB fails that video, naming the URL and the field, before anything is paid', () => {
    const v = result.manifest.videos.find((x) => x.source === 'prompts/huge-url.yml')!;
    expect(v).toMatchObject({ status: 'failed', jobId: null, error: { code: 'invalid_input' } });
    expect(v.error!.message).toContain(huge.url);
    expect(v.error!.message).toMatch(/larger than/);
    expect(rig.fake.state().submissions.some((s) => s.input.prompt === 'too big')).toBe(false);
    counts['prompt-files']++;
  });

  it('a glob that matches nothing is reported by name', () => {
    const discovered = events.find((e) => e.type === 'discovered');
    expect(discovered).toMatchObject({ unmatched: ['videos/**/*.yml'] });
    counts['prompt-files']++;
  });

  it('the valid files (unicode and spaces in their names included) still render, each paid once', async () => {
    const rendered = result.manifest.videos.filter((v) => v.status === 'rendered');
    expect(rendered.map((v) => v.source).sort()).toEqual(Object.keys(VALID).sort());
    for (const v of rendered) {
      const bytes = await readFile(path.join(repo, 'out', v.file!));
      expect(checkVideo(rig.fake, bytes, v.jobId!)).toEqual({ ok: true });
    }
    expect(result.manifest.totals).toMatchObject({ rendered: 3, failed: 1, invalidFiles: FILE_CASES.length });
    expect(auditSubmits(rig.fake)).toMatchObject({ duplicates: 0, paidAttempts: 3 });
    expect(rig.fake.state().hazards).toEqual(NO_HAZARDS);
  });
});

// ---- CLI flags: usage errors name the flag and exit 2 before anything is sent ----

const capture = () => {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      cb();
    },
  });
  return { stream, text: () => text };
};

describe('CLI flags: the message names the flag; nothing is sent', () => {
  let fake: FakeScenario;
  beforeAll(async () => {
    fake = await startFakeScenario({ credentials: CREDENTIALS, jobDurationMs: 300 });
  });
  afterAll(async () => {
    await fake?.close();
  });

  const CASES: Array<[string, string[], RegExp, Record<string, string>?]> = [
    [
      '--concurrency 0',
      ['render', '--concurrency', '0'],
      /--concurrency must be a whole number from 1 to 64 \(got 0\)/,
    ],
    ['--concurrency of the wrong type', ['render', '-c', 'many'], /--concurrency must be a whole number/],
    ['--timeout 0', ['render', '--timeout', '0'], /--timeout must be a whole number from 1/],
    ['an unknown flag', ['render', '--frobnicate'], /unknown option --frobnicate for render; .*--help/],
    ['a flag without its value', ['render', '--out'], /--out needs a value/],
    ['--fake with --base-url', ['render', '--fake', '--base-url', 'https://x.test/v1'], /--fake and --base-url/],
    ['an unknown command', ['rendr'], /unknown command "rendr"/],
    ['job without a job id', ['job'], /job takes one job id/],
    ['a malformed job id', ['job', 'job id with spaces'], /"job id with spaces" is not a job id/],
    [
      'missing credentials',
      ['render'],
      /SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET are not set/,
      { SCENARIO_SDK_API_KEY: '', SCENARIO_SDK_API_SECRET: '' },
    ],
    ['--port out of range', ['fake-api', '--port', '70000'], /--port must be a port number \(got 70000\)/],
  ];

  it.each(CASES)('%s', async (_what, argv, message, env) => {
    const repo = await makeRepo('cli-flags', { 'prompts/ok.yml': Y('prompt: p\nimage: images/cells.png') });
    const out = capture();
    const err = capture();
    const code = await cliMain(argv, {
      env: {
        SCENARIO_SDK_API_KEY: API_KEY,
        SCENARIO_SDK_API_SECRET: API_SECRET,
        SCENARIO_API_URL: fake.url,
        ...env,
      },
      cwd: repo,
      stdout: out.stream,
      stderr: err.stream,
    });
    keep('cli-flags.stdout', out.text());
    keep('cli-flags.stderr', err.text());
    expect(code).toBe(2);
    expect(err.text()).toMatch(message);
    expect(Object.values(fake.state().requests).reduce((a, b) => a + b, 0)).toBe(0);
    counts.cli++;
  });

  it('a real run (spawned CLI): broken file and empty glob named, the valid video rendered, exit 1', async () => {
    const bin = path.join(repoRoot, 'action', 'dist', 'cli', 'bin.js');
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);
    const repo = await makeRepo('cli-run', {
      'prompts/good.yml': Y('prompt: the good one\nimage: images/cells.png'),
      'prompts/broken.yml': Y('prompt: p\nimage: images/cells.png\nnumFrames: 500'),
    });
    const child = spawn(process.execPath, [bin, 'render', 'prompts/*.yml', 'missing/*.yml', '--out', 'out'], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? '',
        SCENARIO_SDK_API_KEY: API_KEY,
        SCENARIO_SDK_API_SECRET: API_SECRET,
        SCENARIO_API_URL: fake.url,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(timer);
    keep('cli-run.stdout', stdout);
    keep('cli-run.stderr', stderr);
    expect(code, stderr).toBe(1);
    expect(stderr).toContain('prompts/broken.yml:3:12: numFrames: must be between 81 and 100 (got 500)');
    expect(stderr).toContain('No file matches missing/*.yml');
    const manifest = JSON.parse(await readFile(path.join(repo, 'out', 'manifest.json'), 'utf8')) as {
      videos: Array<{ name: string; status: string; jobId: string; file: string }>;
    };
    expect(manifest.videos.map((v) => [v.name, v.status])).toEqual([['good', 'rendered']]);
    const good = manifest.videos[0]!;
    expect(checkVideo(fake, await readFile(path.join(repo, 'out', good.file)), good.jobId)).toEqual({ ok: true });
    counts.cli++;
  }, 60_000);
});

// ---- Action inputs: run(deps) with injected inputs ----

interface Recorded {
  deps: ActionDeps;
  outputs: Partial<Record<OutputName, string>>;
  lines: string[];
  annotations: Array<{ level: string; message: string; at?: AnnotationAt }>;
  summary: string[];
  secrets: string[];
}

function actionDeps(workspace: string, rig: Rig, inputs: Partial<Record<InputName, string>>): Recorded {
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(INPUTS)) values[name] = input.default ?? '';
  Object.assign(values, { 'api-key': API_KEY, 'api-secret': API_SECRET, 'base-url': rig.fake.url }, inputs);
  const r: Recorded = { outputs: {}, lines: [], annotations: [], summary: [], secrets: [], deps: undefined as never };
  const note = (level: string) => (message: string, at?: AnnotationAt) => {
    r.annotations.push({ level, message, ...(at ? { at } : {}) });
    r.lines.push(message);
  };
  r.deps = {
    getInput: (name) => values[name] ?? '',
    setSecret: (v) => r.secrets.push(v),
    setOutput: (name, v) => (r.outputs[name] = v),
    writeSummary: async (md) => void r.summary.push(md),
    log: {
      info: (m) => r.lines.push(m),
      notice: note('notice'),
      warning: note('warning'),
      error: note('error'),
      startGroup: (m) => r.lines.push(m),
      endGroup: () => {},
    },
    context: {
      eventName: 'push',
      payload: {},
      repository: { owner: 'octo', repo: 'demo' },
      runId: 1,
      runAttempt: 1,
      serverUrl: 'https://github.com',
      workspace,
    },
    artifact: { upload: async () => ({ id: 1, size: 1 }) },
    cache: undefined,
    comments: () => {
      throw new Error('no comments in these runs');
    },
    createClient: async () => rig.client,
    onSignal: () => () => {},
    now: () => Date.now(),
  };
  return r;
}

const keepRecorded = (what: string, r: Recorded) =>
  keep(what, JSON.stringify({ lines: r.lines, annotations: r.annotations, outputs: r.outputs, summary: r.summary }));

describe('Action inputs: the error names the input; nothing is sent', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ jobDurationMs: 30_000 });
  });
  afterAll(async () => {
    await rig?.close();
  });

  const CASES: Array<[string, Partial<Record<InputName, string>>, RegExp]> = [
    ['concurrency 0', { concurrency: '0' }, /Input concurrency must be a whole number from 1 to 64 \(got "0"\)/],
    ['concurrency of the wrong type', { concurrency: 'lots' }, /Input concurrency must be a whole number/],
    ['timeout-minutes of the wrong type', { 'timeout-minutes': 'soon' }, /Input timeout-minutes must be a number/],
    ['dry-run not a boolean', { 'dry-run': 'yes' }, /Input dry-run must be true or false \(got "yes"\)/],
    ['fail-on-error not a boolean', { 'fail-on-error': 'maybe' }, /Input fail-on-error must be true or false/],
    [
      'retention-days out of range',
      { 'retention-days': '365' },
      /Input retention-days must be a whole number from 0 to 90/,
    ],
    ['artifact-name with a slash', { 'artifact-name': 'videos/main' }, /Input artifact-name may not contain/],
    ['base-url not http(s)', { 'base-url': 'ftp://x.test' }, /Input base-url must be an http\(s\) URL/],
    ['no credentials on push', { 'api-key': '', 'api-secret': '' }, /Inputs api-key and api-secret are required/],
    ['shard 0/3 (parts count from 1)', { shard: '0/3' }, /Input shard part must be from 1 to 3.*\(got "0\/3"\)/],
    ['shard 4/3 (past the last part)', { shard: '4/3' }, /Input shard part must be from 1 to 3.*\(got "4\/3"\)/],
    ['shard not i/n', { shard: 'x' }, /Input shard must be "i\/n".*\(got "x"\)/],
    ['team-concurrency 0', { 'team-concurrency': '0' }, /Input team-concurrency must be a whole number from 1/],
  ];

  it.each(CASES)('%s', async (_what, inputs, message) => {
    const workspace = await makeRepo('action-input', { 'prompts/ok.yml': Y('prompt: p\nimage: images/cells.png') });
    const before = Object.values(rig.fake.state().requests).reduce((a, b) => a + b, 0);
    const r = actionDeps(workspace, rig, inputs);
    const code = await runAction(r.deps);
    keepRecorded('action-input', r);
    expect(code).toBe(1);
    expect(r.annotations.filter((a) => a.level === 'error').map((a) => a.message)).toEqual([
      expect.stringMatching(message),
    ]);
    expect(Object.values(rig.fake.state().requests).reduce((a, b) => a + b, 0)).toBe(before);
    counts.action++;
  });

  it('a broken prompt file is annotated at its line; the valid video renders and is uploaded', async () => {
    const workspace = await makeRepo('action-files', {
      'prompts/good.yml': Y('prompt: the action renders this\nimage: images/cells.png'),
      'prompts/bad.yml': Y('prompt: p\nimage: images/cells.png\nframesPerSecond: 99'),
    });
    const r = actionDeps(workspace, rig, {});
    const code = await runAction(r.deps);
    keepRecorded('action-files', r);
    expect(code).toBe(1); // fail-on-error: a prompt file is invalid
    expect(r.annotations).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: expect.stringMatching(/framesPerSecond: must be between 5 and 24 \(got 99\)/),
        at: expect.objectContaining({ file: 'prompts/bad.yml', startLine: 3 }),
      }),
    );
    expect(r.outputs).toMatchObject({ rendered: '1', failed: '0' });
    const videos = JSON.parse(r.outputs.videos!) as Array<{ status: string; jobId: string; file: string }>;
    const good = videos.find((v) => v.status === 'rendered')!;
    const bytes = await readFile(path.join(workspace, 'scenario-videos', path.basename(good.file)));
    expect(checkVideo(rig.fake, bytes, good.jobId)).toEqual({ ok: true });
    counts.action++;
  });
});
