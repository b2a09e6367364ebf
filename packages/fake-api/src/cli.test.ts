/**
 * End to end, as the "done when" says: the built bin on `--port 0` prints its URL, and
 * curl with Basic auth uploads a frame, submits a job, watches it reach `success`, fetches the
 * asset and downloads a file that ffprobe accepts as a video.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity } from './mp4.js';
import { FRAME_PNG } from './testing/helpers.js';

const run = promisify(execFile);
const PKG = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(PKG, 'dist', 'cli.js');
const FFPROBE = '/usr/bin/ffprobe';
const CURL_TIMEOUT = ['--max-time', '10'];

/** Newest mtime among the sources the bin is built from. */
function newestSource(dir = join(PKG, 'src')): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** `pnpm test` builds first; a bare `vitest` run builds here when dist is missing or stale. */
function ensureBuilt(): void {
  if (existsSync(BIN) && statSync(BIN).mtimeMs >= newestSource()) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(PKG, 'tsconfig.build.json')], { stdio: 'inherit', timeout: 90_000 });
  chmodSync(BIN, 0o755);
}

interface Started {
  child: ChildProcess;
  url: string;
  output: string;
}

/** Start the bin itself (its shebang and exec bit included) and read its first lines. */
function startBin(args: string[]): Promise<Started> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL printed within 10 s: ${output}`));
    }, 10_000);
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString();
      if (output.includes('Ctrl-C')) {
        clearTimeout(timer);
        resolve({ child, url: output.split('\n')[0]!, output });
      }
    });
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code}: ${output}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', (code) => {
      clearTimeout(kill);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON from the wire, checked field by field
type Json = any;

async function curlJson(args: string[]): Promise<{ status: number; json: Json }> {
  const { stdout } = await run('curl', ['-sS', ...CURL_TIMEOUT, '-w', '\n%{http_code}', ...args], { timeout: 15_000 });
  const lines = stdout.split('\n');
  const status = Number(lines.pop());
  return { status, json: JSON.parse(lines.join('\n') || 'null') };
}

const dir = mkdtempSync(join(tmpdir(), 'fake-cli-'));
let started: Started | undefined;

beforeAll(() => ensureBuilt(), 120_000);
afterAll(async () => {
  if (started) await stop(started.child);
  rmSync(dir, { recursive: true, force: true });
});

describe('scenario-fake-api (the built bin)', () => {
  it('prints its URL first, then the credentials; curl renders a video ffprobe accepts', async () => {
    started = await startBin(['--port', '0', '--job-duration-ms', '400']);
    const { url, output } = started;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(output).toContain('fake-key');
    expect(output).toContain('fake-secret');
    const auth = ['-u', 'fake-key:fake-secret', '-H', 'content-type: application/json'];

    const body = join(dir, 'asset.json');
    writeFileSync(body, JSON.stringify({ image: FRAME_PNG.toString('base64'), name: 'frame.png' }));
    const asset = await curlJson([...auth, '--data-binary', `@${body}`, `${url}/assets`]);
    expect(asset.status).toBe(200);
    const image = asset.json.asset.id;

    const input = { prompt: 'a harbour at dawn, slow pan', image, resolution: '480p' };
    const quote = await curlJson([
      ...auth,
      '-d',
      JSON.stringify(input),
      `${url}/generate/custom/model_wan-2-2-i2v-a14b?dryRun=true`,
    ]);
    expect(quote.status).toBe(269);
    const submitted = await curlJson([
      ...auth,
      '-d',
      JSON.stringify(input),
      `${url}/generate/custom/model_wan-2-2-i2v-a14b`,
    ]);
    expect(submitted.status).toBe(200);
    const jobId = submitted.json.job.jobId;

    let job: Json = submitted.json.job;
    const seen = new Set<string>([job.status]);
    for (let i = 0; i < 100 && job.status !== 'success'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await curlJson([...auth, `${url}/jobs/${jobId}`])).json.job;
      seen.add(job.status);
    }
    expect(job.status).toBe('success');
    expect(seen.size).toBeGreaterThan(2);

    const out = await curlJson([...auth, `${url}/assets/${job.metadata.assetIds[0]}`]);
    expect(out.json.asset.mimeType).toBe('video/mp4');
    const file = join(dir, 'video.mp4');
    // The CDN gets no credentials, as a client must do.
    const { stdout } = await run(
      'curl',
      ['-sS', ...CURL_TIMEOUT, '-o', file, '-w', '%{http_code}', out.json.asset.url],
      {
        timeout: 15_000,
      },
    );
    expect(stdout).toBe('200');
    expect(statSync(file).size).toBe(out.json.asset.properties.size);
    expect(readFakeVideoIdentity(file)).toMatchObject({ jobId, input });

    if (existsSync(FFPROBE)) {
      const probe = JSON.parse(
        execFileSync(FFPROBE, ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], {
          encoding: 'utf8',
          timeout: 15_000,
        }),
      );
      expect(probe.streams[0].codec_type).toBe('video');
      expect(probe.format.format_name).toMatch(/mp4/);
    }
    const state = await curlJson([`${new URL(url).origin}/_fake/state`]);
    expect(state.json.hazards).toEqual({ authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 });

    expect(await stop(started.child)).toBe(0);
    started = undefined;
  }, 30_000);

  it('honours --key/--secret/--video-bytes, never echoes a given secret', async () => {
    const s = await startBin(['--port', '0', '--key', 'k', '--secret', 'sekrit-value', '--video-bytes', '100000']);
    try {
      expect(s.output).not.toContain('sekrit-value');
      expect((await curlJson(['-u', 'k:sekrit-value', `${s.url}/jobs`])).status).toBe(200);
      expect((await curlJson(['-u', 'fake-key:fake-secret', `${s.url}/jobs`])).status).toBe(401);
    } finally {
      expect(await stop(s.child)).toBe(0);
    }
  }, 20_000);

  it('--help prints usage; bad arguments exit 2', async () => {
    const help = await run(BIN, ['--help'], { timeout: 10_000 });
    expect(help.stdout).toContain('Usage: scenario-fake-api');
    const bad = await run(BIN, ['--port', 'abc'], { timeout: 10_000 }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((bad as { code: number }).code).toBe(2);
    const lonely = await run(BIN, ['--key', 'k'], { timeout: 10_000 }).catch((e: { code: number }) => e);
    expect((lonely as { code: number }).code).toBe(2);
    expect(help.stdout).toContain('--job-duration-range MIN-MAX');
    const backwards = await run(BIN, ['--job-duration-range', '600000-120000'], { timeout: 10_000 }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(backwards as { code: number; stderr: string }).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--job-duration-range'),
    });
  }, 20_000);
});
