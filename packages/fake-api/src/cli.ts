#!/usr/bin/env node
/**
 * `scenario-fake-api [--port N] [--cdn-port N] [--job-duration-ms N | --job-duration-range MIN-MAX] [--key K --secret S]
 *  [--team T] [--video-bytes N] [--concurrency-limit N] [--seed N]`
 *
 * Prints the base URL on the first line (scripts read it), then how to authenticate, and serves
 * until SIGINT/SIGTERM. Real clock; drive a manual one in-process with `startFakeScenario`.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CREDENTIAL } from './app.js';
import type { FakeScenarioOptions } from './options.js';
import { startFakeScenario } from './server.js';

const USAGE = `Usage: scenario-fake-api [options]

A local stand-in for https://api.cloud.scenario.com/v1 on 127.0.0.1.

  --port N               API port (default 0: any free port)
  --cdn-port N           CDN/storage port (default 0: any free port)
  --job-duration-ms N    time from submit to success (default 6000)
  --job-duration-range MIN-MAX
                         each job's duration drawn between MIN and MAX ms (e.g. 120000-600000:
                         renders of 2 to 10 minutes, like Wan 2.2's)
  --key K --secret S     the accepted API key and secret (default fake-key / fake-secret)
  --team T               the team of that key (default team_fake)
  --video-bytes N        pad every output MP4 to at least N bytes (streamed)
  --concurrency-limit N  unfinished jobs per team before 429 (default 8; 0 = no limit)
  --seed N               seed for ids and random faults (default 1)
  -h, --help             this help
`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number >= 0, got ${JSON.stringify(v)}`);
  return n;
}

function range(v: string | undefined): [number, number] | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)-(\d+)$/.exec(v);
  if (!m || Number(m[1]) > Number(m[2])) {
    throw new Error(`--job-duration-range needs MIN-MAX in ms with MIN <= MAX, got ${JSON.stringify(v)}`);
  }
  return [Number(m[1]), Number(m[2])];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'cdn-port': { type: 'string' },
      'job-duration-ms': { type: 'string' },
      'job-duration-range': { type: 'string' },
      key: { type: 'string' },
      secret: { type: 'string' },
      team: { type: 'string' },
      'video-bytes': { type: 'string' },
      'concurrency-limit': { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  if ((values.key === undefined) !== (values.secret === undefined)) throw new Error('--key and --secret go together');
  const credential = {
    apiKey: values.key ?? DEFAULT_CREDENTIAL.apiKey,
    apiSecret: values.secret ?? DEFAULT_CREDENTIAL.apiSecret,
    teamId: values.team ?? DEFAULT_CREDENTIAL.teamId,
  };
  const options: FakeScenarioOptions = {
    port: int('port', values.port) ?? 0,
    cdnPort: int('cdn-port', values['cdn-port']) ?? 0,
    credentials: [credential],
  };
  const set = <K extends keyof FakeScenarioOptions>(k: K, v: FakeScenarioOptions[K] | undefined) => {
    if (v !== undefined) options[k] = v;
  };
  set('jobDurationMs', int('job-duration-ms', values['job-duration-ms']));
  set('jobDurationRangeMs', range(values['job-duration-range']));
  set('videoBytes', int('video-bytes', values['video-bytes']));
  set('teamConcurrencyLimit', int('concurrency-limit', values['concurrency-limit']));
  set('seed', int('seed', values.seed));

  const fake = await startFakeScenario(options);
  // A secret given on the command line is the user's: never echo it back.
  const secretShown = values.secret === undefined ? credential.apiSecret : '(the --secret you gave)';
  process.stdout.write(
    `${fake.url}\n` +
      `  CDN/storage:  ${fake.cdnUrl}\n` +
      `  API key:      ${credential.apiKey}\n` +
      `  API secret:   ${secretShown}\n` +
      `  Inspect:      ${new URL(fake.url).origin}/_fake/state\n` +
      `  Try:          curl -u ${credential.apiKey}:<secret> ${fake.url}/jobs\n` +
      `Ctrl-C to stop.\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`scenario-fake-api: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
});
