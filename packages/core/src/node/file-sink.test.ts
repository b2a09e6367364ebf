import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileSink, safeFileName } from './file-sink.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sv-sink-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const enc = (s: string) => new TextEncoder().encode(s);

describe('file sink', () => {
  it('writes to a temporary file and renames it into place on commit', async () => {
    const out = path.join(dir, 'videos');
    const w = await createFileSink(out).open('job_1.mp4');
    await w.write(enc('hello '));
    expect(await readdir(out)).toEqual([expect.stringMatching(/^\.job_1\.mp4\..+\.part$/)]);
    await w.write(enc('world'));
    expect(w.bytesWritten).toBe(11);
    const result = await w.commit();
    expect(result).toEqual({ file: path.join(out, 'job_1.mp4'), bytes: 11 });
    expect(await readdir(out)).toEqual(['job_1.mp4']);
    expect(await readFile(result.file!, 'utf8')).toBe('hello world');
    await expect(w.write(enc('late'))).rejects.toThrow(/committed/);
  });

  it('reset starts over; commit replaces an older file atomically', async () => {
    await writeFile(path.join(dir, 'a.mp4'), 'old content that is longer');
    const w = await createFileSink(dir).open('a.mp4');
    await w.write(enc('partial bytes'));
    await w.reset();
    expect(w.bytesWritten).toBe(0);
    await w.write(enc('new'));
    await w.commit();
    expect(await readFile(path.join(dir, 'a.mp4'), 'utf8')).toBe('new');
  });

  it('discard removes the partial output and leaves nothing behind', async () => {
    const w = await createFileSink(dir).open('b.mp4');
    await w.write(enc('half a video'));
    await w.discard();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps every byte in order (several MiB, odd chunk sizes)', async () => {
    const total = 3.5 * 1024 * 1024 + 7;
    const expected = new Uint8Array(total);
    for (let i = 0; i < total; i++) expected[i] = (i * 31 + (i >> 11)) & 0xff;
    const w = await createFileSink(dir).open('big.mp4');
    let at = 0;
    for (let n = 1; at < total; n++) {
      const size = Math.min(total - at, (n * 7919) % 70_000);
      await w.write(expected.slice(at, at + size));
      at += size;
      expect(w.bytesWritten).toBe(at);
    }
    const { bytes, file } = await w.commit();
    expect(bytes).toBe(total);
    expect((await readFile(file!)).equals(expected)).toBe(true);
  });

  it('reset after large writes drops what was written', async () => {
    const w = await createFileSink(dir).open('c.mp4');
    await w.write(new Uint8Array(1024 * 1024 + 10).fill(1));
    await w.write(new Uint8Array(500).fill(2));
    await w.reset();
    await w.write(enc('fresh'));
    await w.commit();
    expect(await readFile(path.join(dir, 'c.mp4'), 'utf8')).toBe('fresh');
  });

  it('is done with a chunk once write settles: the caller may reuse its memory at once', async () => {
    const reused = new Uint8Array(64 * 1024);
    const w = await createFileSink(dir).open('d.mp4');
    for (let i = 1; i <= 3; i++) {
      reused.fill(i);
      await w.write(reused);
    }
    reused.fill(9);
    const { file } = await w.commit();
    const bytes = await readFile(file!);
    expect([bytes[0], bytes[64 * 1024], bytes[2 * 64 * 1024], bytes.length]).toEqual([1, 2, 3, 3 * 64 * 1024]);
  });

  it('keeps outputs inside its directory whatever the name', async () => {
    expect(safeFileName('../../etc/passwd')).toBe('passwd');
    expect(safeFileName('a\\b\\c.mp4')).toBe('c.mp4');
    expect(safeFileName('..')).toBe('output');
    expect(safeFileName('we:ird?.mp4')).toBe('we_ird_.mp4');
    const w = await createFileSink(dir).open('../escape.mp4');
    await w.write(enc('x'));
    const { file } = await w.commit();
    expect(path.dirname(file!)).toBe(path.resolve(dir));
  });
});
