import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { basic, call, makePng, startTestFake, type TestFake } from '../testing/helpers.js';

let t: TestFake;
const PART = 64 * 1024;
const OTHER = { apiKey: 'other-key', apiSecret: 'other-secret', teamId: 'team_other' };

beforeAll(async () => {
  t = await startTestFake({
    credentials: [{ apiKey: 'fake-key', apiSecret: 'fake-secret', teamId: 'team_fake' }, OTHER],
  });
});
afterAll(() => t.close());
beforeEach(() => {
  t.fake.reset();
  t.fake.setOptions({ uploadPartSize: PART, uploadImportMs: 300, uploadUrlExpiryMs: 60 * 60 * 1000 });
});

const BIG = makePng(3, 2, 150 * 1024); // ~150 KiB: three parts of 64 KiB

async function create(bytes: Buffer, extra: Record<string, unknown> = {}) {
  const res = await call(t, 'POST', '/uploads', {
    body: { fileName: 'frame.png', contentType: 'image/png', kind: 'image', fileSize: bytes.length, ...extra },
  });
  expect(res.status, res.text).toBe(200);
  return res.json.upload;
}

async function putParts(upload: { parts: Array<{ number: number; url: string }> }, bytes: Buffer, size = PART) {
  for (const p of upload.parts) {
    const res = await call(t, 'PUT', p.url, {
      raw: bytes.subarray((p.number - 1) * size, p.number * size),
      auth: false,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  }
}

const get = async (id: string) => (await call(t, 'GET', `/uploads/${id}`)).json.upload;
const complete = (id: string) => call(t, 'POST', `/uploads/${id}/action`, { body: { action: 'complete' } });

describe('multipart uploads', () => {
  it('pending → validating → validated → imported, entityId an image asset usable by Wan', async () => {
    const upload = await create(BIG);
    expect(upload.parts).toHaveLength(3); // ceil(fileSize / uploadPartSize) when `parts` is not given
    expect(upload.id).toMatch(/^upload_/);
    expect(new URL(upload.parts[0].url).origin).toBe(t.fake.cdnUrl);
    await putParts(upload, BIG);
    expect((await get(upload.id)).status).toBe('pending');
    const done = await complete(upload.id);
    expect(done.json.upload.status).toBe('validating');
    t.clock.advance(150);
    expect((await get(upload.id)).status).toBe('validated');
    t.clock.advance(150);
    const imported = await get(upload.id);
    expect(imported.status).toBe('imported');
    const asset = (await call(t, 'GET', `/assets/${imported.entityId}`)).json.asset;
    expect(asset).toMatchObject({ kind: 'image', mimeType: 'image/png', properties: { width: 3, height: 2 } });
    const job = await call(t, 'POST', '/generate/custom/model_wan-2-2-i2v-a14b', {
      body: { prompt: 'x', image: imported.entityId },
    });
    expect(job.status, job.text).toBe(200);
    // The upload is also a job (docs: the Blender prototype polled GET /v1/jobs/{upload.jobId}).
    const uploadJob = (await call(t, 'GET', `/jobs/${upload.jobId}`)).json.job;
    expect(uploadJob).toMatchObject({
      jobType: 'upload',
      status: 'success',
      metadata: { output: { entityId: imported.entityId } },
    });
    const listed = (await call(t, 'GET', '/jobs?type=upload')).json.jobs;
    expect(listed.map((j: { jobId: string }) => j.jobId)).toEqual([upload.jobId]);
    const cancel = await call(t, 'POST', `/jobs/${upload.jobId}/action`, { body: { action: 'cancel' } });
    expect(cancel.json.reason).toBe('Cannot cancel this type of job');
    // `complete` again is harmless.
    expect((await complete(upload.id)).json.upload.status).toBe('imported');
    expect(t.fake.state().requests).toMatchObject({ createUpload: 1, putPart: 3, uploadAction: 2 });
  });

  it('refuses complete with missing parts (400) and keeps the upload open', async () => {
    const upload = await create(BIG);
    await call(t, 'PUT', upload.parts[0].url, { raw: BIG.subarray(0, PART), auth: false });
    const res = await complete(upload.id);
    expect(res.status).toBe(400);
    expect(res.json.reason).toMatch(/missing part\(s\) 2, 3/);
    await putParts(upload, BIG);
    expect((await complete(upload.id)).status).toBe(200);
  });

  it('fails the import: a part under the minimum, a size mismatch, bytes that are not an image', async () => {
    const cases: Array<[string, Buffer, Record<string, unknown>, number, RegExp]> = [
      ['small first part', BIG, { parts: 2 }, Math.ceil(BIG.length / 2) - 70_000, /smaller than the minimum/],
      ['size mismatch', BIG, { fileSize: BIG.length + 1, parts: 1 }, BIG.length, /fileSize/],
      ['not an image', Buffer.alloc(1000, 7), { parts: 1 }, 1000, /Unhandled image format/],
    ];
    for (const [label, bytes, extra, size, error] of cases) {
      const upload = await create(bytes, extra);
      if (label === 'small first part') {
        await call(t, 'PUT', upload.parts[0].url, { raw: bytes.subarray(0, size), auth: false });
        await call(t, 'PUT', upload.parts[1].url, { raw: bytes.subarray(size), auth: false });
      } else {
        await putParts(upload, bytes, size);
      }
      expect((await complete(upload.id)).status).toBe(200);
      t.clock.advance(300);
      const u = await get(upload.id);
      expect(u.status, label).toBe('failed');
      expect(u.errorMessage, label).toMatch(error);
      expect(u.entityId).toBeUndefined();
      const job = (await call(t, 'GET', `/jobs/${upload.jobId}`)).json.job;
      expect(job).toMatchObject({ jobType: 'upload', status: 'failure', metadata: { error: u.errorMessage } });
    }
  });

  it('validates the create request', async () => {
    const base = { fileName: 'a.png', contentType: 'image/png', kind: 'image', fileSize: 10 };
    const bad: Array<[string, Record<string, unknown>]> = [
      ['fileName', { fileName: '' }],
      ['contentType', { contentType: undefined }],
      ['kind', { kind: 'pdf' }],
      ['fileSize', { fileSize: 0 }],
      ['parts', { parts: 10_001 }],
      ['url', { url: 'https://example.com/a.png' }],
    ];
    for (const [field, patch] of bad) {
      const res = await call(t, 'POST', '/uploads', { body: { ...base, ...patch } });
      expect(res.status, field).toBe(400);
      expect(res.json.reason, field).toContain(field);
    }
  });

  it('part URLs: 403 once expired or tampered; uploads are per team', async () => {
    t.fake.setOptions({ uploadUrlExpiryMs: 10_000 });
    const upload = await create(BIG);
    const tampered = upload.parts[0].url.replace('parts/1', 'parts/2');
    expect((await call(t, 'PUT', tampered, { raw: 'x', auth: false })).status).toBe(403);
    t.clock.advance(10_000);
    const expired = await call(t, 'PUT', upload.parts[0].url, { raw: 'x', auth: false });
    expect(expired.status).toBe(403);
    expect(expired.text).toContain('Request has expired');
    const other = basic(OTHER.apiKey, OTHER.apiSecret);
    expect((await call(t, 'GET', `/uploads/${upload.id}`, { auth: other })).status).toBe(404);
  });
});
