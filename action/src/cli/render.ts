import path from 'node:path';
import { nextStep } from '@scenario-video/core';
import type { BatchEvent } from '../batch/events.js';
import type { ManifestError, ManifestVideo } from '../batch/manifest.js';
import { renderBatch } from '../batch/render.js';
import type { RenderArgs } from './args.js';
import { pc } from './colors.js';
import { connect, missingCredentials } from './connect.js';
import { createDisplay, showPath, type DisplayMode } from './display.js';
import { EXIT, type CliIO } from './io.js';
import { findRepoRoot } from './repo-root.js';
import { validateOffline } from './validate-offline.js';

export function displayMode(json: boolean, io: CliIO): DisplayMode {
  if (json) return 'json';
  const ci = io.env.CI !== undefined && io.env.CI !== '' && io.env.CI !== 'false';
  return io.stderr.isTTY && !ci && io.env.TERM !== 'dumb' ? 'live' : 'plain';
}

/** Why a whole run stops at one video's failure: every other video would meet the same wall. */
export interface RunStop {
  kind: 'credentials' | 'unreachable';
  error: ManifestError;
}

/**
 * A failure that is the account's or the network's, not the video's: Scenario refused the key and
 * secret (401), or the API could not be reached even after the core's retries (a retryable `network`
 * error; the unknown outcome of a submit is `network` too, but not retryable, and stays that video's).
 */
export function runStopFor(error: ManifestError): RunStop | undefined {
  switch (nextStep(error).kind) {
    case 'check-credentials':
      return { kind: 'credentials', error };
    case 'check-network':
      return { kind: 'unreachable', error };
    default:
      return undefined;
  }
}

function stopMessage(stop: RunStop, baseUrl: string, fromEnv: boolean): string {
  if (stop.kind === 'credentials') {
    return (
      `scenario-video: Scenario refused the API key and secret (401 Unauthorized from ${baseUrl}).\n` +
      '  Check SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET: both come from the same key in Scenario\n' +
      '  (app.scenario.com → your team → API keys). The run stopped at the first refusal.\n'
    );
  }
  return (
    `scenario-video: cannot reach the Scenario API at ${baseUrl}: ${stop.error.message}.\n` +
    `  Check the network${fromEnv ? ', SCENARIO_API_URL' : ''} and --base-url. The run stopped at the first failure.\n`
  );
}

export async function renderCommand(args: RenderArgs, argv: readonly string[], io: CliIO): Promise<number> {
  const root = path.resolve(io.cwd, args.root ?? findRepoRoot(io.cwd));
  const outDir = path.resolve(io.cwd, args.out ?? 'scenario-videos');
  // Globs typed in a sub-folder are relative to it; without any, the default is relative to the root.
  const patterns = args.patterns.map((p) => {
    const rel = path.relative(root, path.resolve(io.cwd, p));
    return rel.split(path.sep).join('/');
  });
  const rel = (p: string) => showPath(p, io.cwd);

  // A dry run without credentials cannot be quoted (Scenario quotes it): validate offline instead.
  if (args.dryRun && !args.fake) {
    const missing = missingCredentials(io.env);
    if (missing.length > 0) {
      const display = createDisplay(displayMode(args.json, io), { out: io.stdout, err: io.stderr, cwd: io.cwd });
      if (!args.json) {
        io.stderr.write(
          pc.yellow(`${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set: `) +
            'validating the prompt files offline; the cost is quoted by Scenario and needs the credentials.\n',
        );
      }
      const result = await validateOffline({ root, patterns, outDir, display });
      display.close();
      if (result.videos === 0 && result.invalidFiles === 0) {
        if (!args.json) io.stderr.write('scenario-video: no prompt files found; pass globs, e.g. "prompts/**/*.yml"\n');
        return EXIT.failed;
      }
      return result.invalidFiles > 0 ? EXIT.failed : EXIT.ok;
    }
  }

  const connection = await connect(io, {
    fake: args.fake,
    quiet: args.json,
    ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
  });
  if (!connection) return EXIT.usage;

  const mode = displayMode(args.json, io);
  const display = createDisplay(mode, { out: io.stdout, err: io.stderr, cwd: io.cwd });
  const controller = new AbortController();
  let stop: RunStop | undefined;
  const stopListening = io.onInterrupt?.(() => {
    if (controller.signal.aborted) return;
    display.note(
      pc.yellow(
        'Stopping: no more waiting. Submitted jobs keep running and stay in the ledger (Ctrl-C again to quit now).',
      ),
    );
    controller.abort(new Error('interrupted'));
  });

  const onEvent = (event: BatchEvent) => {
    if (event.type === 'video' && event.phase === 'failed' && event.error && stop === undefined) {
      stop = runStopFor(event.error);
      // The first refusal ends the run: the other videos would each fail the same way.
      if (stop) controller.abort(new Error(stop.kind));
    }
    if (stop && !args.json) {
      // One message about the cause instead of a failure per video; paid jobs still show.
      if (event.type === 'finished') return;
      if (
        event.type === 'video' &&
        event.jobId === undefined &&
        (event.phase === 'failed' || event.phase === 'interrupted')
      ) {
        // Stopped by the run's cause, not its own: a live row says so ("not started", or still running
        // with its job id), a log stays quiet.
        if (mode === 'live') {
          const { error: _cause, ...rest } = event;
          display.event({ ...rest, phase: 'interrupted' });
        }
        return;
      }
    }
    display.event(event);
  };

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
      onEvent,
    });
    display.close();
    const { totals } = result.manifest;
    // The manifest's count (interrupted, or timed out on our side): the summary says the same.
    const running = totals.jobsRunning;
    const resume =
      `Resume (nothing is submitted twice): ${resumeCommand(argv)}\n` +
      (args.fake
        ? pc.dim('(The embedded fake forgets its jobs when it stops: with --fake they render afresh.)\n')
        : '');
    const ledgerNote = () =>
      `${running} job${running === 1 ? '' : 's'} still running on Scenario, recorded in ${rel(result.ledgerPath)}.\n`;
    if (stop) {
      io.stderr.write(
        stopMessage(stop, connection.baseUrl, args.baseUrl === undefined && Boolean(io.env.SCENARIO_API_URL)),
      );
      if (running > 0) io.stderr.write(ledgerNote() + resume);
      return EXIT.usage;
    }
    if (!args.json) {
      if (result.interrupted) {
        io.stderr.write(pc.yellow(`Stopped waiting. ${ledgerNote()}`) + resume);
      } else if (totals.rendered + totals.skipped > 0 && !args.dryRun) {
        io.stderr.write(`${pc.green('Videos are in')} ${rel(outDir)}${path.sep}\n`);
      }
      const unknown = unknownSubmitNote(result.manifest.videos);
      if (unknown !== undefined) io.stderr.write(`${pc.yellow(unknown)}\n`);
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

/**
 * What to do about submits whose answer was lost and whose job was not found (yet): the job may exist
 * and be charged, so point at the command that lists the recent jobs and the one that fetches a job.
 */
export function unknownSubmitNote(videos: readonly ManifestVideo[]): string | undefined {
  const unknown = videos.filter((v) => isUnknownSubmit(v.error));
  if (unknown.length === 0) return undefined;
  const one = unknown.length === 1;
  return (
    `${unknown.length} submit${one ? '' : 's'} went unanswered and may have been paid ` +
    `(${unknown.map((v) => v.name).join(', ')}). Look for ${one ? 'its job' : 'their jobs'} with ` +
    '`scenario-video jobs`, fetch with `scenario-video job <id> --download DIR`, then render again.'
  );
}

/** A submit sent without an answer, whose job was not found: `network`, not retryable, no job id (core). */
export function isUnknownSubmit(error: ManifestError | null | undefined): boolean {
  return error?.code === 'network' && error.retryable === false && error.jobId === undefined;
}

function resumeCommand(argv: readonly string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`);
  return ['scenario-video', ...argv].map(quote).join(' ');
}
