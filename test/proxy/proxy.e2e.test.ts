// The spawned CLI (its build) and the GitHub Action (the committed bundle, run as the runner runs it)
// behind a company proxy: with HTTP_PROXY set, every request to the fake Scenario API and its CDN
// goes through a loopback CONNECT proxy (test/proxy/connect-proxy.ts), which sees its own credentials
// and never ours; NO_PROXY goes around it; a proxy that refuses stops the run with a message naming
// it (host:port) and no credential. Everything listens on 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario } from '../../packages/fake-api/src/options.js';
import { startGitHubFakes, type GitHubFakes } from '../action/github-fakes.js';
import { repoRoot, runAction, unzip } from '../action/harness.js';
import { startConnectProxy, type ConnectProxy } from './connect-proxy.js';

const API_KEY = `svk_proxy_${randomBytes(8).toString('hex')}`;
const API_SECRET = `svs_proxy_${randomBytes(12).toString('hex')}`;
const BASIC = Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64');
const PROXY_PASSWORD = `proxy_pw_${randomBytes(8).toString('hex')}`;
const SECRETS = [API_KEY, API_SECRET, BASIC, PROXY_PASSWORD];

let fake: FakeScenario;
let gh: GitHubFakes;
let root: string;
/** Needs `Proxy-Authorization` with the right password; used by the runs that get through. */
let proxy: ConnectProxy;
/** The same demand, for the runs that come with a wrong password. */
let strict: ConnectProxy;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'sv-proxy-e2e-'));
  fake = await startFakeScenario({
    credentials: [{ apiKey: API_KEY, apiSecret: API_SECRET, teamId: 'team_proxy' }],
    jobDurationMs: 300,
  });
  gh = await startGitHubFakes();
  proxy = await startConnectProxy({ credentials: { user: 'builder', password: PROXY_PASSWORD } });
  strict = await startConnectProxy({ credentials: { user: 'builder', password: PROXY_PASSWORD } });
});
afterAll(async () => {
  await Promise.all([fake?.close(), gh?.close(), proxy?.close(), strict?.close()]);
  if (root) await rm(root, { recursive: true, force: true });
});

const authorityOf = (url: string) => new URL(url).host;
const withPassword = (p: ConnectProxy, password: string) => `http://builder:${password}@${p.name}`;

/** A workspace with one prompt file whose prompt is `prompt`. */
async function workspace(prompt: string): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'ws-'));
  await mkdir(path.join(dir, 'prompts', 'images'), { recursive: true });
  await cp(
    path.join(repoRoot, 'examples', 'prompts', 'images', 'cells.png'),
    path.join(dir, 'prompts', 'images', 'cells.png'),
  );
  await writeFile(
    path.join(dir, 'prompts', 'video.yml'),
    `prompt: ${prompt}\nimage: images/cells.png\nresolution: 480p\n`,
  );
  return dir;
}

/** The proxy's record since `from`: which of our origins it tunnelled to, and what it was shown. */
function sinceMark(p: ConnectProxy, from: { connects: number; heads: number }) {
  const connects = p.connects.slice(from.connects);
  const heads = p.heads.slice(from.heads);
  return {
    api: connects.filter((a) => a === authorityOf(fake.url)).length,
    cdn: connects.filter((a) => a === authorityOf(fake.cdnUrl)).length,
    /** Requests for the fake Scenario API or CDN the proxy got in absolute form (our transport never sends one). */
    forwardedOurs: p.forwarded.filter((u) => u.includes(authorityOf(fake.url)) || u.includes(authorityOf(fake.cdnUrl))),
    heads,
  };
}
const mark = (p: ConnectProxy) => ({ connects: p.connects.length, heads: p.heads.length });

function expectNoSecrets(...texts: string[]) {
  for (const text of texts) for (const secret of SECRETS) expect(text).not.toContain(secret);
}

/** The video of `file` came from the job `jobId`. */
function expectVideoOf(bytes: Uint8Array, jobId: string) {
  expect(readFakeVideoIdentity(bytes).jobId).toBe(jobId);
}

async function cli(cwd: string, env: Record<string, string>) {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'action', 'dist', 'cli', 'bin.js'), 'render', '--out', 'out'],
    {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        SCENARIO_SDK_API_KEY: API_KEY,
        SCENARIO_SDK_API_SECRET: API_SECRET,
        SCENARIO_API_URL: fake.url,
        NO_COLOR: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

// A refused or untrusted proxy is a network failure, retried with backoff (about 10 s) before the run stops.
describe('the spawned CLI behind a proxy', () => {
  it('renders through the proxy: API calls, the upload and the download all tunnelled, no credential of ours shown to it', async () => {
    const cwd = await workspace('a proxied CLI video');
    const from = mark(proxy);
    const r = await cli(cwd, { HTTP_PROXY: withPassword(proxy, PROXY_PASSWORD) });
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'out', 'manifest.json'), 'utf8')) as {
      videos: Array<{ jobId: string; file: string; status: string }>;
    };
    expect(manifest.videos.map((v) => v.status)).toEqual(['rendered']);
    expectVideoOf(await readFile(path.join(cwd, 'out', manifest.videos[0]!.file)), manifest.videos[0]!.jobId);
    const seen = sinceMark(proxy, from);
    expect(seen.api).toBeGreaterThanOrEqual(2); // GETs share a tunnel; the upload and the submit get their own
    expect(seen.cdn).toBeGreaterThanOrEqual(1);
    expect(seen.forwardedOurs).toEqual([]);
    expectNoSecrets(r.stdout, r.stderr, ...seen.heads.map((h) => h.replace(/^proxy-authorization: .*$/im, '')));
  });

  it('speaks TLS to an https:// proxy, trusting a company CA from NODE_EXTRA_CA_CERTS', async () => {
    const testdata = path.join(repoRoot, 'packages', 'core', 'src', 'node', 'testdata');
    const [key, cert] = await Promise.all(
      ['localhost-key.pem', 'localhost-cert.pem'].map((f) => readFile(path.join(testdata, f), 'utf8')),
    );
    const secure = await startConnectProxy({ tls: { key: key!, cert: cert! } });
    try {
      const cwd = await workspace('a CLI video through a TLS proxy');
      const r = await cli(cwd, {
        HTTP_PROXY: secure.url,
        NODE_EXTRA_CA_CERTS: path.join(testdata, 'localhost-cert.pem'),
      });
      expect(r.code, r.stderr).toBe(0);
      expect(sinceMark(secure, { connects: 0, heads: 0 })).toMatchObject({ forwardedOurs: [] });
      expect(secure.connects).toContain(authorityOf(fake.cdnUrl));
      // Without the CA the proxy's certificate is refused: the run stops, naming the proxy.
      const untrusted = await cli(await workspace('a CLI video through an untrusted TLS proxy'), {
        HTTP_PROXY: secure.url,
      });
      expect(untrusted.code).toBe(2);
      expect(untrusted.stderr).toMatch(
        new RegExp(`the proxy ${secure.name} presented a certificate Node does not trust \\([A-Z_]+\\): add its CA`),
      );
    } finally {
      await secure.close();
    }
  }, 60_000);

  it('goes around the proxy for the hosts NO_PROXY lists', async () => {
    const cwd = await workspace('a CLI video around the proxy');
    const from = mark(proxy);
    const r = await cli(cwd, { HTTP_PROXY: withPassword(proxy, PROXY_PASSWORD), NO_PROXY: 'localhost,127.0.0.1' });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.connects.length).toBe(from.connects);
  });

  it('a proxy that refuses stops the run (exit 2) with one message naming the proxy and no credential', async () => {
    const cwd = await workspace('a CLI video the proxy refuses');
    const submits = fake.state().submissions.length;
    const r = await cli(cwd, { HTTP_PROXY: withPassword(strict, 'wrong-password-1f4c') });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `the proxy ${strict.name} refused the tunnel to ${authorityOf(fake.url)} (407 Proxy Authentication Required)`,
    );
    expectNoSecrets(r.stdout, r.stderr);
    expect(r.stdout + r.stderr).not.toContain('wrong-password-1f4c');
    expect(fake.state().submissions.length).toBe(submits);
  }, 60_000);
});

describe('the Action bundle behind a proxy', () => {
  let runId = 7000;
  async function action(prompt: string, env: Record<string, string>) {
    const dir = await mkdtemp(path.join(root, 'job-'));
    const ws = await workspace(prompt);
    const temp = path.join(dir, '_temp');
    await mkdir(temp, { recursive: true });
    gh.newRun();
    return runAction({
      dirs: { root: dir, workspace: ws, temp },
      fakes: gh,
      runId: ++runId,
      inputs: { 'api-key': API_KEY, 'api-secret': API_SECRET, 'base-url': fake.url, 'skip-unchanged': 'false' },
      env,
    });
  }

  it('renders through the proxy and uploads the artifact; the proxy never sees our credentials', async () => {
    const from = mark(proxy);
    const result = await action('a proxied Action video', { HTTP_PROXY: withPassword(proxy, PROXY_PASSWORD) });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.outputs.rendered).toBe('1');
    const artifact = gh.artifacts.find((a) => a.finalized && a.id === Number(result.outputs['artifact-id']));
    const entries = unzip(new Uint8Array(artifact!.bytes!));
    const { videos } = JSON.parse(Buffer.from(entries['manifest.json']!).toString('utf8')) as {
      videos: Array<{ jobId: string; file: string }>;
    };
    expectVideoOf(entries[videos[0]!.file]!, videos[0]!.jobId);
    const seen = sinceMark(proxy, from);
    expect(seen.api).toBeGreaterThanOrEqual(2);
    expect(seen.cdn).toBeGreaterThanOrEqual(1);
    expect(seen.forwardedOurs).toEqual([]);
    expectNoSecrets(result.stdout.replace(/^::add-mask::.*$/gm, ''), result.stderr, result.summary);
    expectNoSecrets(...seen.heads.map((h) => h.replace(/^proxy-authorization: .*$/im, '')));
  });

  it('goes around the proxy for the hosts NO_PROXY lists', async () => {
    const from = mark(proxy);
    const result = await action('an Action video around the proxy', {
      HTTP_PROXY: withPassword(proxy, PROXY_PASSWORD),
      NO_PROXY: '127.0.0.1',
    });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(sinceMark(proxy, from)).toMatchObject({ api: 0, cdn: 0 });
  });

  it('a proxy that refuses fails the step with a message naming the proxy and no credential', async () => {
    const submits = fake.state().submissions.length;
    const result = await action('an Action video the proxy refuses', {
      HTTP_PROXY: withPassword(strict, 'wrong-password-1f4c'),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`the proxy ${strict.name} refused the tunnel to ${authorityOf(fake.url)}`);
    expectNoSecrets(result.stdout.replace(/^::add-mask::.*$/gm, ''), result.stderr, result.summary);
    expect(result.stdout + result.stderr + result.summary).not.toContain('wrong-password-1f4c');
    expect(fake.state().submissions.length).toBe(submits);
  }, 60_000);
});
