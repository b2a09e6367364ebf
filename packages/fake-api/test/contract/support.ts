/**
 * Plain-fetch helpers for the contract suite. Deliberately not our core client: the suite pins
 * what the API does on the wire, so it talks HTTP itself. Every request carries a timeout.
 */
import { deflateSync, crc32 } from 'node:zlib';
import { randomUUID } from 'node:crypto';
import { LIVE, LIVE_IMAGE_ASSET_ID, type ContractTarget } from './target.js';
import type { FakeState } from '../../src/options.js';

export const WAN_MODEL = 'model_wan-2-2-i2v-a14b';

/** The 8 documented job statuses, in lifecycle order (docs §3). */
export const JOB_STATUSES = [
  'pending',
  'queued',
  'warming-up',
  'in-progress',
  'finalizing',
  'success',
  'failure',
  'canceled',
] as const;
export const TERMINAL_STATUSES = ['success', 'failure', 'canceled'] as const;
/** Upload statuses (docs §1). */
export const UPLOAD_STATUSES = ['pending', 'validating', 'validated', 'imported', 'complete', 'failed'] as const;

/** Per-request timeout: the fake answers in milliseconds; the real API in well under this. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** Untyped JSON from the wire; tests assert its shape field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface ApiResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body is not JSON. */
  json: Json;
}

export interface ApiOptions {
  body?: unknown;
  /** Raw body (e.g. bytes for a presigned PUT); sent as is. */
  raw?: Uint8Array | string;
  /** `true` (default): the target's credentials; `false`: none; a string: this exact header. */
  auth?: boolean | string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Build `${baseUrl}${path}?query`; `path` is relative to the `/v1` base (e.g. `/jobs`). */
export function apiUrl(t: ContractTarget, path: string, query?: ApiOptions['query']): string {
  const url = new URL(t.baseUrl + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

/**
 * Live only: at least this long between two API requests, so the suite's few dozen dry runs
 * never trip the real API's (unpublished) rate limits and a 429 cannot masquerade as a finding.
 */
const LIVE_SPACING_MS = 250;
let nextLiveSlot = 0;
async function paceLive(t: ContractTarget): Promise<void> {
  if (t.kind !== 'live') return;
  const now = Date.now();
  const wait = Math.max(0, nextLiveSlot - now);
  nextLiveSlot = Math.max(now, nextLiveSlot) + LIVE_SPACING_MS;
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

/** One HTTP exchange with the API. Rejects only when no response arrived (like fetch). */
export async function api(t: ContractTarget, method: string, path: string, o: ApiOptions = {}): Promise<ApiResponse> {
  await paceLive(t);
  return request(method, apiUrl(t, path, o.query), {
    ...o,
    auth: o.auth === false ? undefined : typeof o.auth === 'string' ? o.auth : t.authHeader(),
  });
}

/** One HTTP exchange with any URL (CDN, presigned storage, fake control). No auth unless given. */
export async function request(
  method: string,
  url: string,
  o: Omit<ApiOptions, 'auth' | 'query'> & { auth?: string } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  if (o.auth) headers.authorization = o.auth;
  let body: string | Uint8Array | undefined;
  if (o.raw !== undefined) body = o.raw;
  else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(url, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(o.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, ok: res.ok, headers: res.headers, text, json: tryJson(text) };
}

/** Raw fetch for byte-level checks (CDN downloads), with a timeout. */
export async function fetchBytes(
  url: string,
  init: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const res = await fetch(url, {
    headers: init.headers ?? {},
    redirect: 'manual',
    signal: AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes };
}

/**
 * The human-readable error of an error body, parsed defensively (docs §5: `reason`, `message`,
 * `error` or `detail`, the docs' `{status, code, message}` variant).
 */
export function errorText(json: unknown): string {
  if (!json || typeof json !== 'object') return '';
  const o = json as Record<string, unknown>;
  for (const k of ['reason', 'message', 'error', 'detail']) {
    const v = o[k];
    if (typeof v === 'string' && v.length > 0) return v;
    if (v && typeof v === 'object') {
      const inner = errorText(v);
      if (inner) return inner;
    }
  }
  return '';
}

/** A unique marker for prompts, so jobs can be found again (also live, among other jobs). */
export function nonce(label = 'contract'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

// ---------------------------------------------------------------------------------------------
// Images built in code

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * A valid RGBA PNG of `width` x `height`. `padBytes` adds a private ancillary chunk (`svPs`) of
 * that size, which decoders skip: a real, decodable image of any byte size.
 */
export function makePng(width: number, height: number, padBytes = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const row = Buffer.alloc(1 + width * 4, 0x80);
  row[0] = 0; // filter: none
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const chunks = [pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(raw))];
  if (padBytes > 0) chunks.push(pngChunk('svPs', Buffer.alloc(padBytes, 0x2a)));
  chunks.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([PNG_SIGNATURE, ...chunks]);
}

/** A 1x1 PNG, as bytes (70 bytes). */
export const TINY_PNG = makePng(1, 1);
export const TINY_PNG_BASE64 = TINY_PNG.toString('base64');
/** A 16:9 first frame (the docs' "ideal 16:9"), still tiny. */
export const FRAME_PNG = makePng(32, 18);
/** A valid PNG over 6 MB (6.5 MiB), for the `/assets` size limit and the multipart upload. */
export const BIG_PNG_BYTES = Math.round(6.5 * 1024 * 1024);
let bigPng: Buffer | undefined;
export function bigPngBuffer(): Buffer {
  bigPng ??= makePng(1, 1, BIG_PNG_BYTES - TINY_PNG.length - 12);
  return bigPng;
}

// ---------------------------------------------------------------------------------------------
// Flows

/** Upload an image through `POST /v1/assets` (raw base64) and return its asset id. */
export async function uploadImage(t: ContractTarget, png: Buffer = FRAME_PNG, name = 'frame.png'): Promise<string> {
  const res = await api(t, 'POST', '/assets', { body: { image: png.toString('base64'), name } });
  if (res.status !== 200) throw new Error(`upload failed: ${res.status} ${res.text.slice(0, 200)}`);
  const id = res.json?.asset?.id;
  if (typeof id !== 'string') throw new Error(`upload answered no asset.id: ${res.text.slice(0, 200)}`);
  return id;
}

export type WanInput = Record<string, unknown>;

/** Submit a (paid) Wan 2.2 job; never used live. */
export async function submit(t: ContractTarget, input: WanInput, modelId = WAN_MODEL): Promise<ApiResponse> {
  return api(t, 'POST', `/generate/custom/${modelId}`, { body: input });
}

/** Dry run: `?dryRun=true` in the query, never in the body. */
export async function dryRun(t: ContractTarget, input: WanInput, modelId = WAN_MODEL): Promise<ApiResponse> {
  return api(t, 'POST', `/generate/custom/${modelId}`, { body: input, query: { dryRun: 'true' } });
}

export async function submitJob(t: ContractTarget, input: WanInput): Promise<{ jobId: string; res: ApiResponse }> {
  const res = await submit(t, input);
  if (res.status !== 200) throw new Error(`submit failed: ${res.status} ${res.text.slice(0, 300)}`);
  const jobId = res.json?.job?.jobId;
  if (typeof jobId !== 'string') throw new Error(`submit answered no job.jobId: ${res.text.slice(0, 300)}`);
  return { jobId, res };
}

export async function getJob(t: ContractTarget, jobId: string): Promise<ApiResponse> {
  return api(t, 'GET', `/jobs/${encodeURIComponent(jobId)}`);
}

/**
 * Drive the fake's manual clock in `stepMs` steps, polling the job after each step, until it is
 * terminal (or `maxMs` of fake time passed). Returns every job snapshot seen, in order.
 */
export async function driveJob(
  t: ContractTarget,
  jobId: string,
  { stepMs = 250, maxMs = 60_000 }: { stepMs?: number; maxMs?: number } = {},
): Promise<Json[]> {
  if (!t.clock) throw new Error('driveJob needs the fake clock');
  const seen: Json[] = [];
  for (let elapsed = 0; elapsed <= maxMs; elapsed += stepMs) {
    const res = await getJob(t, jobId);
    if (res.status !== 200) throw new Error(`GET /jobs/${jobId}: ${res.status} ${res.text.slice(0, 200)}`);
    seen.push(res.json.job);
    if ((TERMINAL_STATUSES as readonly string[]).includes(res.json.job.status)) return seen;
    t.clock.advance(stepMs);
  }
  return seen;
}

/** Submit and run a job to its end; returns the final job and its asset ids. */
export async function renderJob(
  t: ContractTarget,
  input: WanInput,
): Promise<{ jobId: string; job: Json; creativeUnitsCost: unknown }> {
  const { jobId, res } = await submitJob(t, input);
  const seen = await driveJob(t, jobId, { stepMs: 1_000 });
  return { jobId, job: seen[seen.length - 1], creativeUnitsCost: res.json.creativeUnitsCost };
}

/** Poll an upload, advancing the fake clock, until `imported`/`failed`. Real time bounded too. */
export async function driveUpload(t: ContractTarget, uploadId: string): Promise<Json[]> {
  const seen: Json[] = [];
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const res = await api(t, 'GET', `/uploads/${encodeURIComponent(uploadId)}`);
    if (res.status !== 200) throw new Error(`GET /uploads/${uploadId}: ${res.status} ${res.text.slice(0, 200)}`);
    seen.push(res.json.upload);
    if (['imported', 'failed'].includes(res.json.upload?.status)) return seen;
    t.clock?.advance(100);
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen;
}

/** Valid Wan 2.2 input around an uploaded image, with a unique prompt. */
export function wanInput(image: string, extra: WanInput = {}): WanInput {
  return { prompt: `${nonce('a slow pan over a harbour')}`, image, ...extra };
}

// ---------------------------------------------------------------------------------------------
// Fake control over HTTP (`/_fake/*`)

export async function fakeState(t: ContractTarget): Promise<FakeState> {
  if (!t.controlUrl) throw new Error('fake only');
  const res = await request('GET', `${t.controlUrl}/_fake/state`);
  if (res.status !== 200) throw new Error(`/_fake/state: ${res.status} ${res.text.slice(0, 200)}`);
  return res.json as FakeState;
}

/** Wait (real time, bounded) until `check` passes; for server-side effects that land after the answer. */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/**
 * An image asset id for dry runs: uploaded on the fake; on live, the existing asset named by
 * SCENARIO_CONTRACT_IMAGE_ASSET_ID (live tests that need it are skipped without it).
 */
export async function dryRunImage(t: ContractTarget): Promise<string> {
  if (t.kind === 'live') {
    if (!LIVE_IMAGE_ASSET_ID) throw new Error('set SCENARIO_CONTRACT_IMAGE_ASSET_ID for live dry runs');
    return LIVE_IMAGE_ASSET_ID;
  }
  return uploadImage(t);
}

/** Skip condition for tests that need an image asset id: live without SCENARIO_CONTRACT_IMAGE_ASSET_ID. */
export const NO_IMAGE_FOR_DRY_RUN = LIVE && !LIVE_IMAGE_ASSET_ID;

/** Jobs on the first page of `GET /v1/jobs` whose prompt is `prompt`. */
export async function jobsWithPrompt(t: ContractTarget, prompt: string): Promise<Json[]> {
  const res = await api(t, 'GET', '/jobs', { query: { pageSize: 50 } });
  if (res.status !== 200) throw new Error(`GET /jobs: ${res.status} ${res.text.slice(0, 200)}`);
  return (res.json.jobs as Json[]).filter((j) => j?.metadata?.input?.prompt === prompt);
}
