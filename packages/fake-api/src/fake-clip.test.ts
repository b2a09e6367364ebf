/**
 * The fake's videos follow the request (issue 16): the first frame is the input image, the frame
 * has its aspect ratio at the requested resolution (scaled down by CLIP_SCALE), and the clip has the
 * requested frame count and rate; a prompt-only request gets a drawn 16:9 picture. Checked through
 * the API and CDN like a client, by reading the MP4's own boxes (always) and with ffprobe/ffmpeg
 * when installed (`.ci/run` installs them).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIP_SCALE } from './fake-clip.js';
import { readFakeVideoIdentity } from './mp4.js';
import { renderVideo, startTestFake, uploadImage, type TestFake } from './testing/helpers.js';

const FFPROBE = '/usr/bin/ffprobe';
const FFMPEG = '/usr/bin/ffmpeg';
const dir = mkdtempSync(join(tmpdir(), 'fake-clip-'));

let t: TestFake;
beforeAll(async () => {
  t = await startTestFake();
});
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => t.fake.reset());

/** A PNG, left half red, right half blue (8-bit RGB), so a test can tell where the picture went. */
function twoColourPng(width: number, height: number, left = [220, 0, 0], right = [0, 0, 220]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((1 + width * 3) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = y * (1 + width * 3) + 1 + x * 3;
      const colour = x < width / 2 ? left : right;
      for (let ch = 0; ch < 3; ch++) raw[o + ch] = colour[ch]!;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The box `path` (e.g. moov/trak/mdia/mdhd) of an MP4: its payload. */
function findBox(bytes: Buffer, path: string[], start = 0, end = bytes.length): Buffer | undefined {
  for (let pos = start; pos + 8 <= end; ) {
    const size = bytes.readUInt32BE(pos);
    const type = bytes.toString('latin1', pos + 4, pos + 8);
    if (size < 8) return undefined;
    if (type === path[0]) {
      return path.length === 1
        ? bytes.subarray(pos + 8, pos + size)
        : findBox(bytes, path.slice(1), pos + 8, pos + size);
    }
    pos += size;
  }
  return undefined;
}

/** Size, frame count and rate as the MP4 itself declares them (tkhd, stsz, mdhd + stts). */
function declared(bytes: Buffer) {
  const trak = ['moov', 'trak'];
  const tkhd = findBox(bytes, [...trak, 'tkhd'])!;
  const mdhd = findBox(bytes, [...trak, 'mdia', 'mdhd'])!;
  const stbl = [...trak, 'mdia', 'minf', 'stbl'];
  const stsz = findBox(bytes, [...stbl, 'stsz'])!;
  const stts = findBox(bytes, [...stbl, 'stts'])!;
  return {
    width: tkhd.readUInt32BE(76) / 0x10000,
    height: tkhd.readUInt32BE(80) / 0x10000,
    frames: stsz.readUInt32BE(8),
    frameRate: mdhd.readUInt32BE(12) / stts.readUInt32BE(12),
    syncFrames: findBox(bytes, [...stbl, 'stss'])!.readUInt32BE(4),
    codec: findBox(bytes, [...stbl, 'stsd'])!.toString('latin1', 12, 16),
  };
}

const download = async (url: string): Promise<Buffer> => Buffer.from(await (await fetch(url)).arrayBuffer());

/** RGB of frame `n` (scaled to 8 × 6), decoded by ffmpeg. */
const frameRgb = (file: string, n: number): Buffer =>
  execFileSync(
    FFMPEG,
    [
      '-v',
      'error',
      '-i',
      file,
      '-vf',
      `select=eq(n\\,${n}),scale=8:6`,
      '-frames:v',
      '1',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ],
    { timeout: 15_000 },
  );

describe('a fake video follows its request', () => {
  it('starts on the input image, at its aspect ratio and the requested resolution, frames and rate', async () => {
    const image = await uploadImage(t, twoColourPng(64, 48));
    const input = { prompt: 'the flag waves', image, resolution: '480p', numFrames: 90, framesPerSecond: 12 };
    const { jobId, url, asset } = await renderVideo(t, input);
    const bytes = await download(url);
    // 480p is 832 × 480 worth of pixels; a 4:3 image keeps 4:3: about 730 × 548, scaled down.
    const expected = { width: 92, height: 68, frames: 90, frameRate: 12, codec: 'avc1', syncFrames: 1 };
    expect(declared(bytes)).toEqual(expected);
    expect(Math.abs(expected.width / expected.height - 4 / 3)).toBeLessThan(0.02);
    expect(92 * CLIP_SCALE * 68 * CLIP_SCALE).toBeGreaterThan(0.95 * 832 * 480);
    expect(asset.properties).toMatchObject({ width: 92, height: 68, nbFrames: 90, frameRate: 12, duration: 7.5 });
    // The video still names its job and input, for the suites that check where a file came from.
    expect(readFakeVideoIdentity(bytes)).toMatchObject({ jobId, input });
  });

  it('gives a prompt-only request a 16:9 picture at the requested resolution and length', async () => {
    const { url, asset } = await renderVideo(t, { prompt: 'a lighthouse in a storm', numFrames: 100 });
    const bytes = await download(url);
    expect(declared(bytes)).toEqual({
      width: 160,
      height: 90,
      frames: 100,
      frameRate: 16,
      codec: 'avc1',
      syncFrames: 1,
    });
    expect(asset.properties).toMatchObject({ width: 160, height: 90, nbFrames: 100, duration: 6.25 });
  });

  it('with a last frame, cuts to a shot of it halfway, keeping the requested length', async () => {
    const image = await uploadImage(t, twoColourPng(64, 36));
    const lastFrameImage = await uploadImage(t, twoColourPng(64, 36, [0, 200, 0], [0, 200, 0]));
    const { url } = await renderVideo(t, { prompt: 'p', image, lastFrameImage, numFrames: 81 });
    expect(declared(await download(url))).toMatchObject({ frames: 81, syncFrames: 2 });
  });

  it.skipIf(!existsSync(FFPROBE) || !existsSync(FFMPEG))(
    'decodes as H.264 with the declared size and frames, the first frame showing the image, then moving',
    async () => {
      const image = await uploadImage(t, twoColourPng(64, 48));
      const { url } = await renderVideo(t, { prompt: 'p', image, resolution: '720p', numFrames: 81 });
      const file = join(dir, 'clip.mp4');
      writeFileSync(file, await download(url));
      const probe = JSON.parse(
        execFileSync(
          FFPROBE,
          [
            '-v',
            'error',
            '-count_frames',
            '-show_entries',
            'stream=codec_name,width,height,nb_read_frames,r_frame_rate',
            '-of',
            'json',
            file,
          ],
          { encoding: 'utf8', timeout: 15_000 },
        ),
      ).streams[0];
      expect(probe).toMatchObject({
        codec_name: 'h264',
        width: 138,
        height: 104,
        nb_read_frames: '81',
        r_frame_rate: '16/1',
      });
      const first = frameRgb(file, 0);
      // Left quarter red, right quarter blue, as in the image (row 3 of 6, columns 1 and 6 of 8).
      const px = (rgb: Buffer, x: number, y: number) => [...rgb.subarray((y * 8 + x) * 3, (y * 8 + x) * 3 + 3)];
      const [lr, , lb] = px(first, 1, 3);
      const [rr, , rb] = px(first, 6, 3);
      expect(lr! - lb!).toBeGreaterThan(120);
      expect(rb! - rr!).toBeGreaterThan(120);
      // The camera zooms in: the last frame differs from the first (the blue edge moves right).
      expect(frameRgb(file, 80).equals(first)).toBe(false);
      const last = await uploadImage(t, twoColourPng(64, 48, [0, 200, 0], [0, 200, 0]));
      const ends = await renderVideo(t, { prompt: 'p', image, lastFrameImage: last, numFrames: 81 });
      writeFileSync(file, await download(ends.url));
      const [r, g, b] = px(frameRgb(file, 80), 4, 3);
      expect(g! - Math.max(r!, b!)).toBeGreaterThan(120);
    },
  );
});
