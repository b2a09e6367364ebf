/**
 * Metric 4: start-up of the GitHub Action bundle. `node action/dist/index.mjs` as the runner starts
 * it (an empty workspace, action.yml's defaults as INPUT_*, fresh GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
 * files) finds no prompt files and exits; compared with bare `node -e 0`, alternating, medians.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export interface StartupMetric {
  runs: number;
  actionMs: number;
  nodeMs: number;
  ratio: number;
  exitCode: number | null;
  samples: Array<{ actionMs: number; nodeMs: number }>;
}

const timed = (args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) =>
  new Promise<{ ms: number; code: number | null; out: string }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ ms: performance.now() - started, code, out }));
  });

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runner-like environment: action.yml's input defaults, file commands in `dir`, no prompt files. */
async function runnerEnv(root: string, dir: string): Promise<NodeJS.ProcessEnv> {
  const yaml = createRequire(path.join(root, 'action', 'package.json'))('yaml') as { parse(t: string): unknown };
  const spec = yaml.parse(await readFile(path.join(root, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>;
  };
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: path.join(dir, 'workspace'),
    GITHUB_EVENT_NAME: 'push',
    GITHUB_EVENT_PATH: path.join(dir, 'event.json'),
    GITHUB_REPOSITORY: 'octo/videos',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    RUNNER_TEMP: path.join(dir, 'runner-temp'),
  };
  for (const [name, input] of Object.entries(spec.inputs)) {
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = input.default?.includes('${{') ? '' : (input.default ?? '');
  }
  // Credentials are set (a push with secrets), pointing nowhere: no request may be needed.
  env['INPUT_API-KEY'] = 'bench-key';
  env['INPUT_API-SECRET'] = 'bench-secret';
  env['INPUT_BASE-URL'] = 'http://127.0.0.1:9/v1';
  await mkdir(env.GITHUB_WORKSPACE!, { recursive: true });
  await mkdir(env.RUNNER_TEMP!, { recursive: true });
  await writeFile(env.GITHUB_EVENT_PATH!, '{}');
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_STEP_SUMMARY', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE']) {
    env[name] = path.join(dir, name.toLowerCase());
    await writeFile(env[name]!, '');
  }
  return env;
}

export async function measureStartup(o: { runs: number; tmp: string; root: string }): Promise<StartupMetric | string> {
  const bundle = path.join(o.root, 'action', 'dist', 'index.mjs');
  if (!existsSync(bundle)) return 'bundle missing (action/dist/index.mjs)';
  const dir = path.join(o.tmp, 'startup');
  try {
    const env = await runnerEnv(o.root, dir);
    const cwd = env.GITHUB_WORKSPACE!;
    const first = await timed([bundle], { cwd, env }); // warm the disk cache, check it runs
    if (first.code !== 0) return `the bundle exited ${first.code}: ${first.out.slice(0, 300)}`;
    const samples: StartupMetric['samples'] = [];
    for (let i = 0; i < o.runs; i++) {
      const a = await timed([bundle], { cwd, env });
      const n = await timed(['-e', '0'], { cwd, env });
      samples.push({ actionMs: a.ms, nodeMs: n.ms });
    }
    const actionMs = median(samples.map((s) => s.actionMs));
    const nodeMs = median(samples.map((s) => s.nodeMs));
    return { runs: o.runs, actionMs, nodeMs, ratio: actionMs / nodeMs, exitCode: first.code, samples };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
