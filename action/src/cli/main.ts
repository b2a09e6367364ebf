import { existsSync } from 'node:fs';
import path from 'node:path';
import { pc } from './colors.js';
import {
  DEFAULT_BASE_URL,
  ScenarioError,
  createScenarioClient,
  type PollScheduleOptions,
  type ScenarioClient,
  type ScenarioJob,
} from '@scenario-video/core';
import { createFileSink, nodePorts } from '@scenario-video/core/node';
import { renderBatch } from '../batch/render.js';
import { HELP, UsageError, parseCli, type FakeApiArgs, type JobArgs, type RenderArgs } from './args.js';
import { createDisplay, formatBytes, formatCu, showPath, type DisplayMode } from './display.js';

export interface CliIO {
  env: Record<string, string | undefined>;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /**
   * Call `handler` on Ctrl-C (SIGINT) or SIGTERM; returns a function that stops listening. The
   * host decides what a second Ctrl-C does (the bin exits at once; the ledger is already on disk).
   */
  onInterrupt?: (handler: () => void) => () => void;
  /** Printed by --version. */
  version?: string;
}

/** Exit codes: 0 all good, 1 a video failed or a file is invalid, 2 usage or set-up error, 130 interrupted. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/** Polls suited to the embedded fake, whose jobs take seconds rather than minutes. */
const FAKE_POLL: Partial<PollScheduleOptions> = { minMs: 250, maxMs: 1000, finalizingMaxMs: 500 };
/** How long a job of the embedded fake takes (`--fake`). */
const FAKE_JOB_MS = 4000;

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let args;
  try {
    args = parseCli(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`scenario-video: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  switch (args.command) {
    case 'help':
      io.stdout.write(HELP);
      return EXIT.ok;
    case 'version':
      io.stdout.write(`${io.version ?? '0.0.0'}\n`);
      return EXIT.ok;
    case 'render':
      return render(args, argv, io);
    case 'job':
      return job(args, io);
    case 'fake-api':
      return fakeApi(args, io);
  }
}

/** The nearest folder from `start` upwards holding `.git`; `start` itself when there is none. */
export function findRepoRoot(start: string): string {
  let dir = path.resolve(start);
  for (let i = 0; i < 100; i++) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(start);
}

interface Connection {
  client: ScenarioClient;
  baseUrl: string;
  close(): Promise<void>;
}

/** Credentials from the environment (or the embedded fake); a clear message when they are missing. */
async function connect(
  io: CliIO,
  options: { fake?: boolean; baseUrl?: string; quiet?: boolean },
): Promise<Connection | undefined> {
  if (options.fake) {
    const { startFakeScenario } = await import('@scenario-video/fake-api');
    const fake = await startFakeScenario({ jobDurationMs: FAKE_JOB_MS });
    const { apiKey, apiSecret } = fake.credentials;
    if (!options.quiet) {
      io.stderr.write(pc.dim(`Using the embedded fake Scenario API at ${fake.url} (no account, nothing is billed)\n`));
    }
    return {
      client: createScenarioClient({
        baseUrl: fake.url,
        ports: nodePorts({ apiKey, apiSecret, baseUrl: fake.url }),
        poll: FAKE_POLL,
      }),
      baseUrl: fake.url,
      close: () => fake.close(),
    };
  }
  const apiKey = io.env.SCENARIO_SDK_API_KEY?.trim() ?? '';
  const apiSecret = io.env.SCENARIO_SDK_API_SECRET?.trim() ?? '';
  const missing = [
    ...(apiKey === '' ? ['SCENARIO_SDK_API_KEY'] : []),
    ...(apiSecret === '' ? ['SCENARIO_SDK_API_SECRET'] : []),
  ];
  if (missing.length > 0) {
    io.stderr.write(
      `scenario-video: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set.\n` +
        '  Create an API key and secret in Scenario (app.scenario.com → your team → API keys), then:\n' +
        '    export SCENARIO_SDK_API_KEY=…  SCENARIO_SDK_API_SECRET=…\n' +
        '  Or try everything locally with --fake (the embedded fake API, no account needed).\n',
    );
    return undefined;
  }
  const baseUrl = options.baseUrl ?? (io.env.SCENARIO_API_URL?.trim() || DEFAULT_BASE_URL);
  try {
    return {
      client: createScenarioClient({ baseUrl, ports: nodePorts({ apiKey, apiSecret, baseUrl }) }),
      baseUrl,
      close: async () => {},
    };
  } catch (e) {
    if (e instanceof ScenarioError) {
      io.stderr.write(`scenario-video: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}

function displayMode(json: boolean, io: CliIO): DisplayMode {
  if (json) return 'json';
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== 'false';
  return io.stderr.isTTY && !ci && io.env.TERM !== 'dumb' ? 'live' : 'plain';
}

async function render(args: RenderArgs, argv: readonly string[], io: CliIO): Promise<number> {
  const root = path.resolve(io.cwd, args.root ?? findRepoRoot(io.cwd));
  const outDir = path.resolve(io.cwd, args.out ?? 'scenario-videos');
  // Globs typed in a sub-folder are relative to it; without any, the default is relative to the root.
  const patterns = args.patterns.map((p) => {
    const rel = path.relative(root, path.resolve(io.cwd, p));
    return rel.split(path.sep).join('/');
  });

  const connection = await connect(io, {
    fake: args.fake,
    quiet: args.json,
    ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
  });
  if (!connection) return EXIT.usage;

  const display = createDisplay(displayMode(args.json, io), { out: io.stdout, err: io.stderr, cwd: io.cwd });
  const controller = new AbortController();
  const stopListening = io.onInterrupt?.(() => {
    if (controller.signal.aborted) return;
    display.note(
      pc.yellow(
        'Stopping: no more waiting. Submitted jobs keep running and stay in the ledger (Ctrl-C again to quit now).',
      ),
    );
    controller.abort(new Error('interrupted'));
  });

  try {
    const result = await renderBatch({
      root,
      patterns,
      outDir,
      client: connection.client,
      concurrency: args.concurrency,
      dryRun: args.dryRun,
      force: args.force,
      timeoutMs: args.timeoutMinutes * 60_000,
      signal: controller.signal,
      onEvent: (e) => display.event(e),
    });
    display.close();
    const { totals } = result.manifest;
    const rel = (p: string) => showPath(p, io.cwd);
    if (!args.json) {
      if (result.interrupted) {
        const running = result.manifest.videos.filter((v) => v.status === 'interrupted' && v.jobId);
        io.stderr.write(
          pc.yellow(
            `Stopped waiting. ${running.length} job${running.length === 1 ? '' : 's'} submitted and recorded in ${rel(result.ledgerPath)}.\n`,
          ) +
            `Resume (nothing is submitted twice): ${resumeCommand(argv)}\n` +
            (args.fake
              ? pc.dim('(The embedded fake forgets its jobs when it stops: with --fake they render afresh.)\n')
              : ''),
        );
      } else if (totals.videos > 0 && !args.dryRun) {
        io.stderr.write(`${pc.green('Videos are in')} ${rel(outDir)}${path.sep}\n`);
      }
    }
    if (result.interrupted) return EXIT.interrupted;
    if (result.manifest.issues.length === 0 && totals.videos === 0) {
      if (!args.json) io.stderr.write('scenario-video: no prompt files found; pass globs, e.g. "prompts/**/*.yml"\n');
      return EXIT.failed;
    }
    return totals.failed > 0 || totals.invalidFiles > 0 ? EXIT.failed : EXIT.ok;
  } catch (e) {
    display.close();
    io.stderr.write(`scenario-video: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failed;
  } finally {
    stopListening?.();
    await connection.close();
  }
}

function resumeCommand(argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return ['scenario-video', ...argv].map(quote).join(' ');
}

async function job(args: JobArgs, io: CliIO): Promise<number> {
  const connection = await connect(io, { ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}) });
  if (!connection) return EXIT.usage;
  const controller = new AbortController();
  const stopListening = io.onInterrupt?.(() => controller.abort(new Error('interrupted')));
  const call = { signal: controller.signal };
  try {
    let current: ScenarioJob;
    if (args.wait) {
      let last = '';
      current = await connection.client
        .waitForJob(args.jobId, {
          ...call,
          onEvent: (e) => {
            if (e.type === 'status' && !args.json && e.status !== last) {
              last = e.status;
              io.stderr.write(
                `${args.jobId}: ${e.status}${e.progress !== undefined ? ` ${Math.round(e.progress * 100)}%` : ''}\n`,
              );
            }
          },
        })
        .catch(async (e: unknown) => {
          // A failed or canceled job is still a job to show.
          if (e instanceof ScenarioError && (e.code === 'job_failed' || e.code === 'job_canceled')) {
            return connection.client.getJob(args.jobId, call);
          }
          throw e;
        });
    } else {
      current = await connection.client.getJob(args.jobId, call);
    }

    const files: Array<{ assetId: string; file?: string; bytes: number }> = [];
    let missing = false;
    if (args.download !== undefined) {
      if (current.status !== 'success') {
        missing = true;
        io.stderr.write(
          `scenario-video: job ${args.jobId} is ${current.status}; nothing to download yet (try --wait)\n`,
        );
      } else {
        const dir = path.resolve(io.cwd, args.download);
        const sink = createFileSink(dir);
        const results = await connection.client.downloadOutputs(current, sink, call);
        for (const [i, result] of results.entries()) {
          files.push({
            assetId: current.metadata.assetIds[i]!,
            ...(result.file ? { file: result.file } : {}),
            bytes: result.bytes,
          });
        }
      }
    }

    if (args.json) {
      io.stdout.write(
        `${JSON.stringify({
          jobId: current.jobId,
          status: current.status,
          progress: current.progress ?? null,
          assetIds: current.metadata.assetIds,
          creativeUnits: current.billing?.cuCost ?? null,
          error: typeof current.metadata.error === 'string' ? current.metadata.error : null,
          hint: typeof current.metadata.hint === 'string' ? current.metadata.hint : null,
          files,
        })}\n`,
      );
    } else {
      const lines = [`${current.jobId}: ${current.status}`];
      if (current.progress !== undefined && current.status !== 'success') {
        lines.push(`  progress: ${Math.round(current.progress * 100)}%`);
      }
      if (current.billing?.cuCost !== undefined) lines.push(`  creative units: ${formatCu(current.billing.cuCost)}`);
      if (current.metadata.assetIds.length > 0) lines.push(`  outputs: ${current.metadata.assetIds.join(', ')}`);
      if (typeof current.metadata.error === 'string' && current.metadata.error !== '') {
        lines.push(`  error: ${current.metadata.error}`);
      }
      if (typeof current.metadata.hint === 'string' && current.metadata.hint !== '') {
        lines.push(`  hint: ${current.metadata.hint}`);
      }
      for (const f of files) {
        lines.push(`  saved ${f.file ? showPath(f.file, io.cwd) : f.assetId} (${formatBytes(f.bytes)})`);
      }
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    // A download was asked for and nothing could be saved, or the job ended badly: not a success.
    return missing || current.status === 'failure' || current.status === 'canceled' ? EXIT.failed : EXIT.ok;
  } catch (e) {
    if (controller.signal.aborted) {
      io.stderr.write(`Stopped. The job keeps running; look again with: scenario-video job ${args.jobId}\n`);
      return EXIT.interrupted;
    }
    io.stderr.write(`scenario-video: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.failed;
  } finally {
    stopListening?.();
    await connection.close();
  }
}

async function fakeApi(args: FakeApiArgs, io: CliIO): Promise<number> {
  const { startFakeScenario } = await import('@scenario-video/fake-api');
  const fake = await startFakeScenario({ port: args.port });
  const { apiKey, apiSecret } = fake.credentials;
  if (args.json) {
    io.stdout.write(`${JSON.stringify({ url: fake.url, cdnUrl: fake.cdnUrl, apiKey, apiSecret })}\n`);
  } else {
    io.stdout.write(
      `Fake Scenario API listening on ${fake.url}\n` +
        `Use it from another terminal:\n` +
        `  export SCENARIO_API_URL=${fake.url} SCENARIO_SDK_API_KEY=${apiKey} SCENARIO_SDK_API_SECRET=${apiSecret}\n` +
        `  scenario-video render\n` +
        `Ctrl-C to stop.\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = io.onInterrupt?.(() => {
      stop?.();
      resolve();
    });
    if (!stop) resolve();
  });
  await fake.close();
  return EXIT.ok;
}
