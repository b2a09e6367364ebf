import path from 'node:path';
import { nextStep, ScenarioError, type NextStepInput, type ScenarioJob } from '@scenario-video/core';
import { createFileSink } from '@scenario-video/core/node';
import type { JobArgs } from './args.js';
import { connect, type Connection } from './connect.js';
import { formatBytes, formatCu, showPath } from './display.js';
import { EXIT, type CliIO } from './io.js';

/** `scenario-video job <id>`: show one job; `--wait` for it to end; `--download DIR` saves its videos. */
export async function jobCommand(args: JobArgs, io: CliIO): Promise<number> {
  const connection = await connect(io, {
    fake: args.fake,
    quiet: args.json,
    ...(args.baseUrl !== undefined ? { baseUrl: args.baseUrl } : {}),
  });
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
    io.stderr.write(`scenario-video: ${apiFailure(e, connection, `job ${args.jobId}`)}\n`);
    return failureExit(e);
  } finally {
    stopListening?.();
    await connection.close();
  }
}

/** An API error as one line for a person, with what to do when it is the credentials, the network or a 404. */
export function apiFailure(e: unknown, connection: Connection, what: string): string {
  if (!(e instanceof ScenarioError)) return e instanceof Error ? e.message : String(e);
  const step = nextStep(e).kind;
  if (step === 'check-credentials') {
    return (
      `Scenario refused the API key and secret (401 Unauthorized from ${connection.baseUrl}); ` +
      'check SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET'
    );
  }
  if (step === 'check-network') return `cannot reach the Scenario API at ${connection.baseUrl}: ${e.message}`;
  if (e.status === 404) {
    return connection.fake
      ? `${what} not found: the embedded fake (--fake) starts empty and only knows the jobs of this command. ` +
          'To look up jobs of a fake render, run `scenario-video fake-api` and set the variables it prints.'
      : `${what} not found for this API key (jobs belong to the key's team); list them with: scenario-video jobs`;
  }
  return e.message;
}

/** Credentials and connection problems are set-up errors (2); anything else failed (1). */
export function failureExit(e: unknown): number {
  return e instanceof ScenarioError && isSetUpStep(e) ? EXIT.usage : EXIT.failed;
}

/**
 * The core's next steps that are the set-up's, not one job's: the credentials, or a network that
 * failed even after the core's retries. An unknown submit is `network` too, but stays its job's.
 */
function isSetUpStep(e: NextStepInput): boolean {
  const kind = nextStep(e).kind;
  return kind === 'check-credentials' || kind === 'check-network';
}
