import { afterEach, describe, expect, it } from 'vitest';
import { sniffImageType, toBase64, imageTypeFromName } from './bytes.js';
import { FRAME_PNG, NO_HAZARDS, makePng, startHarness, type Harness } from './testing/fake.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('uploadImage against the fake API', () => {
  it('sends a small image inline to POST /assets and returns its asset id', async () => {
    h = await startHarness();
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'frame.png' });
    expect(assetId).toMatch(/^asset_/);
    const asset = await h.client.getAsset(assetId);
    expect(asset).toMatchObject({ id: assetId, kind: 'image', mimeType: 'image/png' });
    const state = h.fake.state();
    expect(state.requests.createAsset).toBe(1);
    expect(state.requests.createUpload).toBe(0);
    expect(h.events).toContainEqual({ type: 'uploading', name: 'frame.png', bytes: FRAME_PNG.length });
  });

  it('sends a large image through the multipart /uploads flow, parts without credentials', async () => {
    h = await startHarness({ uploadImportMs: 2000 });
    const big = new Uint8Array(makePng(64, 36, 6 * 1024 * 1024));
    const { assetId } = await h.client.uploadImage({ bytes: big, fileName: 'big.png' });
    expect(assetId).toMatch(/^asset_/);
    const state = h.fake.state();
    expect(state.requests.createAsset).toBe(0);
    expect(state.requests.createUpload).toBe(1);
    expect(state.requests.putPart).toBe(2);
    expect(state.requests.uploadAction).toBe(1);
    expect(state.requests.getUpload).toBeGreaterThanOrEqual(1);
    expect(state.hazards).toEqual(NO_HAZARDS);
    expect((await h.client.getAsset(assetId)).kind).toBe('image');
  });

  it('takes the multipart path for anything over the inline limit, and retries a failed part', async () => {
    h = await startHarness();
    h.fake.setOptions({ faults: [{ route: 'putPart', kind: 'http-5xx', times: 1 }] });
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' }, { inlineMaxBytes: 10 });
    expect(assetId).toMatch(/^asset_/);
    expect(h.fake.state().requests.putPart).toBe(2);
    expect(h.events.filter((e) => e.type === 'retrying')).toHaveLength(1);
  });

  it('retries a transient failure of POST /assets (assets cost nothing)', async () => {
    h = await startHarness();
    h.fake.setOptions({ faults: [{ route: 'createAsset', kind: 'http-5xx', times: 1 }] });
    await expect(h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' })).resolves.toMatchObject({
      assetId: expect.stringMatching(/^asset_/),
    });
  });

  it('reports bytes that are not an image as invalid_input, without retrying', async () => {
    h = await startHarness();
    const text = new TextEncoder().encode('not an image at all\n'.repeat(10));
    const err = await h.client.uploadImage({ bytes: text, fileName: 'notes.png' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_input', status: 400, retryable: false });
    expect(h.fake.state().requests.createAsset).toBe(1);
  });

  it('renders from an image URL: fetched without credentials, then uploaded', async () => {
    h = await startHarness({ jobDurationMs: 5000 });
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'src.png' });
    const { url } = await h.client.getAsset(assetId);
    const result = await h.client.renderVideo({ prompt: 'from a url', image: { url: url! } });
    expect(result.job.metadata.input?.image).toMatch(/^asset_/);
    expect(result.job.metadata.input?.image).not.toBe(assetId);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
    expect(h.fake.state().requests.createAsset).toBe(2);
  });
});

describe('byte helpers', () => {
  it('uploads the same bytes once per client, also when asked again while the first upload runs', async () => {
    h = await startHarness();
    const image = { bytes: new Uint8Array(FRAME_PNG), fileName: 'frame.png' };
    const [a, b] = await Promise.all([h.client.uploadImage(image), h.client.uploadImage(image)]);
    const c = await h.client.uploadImage({ ...image, fileName: 'again.png' });
    expect(new Set([a.assetId, b.assetId, c.assetId]).size).toBe(1);
    expect(h.fake.state().requests.createAsset).toBe(1);
    // Equal bytes in another array are another image as far as the client knows: sent again.
    const copy = await h.client.uploadImage({ bytes: new Uint8Array(FRAME_PNG), fileName: 'frame.png' });
    expect(copy.assetId).not.toBe(a.assetId);
    expect(h.fake.state().requests.createAsset).toBe(2);
  });

  it('does not share a failed upload: whoever waited for it uploads on its own', async () => {
    h = await startHarness();
    const image = { bytes: new Uint8Array(FRAME_PNG), fileName: 'frame.png' };
    const controller = new AbortController();
    const first = h.client.uploadImage(image, { signal: controller.signal });
    const second = h.client.uploadImage(image);
    controller.abort(new Error('stopped'));
    await expect(first).rejects.toMatchObject({ code: 'aborted' });
    expect((await second).assetId).toMatch(/^asset_/);
    // The failure was forgotten: the next upload reuses the one that succeeded.
    expect((await h.client.uploadImage(image)).assetId).toBe((await second).assetId);
  });

  it('stops waiting for a shared upload when its own caller aborts', async () => {
    h = await startHarness();
    h.fake.setOptions({ faults: [{ route: 'createAsset', kind: 'slow', delayMs: 1500, times: 1 }] });
    const image = { bytes: new Uint8Array(FRAME_PNG), fileName: 'frame.png' };
    const settled: string[] = [];
    const first = h.client.uploadImage(image).then(() => settled.push('first'));
    const controller = new AbortController();
    const second = h.client.uploadImage(image, { signal: controller.signal }).catch((e: unknown) => {
      settled.push('second');
      throw e;
    });
    controller.abort(new Error('stopped'));
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    await first;
    expect(settled).toEqual(['second', 'first']);
  });

  it('encodes base64 like Buffer does', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 12_289]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 7919) % 256);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
  });

  it('sniffs image types from bytes and names', () => {
    expect(sniffImageType(FRAME_PNG)).toBe('image/png');
    expect(sniffImageType(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toBe('image/jpeg');
    expect(sniffImageType(new TextEncoder().encode('GIF89a....'))).toBe('image/gif');
    expect(sniffImageType(new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 '))).toBe('image/webp');
    expect(sniffImageType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('image/svg+xml');
    expect(sniffImageType(new TextEncoder().encode('hello'))).toBeUndefined();
    expect(imageTypeFromName('a/b/Photo.JPEG')).toBe('image/jpeg');
    expect(imageTypeFromName('noext')).toBeUndefined();
  });
});
