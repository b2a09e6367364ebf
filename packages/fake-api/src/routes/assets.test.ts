import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { call, makePng, startTestFake, type TestFake } from '../testing/helpers.js';

let t: TestFake;
beforeAll(async () => {
  t = await startTestFake();
});
afterAll(() => t.close());
beforeEach(() => t.fake.reset());

const post = (body: unknown) => call(t, 'POST', '/assets', { body });

function gif(w: number, h: number): Buffer {
  const b = Buffer.alloc(13);
  b.write('GIF89a', 0, 'latin1');
  b.writeUInt16LE(w, 6);
  b.writeUInt16LE(h, 8);
  return Buffer.concat([b, Buffer.from([0x3b])]);
}

function jpeg(w: number, h: number): Buffer {
  // SOI, an APP0 segment, SOF0 with the size, EOI: enough for the header to be read.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]);
  const sof = Buffer.from([
    0xff,
    0xc0,
    0x00,
    0x11,
    0x08,
    h >> 8,
    h & 255,
    w >> 8,
    w & 255,
    3,
    1,
    0x22,
    0,
    2,
    0x11,
    1,
    3,
    0x11,
    1,
  ]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.from([0xff, 0xd9])]);
}

describe('POST /v1/assets', () => {
  it('accepts raw base64 and data URLs of real images, reading their size', async () => {
    const cases: Array<[string, string, string, number, number]> = [
      ['png', makePng(40, 30).toString('base64'), 'image/png', 40, 30],
      ['png data URL', `data:image/png;base64,${makePng(4, 3).toString('base64')}`, 'image/png', 4, 3],
      ['gif', gif(7, 9).toString('base64'), 'image/gif', 7, 9],
      ['jpeg', jpeg(640, 360).toString('base64'), 'image/jpeg', 640, 360],
    ];
    for (const [label, image, mimeType, width, height] of cases) {
      const res = await post({ image, name: `${label}.img` });
      expect(res.status, `${label}: ${res.text}`).toBe(200);
      expect(res.json.asset).toMatchObject({
        kind: 'image',
        mimeType,
        source: 'uploaded',
        properties: { width, height },
      });
      expect(res.json.asset.id).toMatch(/^asset_/);
      const got = await call(t, 'GET', `/assets/${res.json.asset.id}`);
      expect(got.json.asset.properties).toMatchObject({ width, height });
    }
    const svg = Buffer.from('<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"></svg>').toString('base64');
    expect((await post({ image: svg, name: 'a.svg' })).json.asset.mimeType).toBe('image/svg+xml');
  });

  it('refuses text, a missing image, a non-base64 data URL and a missing name', async () => {
    const text = Buffer.from('hello, not an image').toString('base64');
    expect((await post({ image: text, name: 'a.png' })).json.reason).toBe('Unhandled image format');
    expect((await post({ name: 'a.png' })).json.reason).toBe("Either 'image' or 'canvas' must be provided");
    expect((await post({ image: 'data:image/png,abc', name: 'a.png' })).status).toBe(400);
    const noName = await post({ image: makePng(1, 1).toString('base64') });
    expect(noName.status).toBe(400);
    expect(noName.json.reason).toContain('name');
  });

  it('refuses an image of 6 MB or more with the documented (misleading) message', async () => {
    const big = makePng(1, 1, 6 * 1024 * 1024);
    const res = await post({ image: big.toString('base64'), name: 'big.png' });
    expect(res.status).toBe(400);
    expect(res.json.reason).toBe("Either 'image' or 'canvas' must be provided");
  });

  it('answers 413 past the 10 MiB request limit, without holding the body', async () => {
    const res = await call(t, 'POST', '/assets', {
      raw: `{"image":"${'A'.repeat(11 * 1024 * 1024)}","name":"x"}`,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
  });
});

describe('GET /v1/assets/{id}', () => {
  it('signs a fresh URL on every call, expiring after urlExpiryMs of the fake clock', async () => {
    t.fake.setOptions({ urlExpiryMs: 60_000 });
    const id = (await post({ image: makePng(2, 2).toString('base64'), name: 'a.png' })).json.asset.id;
    const a = (await call(t, 'GET', `/assets/${id}`)).json.asset.url;
    const b = (await call(t, 'GET', `/assets/${id}`)).json.asset.url;
    expect(a).not.toBe(b);
    expect((await fetch(a, { signal: AbortSignal.timeout(5_000) })).status).toBe(200);
    t.clock.advance(60_000);
    expect((await fetch(a, { signal: AbortSignal.timeout(5_000) })).status).toBe(403);
    const c = (await call(t, 'GET', `/assets/${id}`)).json.asset.url;
    const res = await fetch(c, { signal: AbortSignal.timeout(5_000) });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(makePng(2, 2))).toBe(true);
  });
});
