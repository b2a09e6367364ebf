/**
 * Helpers for the fake's own tests: start a fake on a manual clock, talk to it over real HTTP on
 * 127.0.0.1 with a timeout on every request, and build real images in code.
 */
import { crc32, deflateSync } from 'node:zlib';
import { createManualClock } from '../clock.js';
import type { FakeScenario, FakeScenarioOptions, ManualClock } from '../options.js';
import { startFakeScenario } from '../server.js';

export const REQUEST_TIMEOUT_MS = 10_000;

export interface TestFake {
  fake: FakeScenario;
  clock: ManualClock;
  /** API origin (for `/_fake/*`). */
  origin: string;
  close(): Promise<void>;
}

export async function startTestFake(options: Partial<FakeScenarioOptions> = {}): Promise<TestFake> {
  const clock = createManualClock(Date.UTC(2026, 10, 1, 12, 0, 0));
  const fake = await startFakeScenario({ clock, ...options });
  return { fake, clock, origin: new URL(fake.url).origin, close: () => fake.close() };
}

export function basic(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

export interface Res {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  body?: unknown;
  raw?: string | Uint8Array;
  /** Default: the fake's first credential. `false`: none. A string: that exact header. */
  auth?: boolean | string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

/** One request to `path` under the API base (`/jobs`), or to an absolute URL. */
export async function call(t: TestFake, method: string, path: string, o: CallOptions = {}): Promise<Res> {
  const url = /^https?:/.test(path) ? path : `${t.fake.url}${path}`;
  const headers: Record<string, string> = { ...(o.headers ?? {}) };
  const auth = o.auth ?? true;
  if (auth === true) headers.authorization = basic(t.fake.credentials.apiKey, t.fake.credentials.apiSecret);
  else if (typeof auth === 'string') headers.authorization = auth;
  let body: string | Uint8Array | undefined = o.raw;
  if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(url, {
    method,
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(o.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Resolves to the error when the exchange failed (reset, truncation), undefined when it answered. */
export async function failure(p: Promise<unknown>): Promise<Error | undefined> {
  try {
    await p;
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A real RGBA PNG; `padBytes` adds an ancillary chunk decoders skip (any size, still valid). */
export function makePng(width: number, height: number, padBytes = 0): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  const row = Buffer.alloc(1 + width * 4, 0x40);
  row[0] = 0;
  const chunks = [pngChunk('IHDR', ihdr), pngChunk('IDAT', deflateSync(Buffer.concat(Array(height).fill(row))))];
  if (padBytes > 0) chunks.push(pngChunk('svPs', Buffer.alloc(padBytes, 1)));
  chunks.push(pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ...chunks]);
}

export const FRAME_PNG = makePng(32, 18);

export async function uploadImage(t: TestFake, png: Buffer = FRAME_PNG, auth?: string): Promise<string> {
  const res = await call(t, 'POST', '/assets', {
    body: { image: png.toString('base64'), name: 'frame.png' },
    ...(auth ? { auth } : {}),
  });
  if (res.status !== 200) throw new Error(`upload: ${res.status} ${res.text}`);
  return res.json.asset.id as string;
}

export const WAN = 'model_wan-2-2-i2v-a14b';

export async function submit(t: TestFake, input: Record<string, unknown>, o: CallOptions = {}): Promise<Res> {
  return call(t, 'POST', `/generate/custom/${WAN}`, { body: input, ...o });
}

export async function submitJob(t: TestFake, input: Record<string, unknown>): Promise<string> {
  const res = await submit(t, input);
  if (res.status !== 200) throw new Error(`submit: ${res.status} ${res.text}`);
  return res.json.job.jobId as string;
}

/** Submit, run the clock past the job's end, and return the output's signed URL. */
export async function renderVideo(t: TestFake, input: Record<string, unknown>) {
  const jobId = await submitJob(t, input);
  t.clock.advance(10 * 60_000);
  const job = (await call(t, 'GET', `/jobs/${jobId}`)).json.job;
  if (job.status !== 'success') throw new Error(`job ${jobId} ended ${job.status}`);
  const assetId = job.metadata.assetIds[0] as string;
  const asset = (await call(t, 'GET', `/assets/${assetId}`)).json.asset;
  return { jobId, assetId, url: asset.url as string, asset };
}
