import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ByteSink, SinkWriter } from '../ports.js';
import { finishedWith } from './finished-chunks.js';

/** A file name safe to join to the output directory: no directories, no traversal, no control characters. */
export const safeFileName = (name: string): string => {
  // eslint-disable-next-line no-control-regex
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[\u0000-\u001f<>:"|?*]/g, '_');
  return base === '' || base === '.' || base === '..' ? 'output' : base;
};

/**
 * Files in `dir`: each output is written to a temporary file beside its final name, then renamed
 * into place atomically, so a reader never sees half a video. `discard` removes the temporary file.
 *
 * No fsync, like `curl -o`: it would make a large download wait noticeably longer for the disk
 * (figures in bench/README.md), and it is not what keeps a paid render safe. The ledger is (it is fsynced,
 * and it records the job id before any waiting); a video that a power cut leaves short on disk no
 * longer matches the size in the manifest, so the next run downloads it again by job id instead of
 * paying for it again (action/src/batch/render.test.ts shows that).
 *
 * Each chunk is written synchronously as it arrives, as curl does. A write into the page cache
 * takes tens of microseconds; sending it to the thread pool instead costs more than the write
 * itself (a hand-off per write, and the pool competes with the network for the CPU), and chunks
 * held until a later write keep socket buffers alive long enough for V8 to run full collections
 * over them. `pnpm bench` measured both: pooled writes fall well behind curl's throughput,
 * synchronous ones keep its pace (figures in bench/README.md). The event loop waits for the disk
 * only as long as one chunk takes to copy, and nothing is held in memory: each chunk is marked
 * `finishedWith` as soon as it is written, so the Node transport reads the next bytes into the same
 * buffer (finished-chunks.ts). A failed write rejects that `write`, and every later call until `reset`.
 */
export const createFileSink = (dir: string): ByteSink => ({
  async open(name: string): Promise<SinkWriter> {
    await mkdir(dir, { recursive: true });
    const finalPath = path.resolve(dir, safeFileName(name));
    const tempPath = path.resolve(dir, `.${safeFileName(name)}.${randomUUID().slice(0, 8)}.part`);
    const file = await open(tempPath, 'wx');
    let written = 0;
    let failure: unknown;
    let state: 'open' | 'committed' | 'discarded' = 'open';
    const ensureOpen = () => {
      if (state !== 'open') throw new Error(`output ${safeFileName(name)} is already ${state}`);
    };
    /** Open, and no write has failed since the last reset. */
    const ensureWritable = () => {
      ensureOpen();
      if (failure !== undefined) throw failure;
    };
    return {
      get bytesWritten() {
        return written;
      },
      async write(chunk: Uint8Array) {
        ensureWritable();
        try {
          for (let done = 0; done < chunk.length; ) {
            done += writeSync(file.fd, chunk, done, chunk.length - done, written + done);
          }
        } catch (e) {
          failure = e;
          throw e;
        }
        written += chunk.length;
        finishedWith(chunk); // written out, nothing kept: the transport may read into it again
      },
      async reset() {
        ensureOpen();
        failure = undefined;
        await file.truncate(0);
        written = 0;
      },
      async commit() {
        ensureWritable();
        await file.close();
        await rename(tempPath, finalPath);
        state = 'committed';
        return { file: finalPath, bytes: written };
      },
      async discard() {
        if (state !== 'open') return;
        state = 'discarded';
        await file.close().catch(() => undefined);
        await rm(tempPath, { force: true });
      },
    };
  },
});
