/**
 * Larger images: the presigned multipart flow (docs §1 [UPL][OAS][SDKUPL]):
 * POST /v1/uploads → PUT parts to presigned URLs WITHOUT auth → POST /v1/uploads/{id}/action
 * {action: complete} → poll GET /v1/uploads/{id} until `imported` with `entityId` (the asset id).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UPLOAD_STATUSES, api, bigPngBuffer, driveUpload, fakeState, request } from './support.js';
import { FAKE_DEFAULTS, LIVE, SKIP_LIVE, contractTarget, resetTarget, type ContractTarget } from './target.js';

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t));

const PART = FAKE_DEFAULTS.uploadPartSize;

async function createUpload(bytes: Buffer, parts: number) {
  return api(t, 'POST', '/uploads', {
    body: { fileName: 'big-frame.png', contentType: 'image/png', kind: 'image', parts, fileSize: bytes.length },
  });
}

/** `expires` as epoch ms, whatever form it takes (ISO string, epoch s or ms). */
function expiresMs(v: unknown): number {
  if (typeof v === 'string') return /^\d+$/.test(v) ? expiresMs(Number(v)) : Date.parse(v);
  if (typeof v === 'number') return v < 1e12 ? v * 1000 : v;
  return NaN;
}

describe.skipIf(LIVE)(`multipart uploads /v1/uploads ${SKIP_LIVE.upload}`, () => {
  it('create answers {upload: {id: upload_…, status: pending, parts: [{number, url, expires}], …}}', async () => {
    const bytes = bigPngBuffer();
    const res = await createUpload(bytes, 2);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    const upload = res.json?.upload;
    expect(upload.id).toMatch(/^upload_/);
    expect(upload.status).toBe('pending');
    expect(upload).toMatchObject({ fileName: 'big-frame.png', fileSize: bytes.length, contentType: 'image/png' });
    expect(upload.kind).toBe('image');
    expect(upload.source).toBe('multipart');
    expect(upload.parts).toHaveLength(2);
    upload.parts.forEach((p: { number: number; url: string; expires: unknown }, i: number) => {
      expect(p.number).toBe(i + 1);
      expect(typeof p.url).toBe('string');
      // A presigned storage URL: another origin than the API.
      expect(new URL(p.url).origin).not.toBe(new URL(t.baseUrl).origin);
      expect(expiresMs(p.expires), `expires: ${String(p.expires)}`).toBeGreaterThan(t.clock!.now());
    });
  });

  it('create answers upload.jobId (docs §1: the Blender prototype polled GET /v1/jobs/{upload.jobId})', async () => {
    const res = await createUpload(bigPngBuffer(), 2);
    expect(res.status).toBe(200);
    expect(typeof res.json.upload.jobId, `upload: ${res.text.slice(0, 300)}`).toBe('string');
  });

  it('PUT parts without auth, complete, poll to `imported` with entityId = an image asset', async () => {
    const bytes = bigPngBuffer();
    const created = await createUpload(bytes, Math.ceil(bytes.length / PART));
    expect(created.status).toBe(200);
    const upload = created.json.upload;
    for (const part of upload.parts as Array<{ number: number; url: string }>) {
      const chunk = bytes.subarray((part.number - 1) * PART, part.number * PART);
      const put = await request('PUT', part.url, { raw: chunk }); // no Authorization: presigned
      expect(put.status, `PUT part ${part.number}: ${put.text.slice(0, 200)}`).toBe(200);
    }
    const done = await api(t, 'POST', `/uploads/${upload.id}/action`, { body: { action: 'complete' } });
    expect(done.status, done.text.slice(0, 300)).toBe(200);

    const seen = await driveUpload(t, upload.id);
    const last = seen[seen.length - 1];
    for (const u of seen) expect(UPLOAD_STATUSES).toContain(u.status);
    expect(last.status, `statuses: ${seen.map((u) => u.status).join(' → ')}`).toBe('imported');
    expect(last.entityId).toMatch(/^asset_/);

    const asset = await api(t, 'GET', `/assets/${last.entityId}`);
    expect(asset.status).toBe(200);
    expect(asset.json.asset).toMatchObject({ id: last.entityId, kind: 'image' });
    expect(asset.json.asset.properties).toMatchObject({ width: 1, height: 1 });

    const state = await fakeState(t);
    expect(state.requests.putPart).toBe(upload.parts.length);
    expect(state.hazards.authorizationToCdn).toBe(0);
  });

  it('assumed ([BLD] prototype): GET /v1/jobs/{upload.jobId} ends with metadata.output.entityId', async () => {
    const bytes = bigPngBuffer();
    const created = await createUpload(bytes, Math.ceil(bytes.length / PART));
    const upload = created.json.upload;
    for (const part of upload.parts as Array<{ number: number; url: string }>) {
      const chunk = bytes.subarray((part.number - 1) * PART, part.number * PART);
      expect((await request('PUT', part.url, { raw: chunk })).status).toBe(200);
    }
    expect((await api(t, 'POST', `/uploads/${upload.id}/action`, { body: { action: 'complete' } })).status).toBe(200);
    const seen = await driveUpload(t, upload.id);
    const entityId = seen[seen.length - 1].entityId;
    expect(entityId).toMatch(/^asset_/);
    const job = await api(t, 'GET', `/jobs/${upload.jobId}`);
    expect(job.status, job.text.slice(0, 300)).toBe(200);
    expect(job.json.job.metadata?.output?.entityId).toBe(entityId);
  });

  it('a presigned part URL answers 403 once it has expired', async () => {
    const bytes = bigPngBuffer();
    const created = await createUpload(bytes, 2);
    const part = created.json.upload.parts[0] as { url: string };
    t.clock!.advance(FAKE_DEFAULTS.uploadUrlExpiryMs + 1_000);
    const put = await request('PUT', part.url, { raw: bytes.subarray(0, PART) });
    expect(put.status).toBe(403);
  });

  it('a tampered presigned part URL answers 403', async () => {
    const bytes = bigPngBuffer();
    const created = await createUpload(bytes, 2);
    const url = new URL(created.json.upload.parts[0].url as string);
    const params = [...url.searchParams.keys()];
    expect(params.length, `presigned URL has no signature query: ${url}`).toBeGreaterThan(0);
    // Change the last character of every query value: whatever carries the signature breaks.
    for (const k of params) {
      const v = url.searchParams.get(k) ?? '';
      url.searchParams.set(k, v.slice(0, -1) + (v.endsWith('A') ? 'B' : 'A'));
    }
    const put = await request('PUT', url.toString(), { raw: bytes.subarray(0, PART) });
    expect(put.status).toBe(403);
  });
});
