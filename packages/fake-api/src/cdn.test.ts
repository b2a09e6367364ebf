import { spawn } from 'node:child_process';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFakeVideoIdentity } from './mp4.js';
import { call, renderVideo, startTestFake, uploadImage, type TestFake } from './testing/helpers.js';

let t: TestFake;
beforeAll(async () => {
  t = await startTestFake();
});
afterAll(() => t.close());
beforeEach(() => {
  t.fake.reset();
  t.fake.setOptions({ videoBytes: 0, urlExpiryMs: 24 * 60 * 60 * 1000 });
});

const get = (url: string, headers: Record<string, string> = {}) =>
  fetch(url, { headers, signal: AbortSignal.timeout(10_000) });

describe('the CDN origin', () => {
  it('serves the MP4 with no auth; it names its job, asset and input', async () => {
    const input = { prompt: 'a lighthouse', image: await uploadImage(t), seed: 3 };
    const { jobId, assetId, url, asset } = await renderVideo(t, input);
    expect(new URL(url).origin).toBe(t.fake.cdnUrl);
    const res = await get(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('video/mp4');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(asset.properties.size);
    expect(Number(res.headers.get('content-length'))).toBe(bytes.length);
    expect(readFakeVideoIdentity(bytes)).toEqual({ jobId, assetId, input });
    expect(t.fake.state().hazards.authorizationToCdn).toBe(0);
  });

  it('403 (CloudFront-like XML) when expired, tampered or unsigned', async () => {
    t.fake.setOptions({ urlExpiryMs: 30_000 });
    const { url } = await renderVideo(t, { prompt: 'x', image: await uploadImage(t) });
    const u = new URL(url);
    u.searchParams.set('Signature', `x${u.searchParams.get('Signature')}`);
    const tampered = await get(u.toString());
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>AccessDenied</Code>');
    const other = new URL(url);
    other.pathname = '/assets/asset_someoneelse';
    expect((await get(other.toString())).status).toBe(403);
    expect((await get(url.split('?')[0]!)).status).toBe(403);
    expect((await get(url)).status).toBe(200);
    t.clock.advance(30_000);
    expect((await get(url)).status).toBe(403);
  });

  it('Range: first bytes, open-ended, suffix, past the end (416), multiple ranges (whole), If-Range', async () => {
    t.fake.setOptions({ videoBytes: 100_000 });
    const { url } = await renderVideo(t, { prompt: 'x', image: await uploadImage(t) });
    const full = Buffer.from(await (await get(url)).arrayBuffer());
    const size = full.length;
    expect(size).toBe(100_000);
    const cases: Array<[string, number, number]> = [
      ['bytes=0-9', 0, 9],
      ['bytes=99990-', 99_990, size - 1],
      ['bytes=-16', size - 16, size - 1],
      ['bytes=5000-5000', 5000, 5000],
      ['bytes=99000-200000', 99_000, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await get(url, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range'), range).toBe(`bytes ${start}-${end}/${size}`);
      const body = Buffer.from(await res.arrayBuffer());
      expect(body.equals(full.subarray(start, end + 1)), range).toBe(true);
    }
    const past = await get(url, { range: `bytes=${size}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${size}`);
    expect((await get(url, { range: 'bytes=0-1,5-6' })).status).toBe(200);
    const etag = (await get(url, { range: 'bytes=0-0' })).headers.get('etag')!;
    expect((await get(url, { range: 'bytes=0-0', 'if-range': etag })).status).toBe(206);
    expect((await get(url, { range: 'bytes=0-0', 'if-range': '"stale"' })).status).toBe(200);
  });

  it('HEAD answers the headers only', async () => {
    const { url, asset } = await renderVideo(t, { prompt: 'x', image: await uploadImage(t) });
    const res = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBe(asset.properties.size);
  });

  it('streams a 64 MiB padded video in constant memory, with the exact byte count', async () => {
    const SIZE = 64 * 1024 * 1024;
    t.fake.setOptions({ videoBytes: SIZE });
    const { url, asset } = await renderVideo(t, { prompt: 'x', image: await uploadImage(t) });
    expect(asset.properties.size).toBe(SIZE);
    // The client runs in another process, so this process's memory is the server's alone.
    const client = spawn(
      process.execPath,
      [
        '-e',
        `const r = await fetch(process.argv[1], { signal: AbortSignal.timeout(20000) });
         let n = 0; for await (const c of r.body) n += c.length; console.log(n);`,
        '--input-type=module',
        url,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    client.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
    const code = await new Promise<number | null>((resolve) => client.on('close', resolve));
    clearInterval(sampler);
    expect(code).toBe(0);
    expect(Number(out.trim())).toBe(SIZE);
    expect(t.fake.state().requests.cdn).toBe(1);
    // Holding the file would add 64 MiB; streaming from one shared zero chunk adds next to nothing.
    expect(peak - baseline).toBeLessThan(8 * 1024 * 1024);
  }, 30_000);

  it('answers 404 for unknown paths and methods', async () => {
    expect((await get(`${t.fake.cdnUrl}/nothing`)).status).toBe(404);
    const res = await call(t, 'DELETE', `${t.fake.cdnUrl}/assets/asset_x`, { auth: false });
    expect(res.status).toBe(404);
  });
});
