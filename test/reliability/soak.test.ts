// Soak: 500 videos through the batch renderer (the CLI's and the Action's engine) with about 5 % of
// all requests hit by a mix of every fault kind. Nothing may be lost (each video is rendered with
// an intact MP4 from its own job, or failed with its job id, or — a submit whose answer was lost —
// failed saying so, with the fake confirming that no job was made), nothing paid twice, and memory
// must not grow with the number of jobs. The fake runs in its own process on a manual clock; the
// renderer's sleeps move that clock, so 500 renders of 30 s each take seconds.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { renderBatch } from '../../action/src/batch/render.js';
import type { BatchEvent } from '../../action/src/batch/events.js';
import { createScenarioClient, type SleepPort } from '../../packages/core/src/index.js';
import { createHttpTransport } from '../../packages/core/src/node/index.js';
import { seededRandom } from '../../packages/core/src/testing/virtual-time.js';
import type { FakeState, FaultRule } from '../../packages/fake-api/src/options.js';
import { UNKNOWN_OUTCOME } from './cells.js';
import {
  API_KEY,
  API_SECRET,
  CREDENTIALS,
  NO_HAZARDS,
  REQUEST_TIMEOUT_MS,
  START,
  SUBMIT_TIMEOUT_MS,
  auditSubmits,
  checkVideo,
  keep,
  makeRepo,
  recordCounts,
  repoRoot,
  writeIn,
} from './support.js';

const JOBS = 500;
const FILES = 50;
const VIDEO_BYTES = 256 * 1024;

/**
 * Every kind the fake has, on the routes each applies to. Kinds limited to some routes fire on
 * fewer requests than their rate, so the nominal rates add up to more than 5 %: the test checks
 * that the share of requests actually hit is about 5 %.
 */
const MIX: FaultRule[] = [
  { route: '*', kind: 'http-5xx', rate: 0.012 },
  { route: '*', kind: 'rate-limit-retry-after', rate: 0.006, retryAfterSeconds: 2 },
  { route: '*', kind: 'rate-limit-remaining-seconds', rate: 0.006, remainingSeconds: 3 },
  { route: 'generate', kind: 'rate-limit-action-limit', rate: 0.006, actionLimit: 4 },
  { route: '*', kind: 'reset-before-body', rate: 0.006 },
  { route: '*', kind: 'reset-after-body', rate: 0.006 },
  { route: 'generate', kind: 'reset-after-create', rate: 0.006 },
  { route: 'cdn', kind: 'truncate', rate: 0.006 },
  { route: 'getAsset', kind: 'expired-url', rate: 0.006 },
  { route: 'getJob', kind: 'unknown-status', rate: 0.006 },
  { route: '*', kind: 'malformed-json', rate: 0.006 },
  { route: '*', kind: 'slow', rate: 0.003, delayMs: 50 },
];

/**
 * Each kind also fires once for certain, spread over the run: at these rates a kind limited to one
 * route sees about three hits in 500 videos, so by chance alone it would miss about one run in 20.
 */
const ONCE: FaultRule[] = MIX.map(({ rate: _rate, ...rule }, i) => ({ ...rule, times: 1, after: 40 + 37 * i }));

const fakeServer = path.join(import.meta.dirname, 'fake-server.mjs');
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGTERM');
});

async function startFakeProcess(options: Record<string, unknown>): Promise<{ url: string; origin: string }> {
  if (!existsSync(path.join(repoRoot, 'packages', 'fake-api', 'dist', 'index.js'))) {
    throw new Error('packages/fake-api/dist is missing: run pnpm build first');
  }
  child = spawn(process.execPath, [fakeServer, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the fake did not start: ${err}`)), 15_000);
    child!.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) {
        clearTimeout(timer);
        resolve(out.slice(0, out.indexOf('\n')));
      }
    });
    child!.on('exit', (code) => reject(new Error(`the fake exited (${code}): ${err}`)));
  });
  const { url } = JSON.parse(first) as { url: string };
  return { url, origin: new URL(url).origin };
}

/** Force a full collection, then what the process holds: JS heap plus buffers outside it. */
function heldBytes(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

it(
  `${JOBS} videos with 5 % of requests faulty: none lost, none paid twice, every failure named, flat memory`,
  { timeout: 170_000 },
  async () => {
    const { url, origin } = await startFakeProcess({
      start: START,
      credentials: CREDENTIALS,
      jobDurationMs: 30_000,
      videoBytes: VIDEO_BYTES,
      seed: 2026,
      faults: [...ONCE, ...MIX],
    });

    // Virtual time: the renderer's sleeps move the fake's clock (only this test moves it).
    let now = START;
    const sleep: SleepPort = async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      const d = Math.max(0, ms);
      now += d;
      const res = await fetch(`${origin}/_fake/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceMs: d }),
      });
      await res.arrayBuffer();
      if (signal?.aborted) throw signal.reason;
    };
    const client = createScenarioClient({
      baseUrl: url,
      ports: {
        http: createHttpTransport({
          baseUrl: url,
          apiKey: API_KEY,
          apiSecret: API_SECRET,
          defaultTimeoutMs: REQUEST_TIMEOUT_MS * 4,
          bodyIdleTimeoutMs: REQUEST_TIMEOUT_MS * 4,
        }),
        sleep,
        clock: { now: () => now },
        random: seededRandom(3),
      },
      requestTimeoutMs: REQUEST_TIMEOUT_MS * 4,
      submitTimeoutMs: SUBMIT_TIMEOUT_MS * 4,
    });

    // 50 prompt files of 10 videos each (defaults + videos), 500 distinct prompts.
    const repo = await makeRepo('soak');
    const promptOf = new Map<string, string>();
    for (let f = 0; f < FILES; f++) {
      const lines = ['defaults:', `  image: images/${f % 2 === 0 ? 'cells' : 'gradient'}.png`, '  resolution: 480p'];
      lines.push('videos:');
      for (let v = 0; v < JOBS / FILES; v++) {
        const prompt = `soak video ${f * (JOBS / FILES) + v}`;
        promptOf.set(`s${String(f).padStart(2, '0')}-${v + 1}`, prompt);
        lines.push(`  - prompt: ${prompt}`);
      }
      await writeIn(repo, `prompts/s${String(f).padStart(2, '0')}.yml`, `${lines.join('\n')}\n`);
    }

    // Memory after every 100 settled videos.
    const samples: Array<{ settled: number; bytes: number }> = [];
    let settled = 0;
    const phases = new Map<string, number>();
    const onEvent = (e: BatchEvent) => {
      if (e.type !== 'video') return;
      phases.set(e.phase, (phases.get(e.phase) ?? 0) + 1);
      if (e.phase === 'rendered' || e.phase === 'failed' || e.phase === 'interrupted') {
        settled++;
        if (settled % 100 === 0) samples.push({ settled, bytes: heldBytes() });
      }
    };
    samples.push({ settled: 0, bytes: heldBytes() });
    const result = await renderBatch({ root: repo, outDir: 'out', client, concurrency: 8, onEvent });
    const m = result.manifest;
    keep('soak.manifest', JSON.stringify(m));
    const state = (await (await fetch(`${origin}/_fake/state`)).json()) as FakeState;

    expect(result.interrupted).toBe(false);
    expect(m.issues).toEqual([]);
    expect(m.videos).toHaveLength(JOBS);

    let rendered = 0;
    let failedWithJobId = 0;
    let unknownOutcome = 0;
    const lost: string[] = [];
    for (const v of m.videos) {
      const prompt = promptOf.get(v.name);
      if (prompt === undefined) {
        lost.push(`${v.name}: not asked for`);
        continue;
      }
      if (v.status === 'rendered') {
        const bytes = await readFile(path.join(repo, 'out', v.file!));
        const check = checkVideo(state, bytes, v.jobId!, prompt);
        if (check.ok && bytes.length === v.bytes && bytes.length >= VIDEO_BYTES) rendered++;
        else lost.push(`${v.name}: ${check.ok ? 'size' : check.why}`);
      } else if (v.status === 'failed' && v.jobId && v.error?.jobId === v.jobId && v.error.message.includes(v.jobId)) {
        failedWithJobId++;
      } else if (
        v.status === 'failed' &&
        !v.jobId &&
        v.error?.code === 'network' &&
        UNKNOWN_OUTCOME.test(v.error.message) &&
        !state.submissions.some((s) => s.input.prompt === prompt && s.jobId !== undefined)
      ) {
        unknownOutcome++;
      } else {
        lost.push(`${v.name}: ${v.status} ${JSON.stringify(v.error)}`);
      }
    }
    const audit = auditSubmits(state);
    const failed = m.videos.filter((v) => v.status === 'failed').length;

    const requests = Object.values(state.requests).reduce((a, b) => a + b, 0);
    const grew = samples.at(-1)!.bytes - samples.find((s) => s.settled === 100)!.bytes;
    recordCounts('soak', {
      jobs: JOBS,
      faultsInjected: state.faultsInjected.length,
      requests,
      faultRate: Math.round((state.faultsInjected.length / requests) * 1000) / 1000,
      rendered,
      failed,
      failedWithJobId,
      failedSubmitOutcomeUnknown: unknownOutcome,
      failedWithoutJobId: failed - failedWithJobId,
      lost: lost.length,
      duplicateSubmits: audit.duplicates,
      paidSubmits: audit.paidAttempts,
      jobsCreated: audit.jobsCreated,
      memoryBytesAfter: samples.map((s) => [s.settled, s.bytes]),
      memoryGrowthFrom100To500: grew,
      authorizationToCdn: state.hazards.authorizationToCdn,
      phases: Object.fromEntries(phases),
    });

    expect(lost).toEqual([]);
    expect(rendered + failedWithJobId + unknownOutcome).toBe(JOBS);
    expect(state.faultsInjected.length / requests, 'share of requests hit by a fault').toBeGreaterThan(0.04);
    expect(state.faultsInjected.length / requests).toBeLessThan(0.07);
    expect(new Set(state.faultsInjected.map((f) => f.kind)).size, 'every kind fired').toBe(12);
    expect(state.hazards).toEqual(NO_HAZARDS);
    expect(audit.duplicates).toBe(0);
    expect(audit.maxPaidPerInput).toBeLessThanOrEqual(1);
    // Each job made is a video delivered or a failure naming it: no paid job is left unreported.
    const reported = new Set(m.videos.map((v) => v.jobId).filter((j): j is string => j !== null));
    expect(state.jobIds.filter((j) => !reported.has(j))).toEqual([]);
    // Memory: 400 more videos of 256 KiB each (100 MiB) passed through; what the process holds
    // may grow by the manifest's bookkeeping, never by the videos (generous: 64 KiB a video).
    expect(grew).toBeLessThan(400 * 64 * 1024);
  },
);
