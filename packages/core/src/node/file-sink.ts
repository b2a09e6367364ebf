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

/**
 * Files in `dir`: each output is written to a temporary file beside its final name, fsynced, then
 * renamed into place atomically, so a reader never sees half a video. `discard` removes the
 * temporary file.
 */
export const createFileSink = (dir: string): ByteSink => ({
  async open(name: string): Promise<SinkWriter> {
    await mkdir(dir, { recursive: true });
    const finalPath = path.resolve(dir, safeFileName(name));
    const tempPath = path.resolve(dir, `.${safeFileName(name)}.${randomUUID().slice(0, 8)}.part`);
    const file = await open(tempPath, 'wx');
    let written = 0;
    let state: 'open' | 'committed' | 'discarded' = 'open';
    const ensureOpen = () => {
      if (state !== 'open') throw new Error(`output ${safeFileName(name)} is already ${state}`);
    };
    return {
      get bytesWritten() {
        return written;
      },
      async write(chunk: Uint8Array) {
        ensureOpen();
        let offset = 0;
        while (offset < chunk.length) {
          const { bytesWritten } = await file.write(chunk, offset, chunk.length - offset, written + offset);
          offset += bytesWritten;
        }
        written += chunk.length;
      },
      async reset() {
        ensureOpen();
        await file.truncate(0);
        written = 0;
      },
      async commit() {
        ensureOpen();
        await file.sync();
        await file.close();
        await rename(tempPath, finalPath);
        state = 'committed';
        // Make the rename itself durable (best effort: not every platform can fsync a directory).
        try {
          const d = await open(path.dirname(finalPath), 'r');
          await d.sync().finally(() => d.close());
        } catch {
          // ignored
        }
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
