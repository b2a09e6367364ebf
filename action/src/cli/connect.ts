import {
  ScenarioError,
  createScenarioClient,
  type PollScheduleOptions,
  type ScenarioClient,
} from '@scenario-video/core';
import { envCredentials, missingCredentialVariables, nodePorts } from '@scenario-video/core/node';
import { UsageError, checkBaseUrl } from './args.js';
import { pc } from './colors.js';
import type { CliIO } from './io.js';

/** Polls suited to the embedded fake, whose jobs take seconds rather than minutes. */
const FAKE_POLL: Partial<PollScheduleOptions> = { minMs: 250, maxMs: 1000, finalizingMaxMs: 500 };
/** How long a job of the embedded fake takes (`--fake`). */
const FAKE_JOB_MS = 4000;

export interface Connection {
  client: ScenarioClient;
  baseUrl: string;
  /** The embedded fake (`--fake`): it starts empty and forgets its jobs when the command ends. */
  fake: boolean;
  close(): Promise<void>;
}

export interface ConnectOptions {
  fake?: boolean;
  baseUrl?: string;
  /** No "Using the embedded fake" line (JSON output). */
  quiet?: boolean;
}

/** Which of the two environment variables holding the credentials are empty (the core's reading of them). */
export function missingCredentials(env: CliIO['env']): string[] {
  return missingCredentialVariables(env);
}

export function missingCredentialsMessage(missing: readonly string[]): string {
  return (
    `scenario-video: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set.\n` +
    '  Create an API key and secret in Scenario (app.scenario.com → your team → API keys), then:\n' +
    '    export SCENARIO_SDK_API_KEY=…  SCENARIO_SDK_API_SECRET=…\n' +
    '  Or try everything locally with --fake (the embedded fake API, no account needed).\n'
  );
}

/**
 * A client for the embedded fake (`--fake`) or for the API named by `--base-url`, `SCENARIO_API_URL` or
 * the default, with the credentials of the environment. Undefined after printing why not (exit code 2).
 */
export async function connect(io: CliIO, options: ConnectOptions): Promise<Connection | undefined> {
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
        // The embedded fake listens on 127.0.0.1 in this process, where no proxy could reach it.
        ports: nodePorts({ apiKey, apiSecret, baseUrl: fake.url, env: {} }),
        poll: FAKE_POLL,
      }),
      baseUrl: fake.url,
      fake: true,
      close: () => fake.close(),
    };
  }
  const missing = missingCredentials(io.env);
  if (missing.length > 0) {
    io.stderr.write(missingCredentialsMessage(missing));
    return undefined;
  }
  try {
    // The core's reader: SCENARIO_SDK_API_KEY, SCENARIO_SDK_API_SECRET, SCENARIO_API_URL (or the default).
    const { apiKey, apiSecret, baseUrl: fromEnv } = envCredentials(io.env);
    const baseUrl = options.baseUrl ?? checkBaseUrl(fromEnv, 'SCENARIO_API_URL');
    return {
      // HTTPS_PROXY, HTTP_PROXY and NO_PROXY of the same environment (an unusable proxy: exit 2, below).
      client: createScenarioClient({ baseUrl, ports: nodePorts({ apiKey, apiSecret, baseUrl, env: io.env }) }),
      baseUrl,
      fake: false,
      close: async () => {},
    };
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof UsageError) {
      io.stderr.write(`scenario-video: ${e.message}\n`);
      return undefined;
    }
    throw e;
  }
}
