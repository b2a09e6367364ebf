// The real-scale rigs. In process (core, batch renderer, n8n node): the fake API and the client on
// one discrete-event virtual time (packages/core/src/testing/event-time.ts), so a two-hour batch
// of ten-minute renders runs in seconds and its virtual wall time is what it would be for real.
// Spawned (the CLI, the Action bundle): the fake on a scaled clock and the child on the same scale
// through a preload (scaled-time.mjs); see scale.ts for why.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createScenarioClient, type ScenarioClient } from '../../packages/core/src/index.js';
import { createHttpTransport } from '../../packages/core/src/node/index.js';
import { createEventTime, type EventTime } from '../../packages/core/src/testing/event-time.js';
import { seededRandom } from '../../packages/core/src/testing/virtual-time.js';
import { createManualClock, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario, FakeScenarioOptions } from '../../packages/fake-api/src/options.js';
import { createScaledClock, type ScaledClock } from './scale.js';
import { API_KEY, API_SECRET, CREDENTIALS, hitsIn, keep, repoRoot, writeIn } from './support.js';

export const MIN = 60_000;
/** Wan 2.2 renders take minutes: 2 to 10, each job its own. */
export const RENDER_RANGE: [number, number] = [2 * MIN, 10 * MIN];
/** Small videos: the profile is about time and money, not bytes. */
export const VIDEO_BYTES = 20_000;

export interface EventRig {
  fake: FakeScenario;
  time: EventTime;
  /** A client with the product's own timeouts (30 s requests, 60 s submit), on virtual time. */
  client: ScenarioClient;
  close(): Promise<void>;
}

/** The fake and a client on one discrete-event virtual time, starting near the real date. */
export async function startEventRig(options: FakeScenarioOptions = {}): Promise<EventRig> {
  const base = createManualClock(Math.floor(Date.now() / 1000) * 1000);
  // The fake's busy count steers the time, and the fake runs on that time: tie the knot by reference.
  const ref: { fake?: FakeScenario } = {};
  const time = createEventTime(base, { busy: () => ref.fake?.busy() ?? 0 });
  const fake = await startFakeScenario({
    clock: time.clock,
    credentials: CREDENTIALS,
    jobDurationRangeMs: RENDER_RANGE,
    videoBytes: VIDEO_BYTES,
    ...options,
  });
  ref.fake = fake;
  const http = createHttpTransport({ baseUrl: fake.url, apiKey: API_KEY, apiSecret: API_SECRET, timers: time.timers });
  const client = createScenarioClient({
    baseUrl: fake.url,
    ports: { http, sleep: time.sleep, clock: time.clock, random: seededRandom(11) },
  });
  return {
    fake,
    time,
    client,
    close: async () => {
      time.close();
      await fake.close();
    },
  };
}

/**
 * Spawned processes run 250× faster than real time: a ten-minute render takes 2.4 s, the
 * product's 30 s request timeout 120 ms (loopback answers take a few), a 20-video batch at team
 * limit 1 about 30 s. Every real millisecond of overhead (a request, a timer firing late on a busy
 * machine) costs 0.25 s on this clock, so wall ÷ ideal reads a few percent higher than in process;
 * at 500× it swung between 1.02 and 1.08 from run to run.
 */
export const SPAWN_SCALE = 250;

export interface ScaledRig {
  fake: FakeScenario;
  clock: ScaledClock;
  close(): Promise<void>;
}

export async function startScaledRig(options: FakeScenarioOptions = {}): Promise<ScaledRig> {
  const clock = createScaledClock(SPAWN_SCALE, Math.floor(Date.now() / 1000) * 1000);
  const fake = await startFakeScenario({
    clock,
    credentials: CREDENTIALS,
    jobDurationRangeMs: RENDER_RANGE,
    videoBytes: VIDEO_BYTES,
    ...options,
  });
  return { fake, clock, close: () => fake.close() };
}

/** One prompt file per video, two distinct images, so each video's content differs by its prompt. */
export async function writePrompts(repo: string, prompts: string[], extra = ''): Promise<void> {
  for (const [i, prompt] of prompts.entries()) {
    const image = i % 2 === 0 ? 'images/cells.png' : 'images/gradient.png';
    await writeIn(
      repo,
      `prompts/v${String(i).padStart(2, '0')}.yml`,
      `prompt: "${prompt}"\nimage: ${image}\nresolution: 480p\n${extra}`,
    );
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `scenario-video render …` from the build, on the scaled clock; its output is kept and checked for secrets. */
export async function runCli(
  rig: ScaledRig,
  repo: string,
  args: string[],
  timeoutMs = 120_000,
  onStart?: (child: ChildProcess) => void,
): Promise<CliRun> {
  const bin = path.join(repoRoot, 'action', 'dist', 'cli', 'bin.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run pnpm build first`);
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: repo,
    env: {
      PATH: process.env.PATH ?? '',
      SCENARIO_SDK_API_KEY: API_KEY,
      SCENARIO_SDK_API_SECRET: API_SECRET,
      SCENARIO_API_URL: rig.fake.url,
      ...rig.clock.env(),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  for (const [what, text] of [
    ['cli.stdout', stdout],
    ['cli.stderr', stderr],
  ] as const) {
    keep(`real-scale.${what}`, text);
    if (hitsIn(Buffer.from(text), what).length > 0) throw new Error(`a credential in the CLI's ${what}`);
  }
  return { code, stdout, stderr };
}

export interface ManifestVideo {
  name: string;
  source?: string;
  status: string;
  jobId: string | null;
  file: string | null;
  error: { code: string; message: string; jobId?: string } | null;
}

export const readManifest = async (file: string) =>
  JSON.parse(await readFile(file, 'utf8')) as { videos: ManifestVideo[]; totals: Record<string, unknown> };
