import { randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ByteSink, SinkWriter } from '../ports.js';

/** A file name safe to join to the output directory: no directories, no traversal, no control characters. */
export const safeFileName = (name: string): string => {
  // eslint-disable-next-line no-control-regex
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f<>:"|?*]/g, '_');
  return base === '' || base === '.' || base === '..' ? 'output' : base;
};

/** Chunks are gathered into writes of about this size (one system call for many network chunks). */
const FLUSH_BYTES = 1024 * 1024;

/**
 * Files in `dir`: each output is written to a temporary file beside its final name, then renamed
 * into place atomically, so a reader never sees half a video. `discard` removes the temporary file.
 *
 * No fsync, like `curl -o`: it would make a 1 GiB download wait about half a second more for the
 * disk (`pnpm bench`), and it is not what keeps a paid render safe. The ledger is (it is fsynced,
 * and it records the job id before any waiting); a video that a power cut leaves short on disk no
 * longer matches the size in the manifest, so the next run downloads it again by job id instead of
 * paying for it again (action/src/batch/render.test.ts shows that).
 *
 * Writes are gathered into ~1 MiB `writev`s, and one of them runs while the next MiB arrives
 * (network and disk overlap: a large download runs at `curl -o`'s pace instead of half of it), so
 * memory stays at about 2 MiB per output. A chunk given to `write` belongs to the sink from then on.
 * A failed write is reported by the next `write` or by `commit`, and every later call until `reset`.
 */
export const createFileSink = (dir: string): ByteSink => ({
  async open(name: string): Promise<SinkWriter> {
    await mkdir(dir, { recursive: true });
    const finalPath = path.resolve(dir, safeFileName(name));
    const tempPath = path.resolve(dir, `.${safeFileName(name)}.${randomUUID().slice(0, 8)}.part`);
    const file = await open(tempPath, 'wx');
    /** Bytes accepted (on disk, being written, or gathered). */
    let written = 0;
    /** Bytes on disk or being written: where the gathered chunks go. */
    let flushedTo = 0;
    let gathered: Uint8Array[] = [];
    let gatheredBytes = 0;
    let inFlight: Promise<void> | undefined;
    let failure: unknown;
    let state: 'open' | 'committed' | 'discarded' = 'open';
    const ensureOpen = () => {
      if (state !== 'open') throw new Error(`output ${safeFileName(name)} is already ${state}`);
    };
    /** Wait for the write in flight; rethrow a failure. */
    const settle = async () => {
      if (inFlight !== undefined) {
        const p = inFlight;
        inFlight = undefined;
        await p;
      }
      if (failure !== undefined) throw failure;
    };
    const writeAll = async (buffers: Uint8Array[], position: number, total: number) => {
      let done = 0;
      let rest = buffers;
      while (done < total) {
        const { bytesWritten } = await file.writev(rest, position + done);
        done += bytesWritten;
        if (done < total) rest = remaining(buffers, done);
      }
    };
    /** Start writing what was gathered (after the previous write finished). */
    const flush = async () => {
      await settle();
      if (gatheredBytes === 0) return;
      const buffers = gathered;
      const position = flushedTo;
      const total = gatheredBytes;
      gathered = [];
      gatheredBytes = 0;
      flushedTo += total;
      inFlight = writeAll(buffers, position, total).catch((e: unknown) => {
        failure ??= e;
      });
    };
    return {
      get bytesWritten() {
        return written;
      },
      async write(chunk: Uint8Array) {
        ensureOpen();
        if (failure !== undefined) throw failure;
        if (chunk.length === 0) return;
        gathered.push(chunk);
        gatheredBytes += chunk.length;
        written += chunk.length;
        if (gatheredBytes >= FLUSH_BYTES) await flush();
      },
      async reset() {
        ensureOpen();
        await inFlight?.catch(() => undefined);
        inFlight = undefined;
        failure = undefined;
        gathered = [];
        gatheredBytes = 0;
        await file.truncate(0);
        written = 0;
        flushedTo = 0;
      },
      async commit() {
        ensureOpen();
        await flush();
        await settle();
        await file.close();
        await rename(tempPath, finalPath);
        state = 'committed';
        return { file: finalPath, bytes: written };
      },
      async discard() {
        if (state !== 'open') return;
        state = 'discarded';
        await inFlight?.catch(() => undefined);
        gathered = [];
        await file.close().catch(() => undefined);
        await rm(tempPath, { force: true });
      },
    };
  },
});

/** The part of `buffers` after the first `skip` bytes (after a short write). */
const remaining = (buffers: Uint8Array[], skip: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  let left = skip;
  for (const b of buffers) {
    if (left >= b.length) {
      left -= b.length;
      continue;
    }
    out.push(left > 0 ? b.subarray(left) : b);
    left = 0;
  }
  return out;
};
