/**
 * Small images: `POST /v1/assets` with `{image: base64, name}` (docs §1 [UPL]). Uploads are not
 * run live.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FRAME_PNG, TINY_PNG, api, bigPngBuffer, errorText, fakeState } from './support.js';
import { LIVE, SKIP_LIVE, contractTarget, resetTarget, type ContractTarget } from './target.js';

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t));

const IMAGE_REFUSED = [/Either 'image' or 'canvas' must be provided/, /Unhandled image format/];

describe.skipIf(LIVE)(`POST /v1/assets (small images) ${SKIP_LIVE.upload}`, () => {
  const forms: Array<[string, string]> = [
    ['raw base64 (the docs example)', FRAME_PNG.toString('base64')],
    ['a data URL (Unity and Blender clients)', `data:image/png;base64,${FRAME_PNG.toString('base64')}`],
  ];
  for (const [label, image] of forms) {
    it(`accepts ${label} and answers {asset: {id: asset_…, kind: image, mimeType, properties}}`, async () => {
      const res = await api(t, 'POST', '/assets', { body: { image, name: 'frame.png' } });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      const asset = res.json?.asset;
      expect(asset?.id).toMatch(/^asset_/);
      expect(asset.kind).toBe('image');
      expect(asset.mimeType).toBe('image/png');
      expect(asset.status).toBe('success');
      expect(asset.source).toBe('uploaded');
      expect(typeof asset.url).toBe('string');
      expect(asset.properties).toMatchObject({ width: 32, height: 18 });
      expect(typeof asset.properties.size).toBe('number');
      expect(asset.properties.size).toBeGreaterThan(0);
    });
  }

  it('the uploaded image is readable with GET /v1/assets/{id}', async () => {
    const up = await api(t, 'POST', '/assets', { body: { image: TINY_PNG.toString('base64'), name: 'tiny.png' } });
    expect(up.status).toBe(200);
    const id = up.json.asset.id as string;
    const res = await api(t, 'GET', `/assets/${id}`);
    expect(res.status).toBe(200);
    expect(res.json.asset).toMatchObject({ id, kind: 'image', mimeType: 'image/png' });
    expect(res.json.asset.properties).toMatchObject({ width: 1, height: 1 });
  });

  it('refuses non-image bytes with 400 ("Either \'image\' or \'canvas\' must be provided" / "Unhandled image format")', async () => {
    const text = Buffer.from('this is not an image, just some text\n'.repeat(20)).toString('base64');
    const res = await api(t, 'POST', '/assets', { body: { image: text, name: 'notes.png' } });
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    const msg = errorText(res.json);
    expect(
      IMAGE_REFUSED.some((re) => re.test(msg)),
      `error text: ${msg}`,
    ).toBe(true);
  });

  it("refuses a body without image with 400 \"Either 'image' or 'canvas' must be provided\"", async () => {
    const res = await api(t, 'POST', '/assets', { body: { name: 'nothing.png' } });
    expect(res.status).toBe(400);
    expect(errorText(res.json)).toMatch(IMAGE_REFUSED[0]!);
  });

  it('assumed (cap unknown: docs < 6 MB, Blender 4 MB): refuses a valid PNG over 6 MB with 400', async () => {
    const big = bigPngBuffer();
    expect(big.length).toBeGreaterThan(6 * 1024 * 1024);
    const res = await api(t, 'POST', '/assets', {
      body: { image: big.toString('base64'), name: 'big.png' },
      timeoutMs: 15_000,
    });
    expect(res.status, res.text.slice(0, 300)).toBe(400);
    expect(errorText(res.json)).toMatch(IMAGE_REFUSED[0]!);
    const state = await fakeState(t);
    expect(state.requests.createAsset).toBe(1);
  });
});
