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
