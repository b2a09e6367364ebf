// Shared by the reliability suite: distinctive credentials, a run folder that holds every byte the
// suite produces (swept for the credentials by the global teardown), the fake API on a manual clock
// with a client on virtual time, and the money checks (no second paid submit, videos intact).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { inject } from 'vitest';
import {
  createScenarioClient,
  type ScenarioClient,
  type ScenarioClientOptions,
} from '../../packages/core/src/index.js';
import { createHttpTransport } from '../../packages/core/src/node/index.js';
import { createVirtualTime, seededRandom, type VirtualTime } from '../../packages/core/src/testing/virtual-time.js';
import { createManualClock, readFakeVideoIdentity, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type {
  FakeScenario,
  FakeScenarioOptions,
  FakeState,
  FakeSubmission,
  ManualClock,
} from '../../packages/fake-api/src/options.js';
import { API_KEY, API_SECRET, CREDENTIALS, errorTexts } from './secrets.js';

export * from './secrets.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where every byte the suite produces goes (swept for the credentials at the end). */
    reliabilityDir: string;
  }
}

export const repoRoot = path.resolve(import.meta.dirname, '..', '..');
export const exampleImages = path.join(repoRoot, 'examples', 'prompts', 'images');

export const NO_HAZARDS = { authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 };
export const START = Date.UTC(2026, 10, 1, 12, 0, 0);

// ---- the run folder ----

let fallbackDir: string | undefined;

/** The suite's run folder (from the global setup; a temp folder when a file runs on its own). */
export function runDir(): string {
  let dir: string | undefined;
  try {
    dir = inject('reliabilityDir');
  } catch {
    dir = undefined;
  }
  if (!dir) dir = fallbackDir ??= mkdtempSync(path.join(tmpdir(), 'sv-reliability-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A fresh folder inside the run folder. */
export async function workDir(prefix: string): Promise<string> {
  const base = path.join(runDir(), 'work');
  await mkdir(base, { recursive: true });
  return mkdtemp(path.join(base, `${prefix}-`));
}

let evidenceCount = 0;

/** Keep a produced thing (output, error, run data) in the run folder, so the final sweep reads it. */
export function keep(what: string, data: string | Uint8Array): void {
  const dir = path.join(runDir(), 'evidence');
  mkdirSync(dir, { recursive: true });
  const name = `${process.pid}-${++evidenceCount}-${what.replace(/[^a-z0-9.-]+/gi, '_').slice(0, 80)}`;
  writeFileSync(path.join(dir, name), data);
}

/** Keep every rendering of an error. */
export function keepError(what: string, error: unknown): void {
  keep(`${what}.error`, errorTexts(error));
}

/** Record a section's counts for the final summary. */
export function recordCounts(section: string, counts: Record<string, unknown>): void {
  const dir = path.join(runDir(), 'counts');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${section}.json`), JSON.stringify(counts, null, 2));
}

// ---- the fake API on a manual clock, our client on virtual time ----

export interface Rig {
  fake: FakeScenario;
  clock: ManualClock;
  time: VirtualTime;
  client: ScenarioClient;
  close(): Promise<void>;
}

/** Real-time request bounds: a slow answer past them is abandoned (and, for a submit, looked up). */
export const REQUEST_TIMEOUT_MS = 1500;
export const SUBMIT_TIMEOUT_MS = 1500;

export async function startRig(
  options: FakeScenarioOptions = {},
  clientOptions: Partial<Omit<ScenarioClientOptions, 'ports' | 'baseUrl'>> = {},
): Promise<Rig> {
  const clock = createManualClock(START);
  const fake = await startFakeScenario({
    clock,
    credentials: CREDENTIALS,
    jobDurationMs: 90_000,
    videoBytes: 200_000,
    ...options,
  });
  const time = createVirtualTime(clock);
  const http = createHttpTransport({
    baseUrl: fake.url,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    defaultTimeoutMs: REQUEST_TIMEOUT_MS,
    bodyIdleTimeoutMs: REQUEST_TIMEOUT_MS,
  });
  const client = createScenarioClient({
    baseUrl: fake.url,
    ports: { http, sleep: time.sleep, clock, random: seededRandom(11) },
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    submitTimeoutMs: SUBMIT_TIMEOUT_MS,
    ...clientOptions,
  });
  return { fake, clock, time, client, close: () => fake.close() };
}

// ---- money and delivery checks ----

const stateOf = (f: FakeScenario | FakeState): FakeState => ('state' in f ? f.state() : f);

/**
 * What a submit asked for, by content: the fake's key replaces image asset ids with the uploaded
 * bytes' hash, so the same image uploaded twice cannot hide a second payment. (A fake built
 * before content keys existed gives none: then the input as sent.)
 */
const inputKey = (s: FakeSubmission) =>
  (s.contentKey as string | undefined) ?? `${s.modelId} ${JSON.stringify(sortKeys(s.input))}`;
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : typeof v === 'object' && v !== null
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;

/** An explicit refusal (429, or a 5xx that made no job) costs nothing; anything else may have been paid. */
const mayHaveBeenPaid = (s: FakeSubmission) => !(s.status === 429 || (s.status >= 500 && s.jobId === undefined));

export interface SubmitAudit {
  /** Paid submits (non-dry-run) that were not explicit refusals. */
  paidAttempts: number;
  jobsCreated: number;
  /** Inputs that were (or may have been) paid for more than once. */
  duplicates: number;
  maxPaidPerInput: number;
}

/** How the fake saw the submits: each input paid for at most once. */
export function auditSubmits(fake: FakeScenario | FakeState): SubmitAudit {
  const subs = stateOf(fake).submissions.filter((s) => !s.dryRun);
  const perInput = new Map<string, number>();
  for (const s of subs.filter(mayHaveBeenPaid)) perInput.set(inputKey(s), (perInput.get(inputKey(s)) ?? 0) + 1);
  const counts = [...perInput.values()];
  return {
    paidAttempts: subs.filter(mayHaveBeenPaid).length,
    jobsCreated: subs.filter((s) => s.jobId !== undefined).length,
    duplicates: counts.filter((c) => c > 1).length,
    maxPaidPerInput: Math.max(0, ...counts),
  };
}

/**
 * A delivered video is the output of the job it is reported for, made from the input that job was
 * submitted with (and that input's prompt is the one asked for).
 */
export function checkVideo(
  fake: FakeScenario | FakeState,
  bytes: Uint8Array,
  jobId: string,
  prompt?: string,
): { ok: true } | { ok: false; why: string } {
  let identity;
  try {
    identity = readFakeVideoIdentity(bytes);
  } catch (e) {
    return { ok: false, why: `not a whole video from the fake (${String(e)})` };
  }
  if (identity.jobId !== jobId) return { ok: false, why: `video of ${identity.jobId}, reported as ${jobId}` };
  const submission = stateOf(fake).submissions.find((s) => s.jobId === jobId);
  if (!submission) return { ok: false, why: `no submission created ${jobId}` };
  if (!isDeepStrictEqual(identity.input, submission.input)) return { ok: false, why: 'input differs' };
  if (prompt !== undefined && submission.input.prompt !== prompt) return { ok: false, why: 'prompt differs' };
  return { ok: true };
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

// ---- a repository with prompt files ----

export async function makeRepo(prefix: string, files: Record<string, string> = {}): Promise<string> {
  const repo = await workDir(prefix);
  await mkdir(path.join(repo, '.git'));
  await mkdir(path.join(repo, 'prompts', 'images'), { recursive: true });
  for (const img of ['cells.png', 'gradient.png']) {
    await copyFile(path.join(exampleImages, img), path.join(repo, 'prompts', 'images', img));
  }
  for (const [rel, text] of Object.entries(files)) await writeIn(repo, rel, text);
  return repo;
}

export async function writeIn(repo: string, rel: string, text: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
  await writeFile(path.join(repo, rel), text);
}

export const fileSize = (p: string) => statSync(p).size;
