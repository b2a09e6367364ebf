import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BASE_CLIP_PROPS } from './base-clip.js';
import { BASE_CLIP, composeFakeVideo, readFakeVideoIdentity, readRange, type VirtualFile } from './mp4.js';

const FFPROBE = '/usr/bin/ffprobe';
const identity = { jobId: 'job_test', assetId: 'asset_test', input: { prompt: 'a harbour', seed: 7 } };
const dir = mkdtempSync(join(tmpdir(), 'fake-mp4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function materialise(file: VirtualFile): Buffer {
  return Buffer.concat([...readRange(file, 0, file.size)]);
}

async function writeFile(file: VirtualFile, path: string): Promise<void> {
  const out = createWriteStream(path);
  for (const chunk of readRange(file, 0, file.size)) {
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function ffprobe(path: string) {
  const out = execFileSync(
    FFPROBE,
    ['-v', 'error', '-show_entries', 'stream=codec_name,width,height,nb_frames', '-show_format', '-of', 'json', path],
    { encoding: 'utf8', timeout: 15_000 },
  );
  return JSON.parse(out);
}

describe('the base clip', () => {
  it('src/base-clip.ts embeds assets/base-clip.mp4 byte for byte (run scripts/embed-base-clip.mjs)', () => {
    const committed = readFileSync(new URL('../assets/base-clip.mp4', import.meta.url));
    expect(BASE_CLIP.equals(committed)).toBe(true);
    expect(BASE_CLIP.length).toBeLessThan(16 * 1024);
  });

  it.skipIf(!existsSync(FFPROBE))('is what BASE_CLIP_PROPS says (ffprobe)', () => {
    const path = join(dir, 'base.mp4');
    writeFileSync(path, BASE_CLIP);
    const info = ffprobe(path);
    expect(info.streams[0]).toMatchObject({
      codec_name: BASE_CLIP_PROPS.codecName,
      width: BASE_CLIP_PROPS.width,
      height: BASE_CLIP_PROPS.height,
      nb_frames: String(BASE_CLIP_PROPS.nbFrames),
    });
    expect(Number(info.format.duration)).toBeCloseTo(BASE_CLIP_PROPS.duration, 1);
  });
});

describe('composed fake videos', () => {
  it('are the base clip plus an identity box; readFakeVideoIdentity reads it back', () => {
    const file = composeFakeVideo(identity);
    const bytes = materialise(file);
    expect(bytes.length).toBe(file.size);
    expect(bytes.subarray(0, BASE_CLIP.length).equals(BASE_CLIP)).toBe(true);
    expect(readFakeVideoIdentity(bytes)).toEqual(identity);
    expect(readFakeVideoIdentity(new Uint8Array(bytes))).toEqual(identity);
  });

  it('refuses a file with no identity box', () => {
    expect(() => readFakeVideoIdentity(BASE_CLIP)).toThrow(/identity box/);
  });

  it.skipIf(!existsSync(FFPROBE))('ffprobe accepts them, padded or not', async () => {
    for (const pad of [0, 300_000]) {
      const path = join(dir, `out-${pad}.mp4`);
      const file = composeFakeVideo(identity, pad);
      await writeFile(file, path);
      const info = ffprobe(path);
      expect(info.format.format_name).toMatch(/mp4/);
      expect(Number(info.format.size)).toBe(Math.max(pad, file.size));
      expect(info.streams[0].codec_name).toBe('h264');
      expect(readFakeVideoIdentity(path)).toEqual(identity);
    }
  });

  it('pad to at least the requested size, whatever the gap', () => {
    const bare = composeFakeVideo(identity).size;
    for (const want of [bare + 1, bare + 7, bare + 8, bare + 9, bare + 100_000]) {
      const file = composeFakeVideo(identity, want);
      expect(file.size).toBeGreaterThanOrEqual(want);
      expect(file.size - want).toBeLessThan(8);
      expect(readFakeVideoIdentity(materialise(file))).toEqual(identity);
    }
  });

  it('past 4 GiB the padding box uses a 64-bit size, and is never held in memory', () => {
    const want = 5 * 1024 * 1024 * 1024;
    const file = composeFakeVideo(identity, want);
    expect(file.size).toBe(want);
    const bare = composeFakeVideo(identity).size;
    const head = Buffer.concat([...readRange(file, bare, bare + 16)]);
    expect(head.readUInt32BE(0)).toBe(1); // "largesize follows"
    expect(head.toString('latin1', 4, 8)).toBe('skip');
    expect(Number(head.readBigUInt64BE(8))).toBe(want - bare);
    // The last bytes: zeros, read without touching the rest.
    const tail = [...readRange(file, want - 10, want)];
    expect(Buffer.concat(tail)).toEqual(Buffer.alloc(10));
    // Every chunk is at most 64 KiB, so a full read streams in constant memory.
    let chunks = 0;
    for (const c of readRange(file, 0, 4 * 1024 * 1024)) {
      expect(c.length).toBeLessThanOrEqual(64 * 1024);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(60);
  });

  it('readFakeVideoIdentity on a path reads box headers only (works on a sparse multi-GiB file)', () => {
    const file = composeFakeVideo(identity, 5 * 1024 * 1024 * 1024);
    const bare = composeFakeVideo(identity).size;
    const path = join(dir, 'big-sparse.mp4');
    // Write the real head, then extend to the full size without writing the zeros (sparse).
    writeFileSync(path, Buffer.concat([...readRange(file, 0, bare + 16)]));
    execFileSync('truncate', ['-s', String(file.size), path], { timeout: 5_000 });
    expect(readFakeVideoIdentity(path)).toEqual(identity);
    if (existsSync(FFPROBE)) {
      // The 64-bit `skip` box is valid MP4: ffprobe sees a 5 GiB, 1 s video.
      const info = ffprobe(path);
      expect(Number(info.format.size)).toBe(file.size);
      expect(info.streams[0].codec_name).toBe('h264');
    }
    rmSync(path);
  });
});
