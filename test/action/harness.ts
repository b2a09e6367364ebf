// Runs the committed bundle (action/dist/index.mjs) the way the GitHub runner does: `node <main>` in the
// workspace, inputs as INPUT_<NAME> with hyphens kept and action.yml's defaults filled in, fresh
// GITHUB_OUTPUT / GITHUB_STEP_SUMMARY / GITHUB_ENV / GITHUB_PATH / GITHUB_STATE files, the event
// payload at GITHUB_EVENT_PATH, and the runtime variables of JavaScript actions.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GitHubFakes } from './github-fakes.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const bundlePath = path.join(repoRoot, 'action', 'dist', 'index.mjs');
/** The merge sub-action (`merge/action.yml`) and its bundle. */
export const mergeBundlePath = path.join(repoRoot, 'action', 'dist', 'merge.mjs');

/** Packages the action workspace already has (the test folder is not a package of its own). */
export const actionRequire = createRequire(path.join(repoRoot, 'action', 'package.json'));
const YAML = actionRequire('yaml') as { parse(text: string): unknown };

interface ActionYml {
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
  branding: { icon: string; color: string };
  name: string;
  description: string;
}

export async function readActionYml(file = 'action.yml'): Promise<ActionYml> {
  return YAML.parse(await readFile(path.join(repoRoot, file), 'utf8')) as ActionYml;
}

export interface RunnerDirs {
  root: string;
  workspace: string;
  temp: string;
}

export interface RunSpec {
  dirs: RunnerDirs;
  fakes: GitHubFakes;
  inputs: Record<string, string>;
  event?: { name: string; payload: Record<string, unknown> };
  runId?: number;
  runAttempt?: number;
  /** Called with each stdout chunk; may signal the child (to cancel it mid-run). */
  onStdout?: (text: string, child: ChildProcess) => void;
  /** Kill the child if it runs longer (a hang must not hang the suite). */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Which action of the repository runs: the render action (default) or the merge sub-action. */
  action?: 'render' | 'merge';
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Every file command the step wrote, raw (for leak checks). */
  files: Record<string, string>;
}

/** Parse `name<<delimiter` heredocs and `name=value` lines, as the runner does. */
export function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = line.match(/^([^=<]+)<<(.+)$/);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      out[name!] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

let runCounter = 0;

export async function runAction(spec: RunSpec): Promise<RunResult> {
  const merge = spec.action === 'merge';
  const yml = await readActionYml(merge ? 'merge/action.yml' : 'action.yml');
  const n = ++runCounter;
  const files = path.join(spec.dirs.root, `files-${n}`);
  await mkdir(files, { recursive: true });
  const commandFiles = {
    GITHUB_OUTPUT: path.join(files, 'output'),
    GITHUB_STEP_SUMMARY: path.join(files, 'summary'),
    GITHUB_ENV: path.join(files, 'env'),
    GITHUB_PATH: path.join(files, 'path'),
    GITHUB_STATE: path.join(files, 'state'),
  };
  for (const file of Object.values(commandFiles)) await writeFile(file, '');
  const event = spec.event ?? { name: 'push', payload: { ref: 'refs/heads/main' } };
  const eventPath = path.join(files, 'event.json');
  await writeFile(eventPath, JSON.stringify(event.payload));

  // The runner fills in action.yml's defaults (evaluating `${{ github.token }}`) and passes every input.
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(yml.inputs)) {
    const def = input.default ?? '';
    inputs[name] = def === '${{ github.token }}' ? spec.fakes.githubToken : def;
  }
  Object.assign(inputs, spec.inputs);
  const inputEnv = Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replace(/ /g, '_').toUpperCase()}`, value]),
  );

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? spec.dirs.root,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: spec.dirs.workspace,
    RUNNER_TEMP: spec.dirs.temp,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    GITHUB_EVENT_NAME: event.name,
    GITHUB_EVENT_PATH: eventPath,
    GITHUB_REPOSITORY: 'octo/demo',
    GITHUB_REPOSITORY_OWNER: 'octo',
    GITHUB_RUN_ID: String(spec.runId ?? 4242),
    GITHUB_RUN_ATTEMPT: String(spec.runAttempt ?? 1),
    GITHUB_RUN_NUMBER: '7',
    GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_WORKFLOW: 'Render videos',
    GITHUB_JOB: 'render',
    GITHUB_ACTOR: 'octocat',
    // Not a loopback address: @actions/artifact would take it for GHES. It only feeds the artifact URL.
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_API_URL: spec.fakes.apiUrl,
    GITHUB_GRAPHQL_URL: `${spec.fakes.apiUrl}/graphql`,
    ACTIONS_RUNTIME_TOKEN: spec.fakes.runtimeToken,
    ACTIONS_RESULTS_URL: spec.fakes.resultsUrl,
    ACTIONS_CACHE_SERVICE_V2: 'True',
    ...commandFiles,
    ...inputEnv,
    ...spec.env,
  };

  // The runner uses its own Node 24; SV_ACTION_NODE runs the bundle under another Node than the tests'.
  const child = spawn(process.env.SV_ACTION_NODE || process.execPath, [merge ? mergeBundlePath : bundlePath], {
    cwd: spec.dirs.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    spec.onStdout?.(stdout, child);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), spec.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.on('close', (c, s) => resolve([c, s])),
  );
  clearTimeout(timer);

  const raw: Record<string, string> = {};
  for (const [name, file] of Object.entries(commandFiles)) raw[name] = await readFile(file, 'utf8');
  return {
    code,
    signal,
    stdout,
    stderr,
    outputs: parseFileCommands(raw.GITHUB_OUTPUT!),
    summary: raw.GITHUB_STEP_SUMMARY!,
    files: raw,
  };
}

/** A zip's entries (name → bytes), read with fflate. */
export function unzip(bytes: Uint8Array): Record<string, Uint8Array> {
  const { unzipSync } = actionRequire('fflate') as { unzipSync(data: Uint8Array): Record<string, Uint8Array> };
  return unzipSync(bytes);
}
