/**
 * The output video: `GET /v1/assets/{id}` → `asset.url`, a signed CDN URL (CloudFront-style
 * `Policy`, `Signature`, `Key-Pair-Id`) that is fetched WITHOUT the auth header and expires
 * (docs §2 [URL][CDN]). Needs a finished (paid) job, so fake only.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity } from '../../src/index.js';
import { api, fakeState, fetchBytes, renderJob, uploadImage, wanInput, type Json } from './support.js';
import { FAKE_DEFAULTS, LIVE, SKIP_LIVE, contractTarget, resetTarget, type ContractTarget } from './target.js';

const VIDEO_BYTES = 256 * 1024;

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget({ videoBytes: VIDEO_BYTES });
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t, { videoBytes: VIDEO_BYTES }));

/** Render one video and return its job, input and first output asset id. */
async function rendered(): Promise<{ jobId: string; assetId: string; input: Json; job: Json }> {
  const image = await uploadImage(t);
  const input = wanInput(image, { resolution: '480p', seed: 7 });
  const { jobId, job } = await renderJob(t, input);
  expect(job.status).toBe('success');
  return { jobId, assetId: job.metadata.assetIds[0], input, job };
}

async function assetUrl(assetId: string): Promise<string> {
  const res = await api(t, 'GET', `/assets/${assetId}`);
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  return res.json.asset.url as string;
}

function tamper(url: string, param: string): string {
  const u = new URL(url);
  const v = u.searchParams.get(param) ?? '';
  u.searchParams.set(param, (v[0] === 'A' ? 'B' : 'A') + v.slice(1));
  return u.toString();
}

describe.skipIf(LIVE)(`GET /v1/assets/{id} for the output video ${SKIP_LIVE.paid}`, () => {
  it('answers {asset: {id, url, mimeType, kind: video, status: success, properties}}', async () => {
    const { assetId } = await rendered();
    const res = await api(t, 'GET', `/assets/${assetId}`);
    expect(res.status).toBe(200);
    const asset = res.json.asset;
    expect(asset.id).toBe(assetId);
    expect(asset.kind).toBe('video');
    expect(asset.status).toBe('success');
    for (const p of ['size', 'width', 'height', 'duration', 'frameRate', 'nbFrames']) {
      expect(typeof asset.properties?.[p], `properties.${p}`).toBe('number');
    }
    expect(typeof asset.properties.codecName).toBe('string');
    const url = new URL(asset.url);
    for (const p of ['Policy', 'Signature', 'Key-Pair-Id']) {
      expect(url.searchParams.get(p), `${p} in ${url.pathname}?…`).toBeTruthy();
    }
    // The CDN is its own origin, not the API's.
    expect(url.origin).not.toBe(new URL(t.baseUrl).origin);
    expect(url.origin).toBe(new URL(t.fake!.cdnUrl).origin);
    expect(url.pathname).toMatch(/^\/assets(-transform)?\//);
  });

  it('assumed: the output is video/mp4', async () => {
    const { assetId } = await rendered();
    const res = await api(t, 'GET', `/assets/${assetId}`);
    expect(res.json.asset.mimeType).toBe('video/mp4');
  });

  it('assumed: every GET signs a fresh URL (fetch the asset again for a new one)', async () => {
    const { assetId } = await rendered();
    const a = await assetUrl(assetId);
    const b = await assetUrl(assetId);
    expect(a).not.toBe(b);
    for (const u of [a, b]) expect((await fetchBytes(u)).status).toBe(200);
  });
});

describe.skipIf(LIVE)(`the CDN (signed URLs) ${SKIP_LIVE.paid}`, () => {
  it('serves the MP4 without auth: 200, Content-Length, ftyp at offset 4', async () => {
    const { assetId } = await rendered();
    const res = await fetchBytes(await assetUrl(assetId));
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(res.bytes.length);
    expect(res.bytes.length).toBeGreaterThanOrEqual(VIDEO_BYTES);
    expect(Buffer.from(res.bytes.subarray(4, 8)).toString('latin1')).toBe('ftyp');
    expect(res.headers.get('content-type')).toMatch(/^video\/mp4/);
    expect((await fakeState(t)).hazards.authorizationToCdn).toBe(0);
  });

  it('the video identifies its job, asset and input (readFakeVideoIdentity, bytes and path)', async () => {
    const { jobId, assetId, input } = await rendered();
    const { bytes } = await fetchBytes(await assetUrl(assetId));
    expect(await readFakeVideoIdentity(bytes)).toMatchObject({ jobId, assetId, input });
    const dir = mkdtempSync(join(tmpdir(), 'contract-'));
    try {
      const file = join(dir, 'out.mp4');
      writeFileSync(file, bytes);
      expect(await readFakeVideoIdentity(file)).toMatchObject({ jobId, assetId, input });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 403 once the URL has expired; a fresh GET /v1/assets/{id} gives a working URL', async () => {
    const { assetId } = await rendered();
    const url = await assetUrl(assetId);
    t.clock!.advance(FAKE_DEFAULTS.urlExpiryMs + 60_000);
    expect((await fetchBytes(url)).status).toBe(403);
    expect((await fetchBytes(await assetUrl(assetId))).status).toBe(200);
  });

  it('a URL is still good just before it expires (minimum lifetime 24 h)', async () => {
    const { assetId } = await rendered();
    const url = await assetUrl(assetId);
    t.clock!.advance(FAKE_DEFAULTS.urlExpiryMs - 60_000);
    expect((await fetchBytes(url)).status).toBe(200);
  });

  for (const param of ['Signature', 'Policy', 'Key-Pair-Id']) {
    it(`answers 403 when ${param} is tampered with`, async () => {
      const { assetId } = await rendered();
      const res = await fetchBytes(tamper(await assetUrl(assetId), param));
      expect(res.status).toBe(403);
    });
  }

  it('answers 403 when the signature query is missing', async () => {
    const { assetId } = await rendered();
    const u = new URL(await assetUrl(assetId));
    u.search = '';
    expect((await fetchBytes(u.toString())).status).toBe(403);
  });

  it('supports Range: 206 with Content-Range, and an open-ended resume', async () => {
    const { assetId } = await rendered();
    const url = await assetUrl(assetId);
    const full = await fetchBytes(url);
    const total = full.bytes.length;

    const head = await fetchBytes(url, { headers: { range: 'bytes=0-99' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-99/${total}`);
    expect(head.bytes.length).toBe(100);
    expect(Buffer.from(head.bytes).equals(Buffer.from(full.bytes.subarray(0, 100)))).toBe(true);

    const from = Math.floor(total / 3);
    const rest = await fetchBytes(url, { headers: { range: `bytes=${from}-` } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes ${from}-${total - 1}/${total}`);
    expect(Number(rest.headers.get('content-length'))).toBe(total - from);
    expect(Buffer.from(rest.bytes).equals(Buffer.from(full.bytes.subarray(from)))).toBe(true);
  });

  it('answers 416 for a range past the end', async () => {
    const { assetId } = await rendered();
    const url = await assetUrl(assetId);
    const total = (await fetchBytes(url)).bytes.length;
    const res = await fetchBytes(url, { headers: { range: `bytes=${total + 10}-` } });
    expect(res.status).toBe(416);
  });
});
