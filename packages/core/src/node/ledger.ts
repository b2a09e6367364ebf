import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { LedgerEntry, LedgerPort } from '../ports.js';

interface LedgerFile {
  version: 1;
  entries: Record<string, LedgerEntry>;
}

/**
 * A ledger in one JSON file. Every write goes to a temporary file that is fsynced and renamed over
 * the old one, so a crash leaves the previous or the new ledger, never a torn one. Writes from this
 * process are serialised; the file is re-read on every call so other processes' entries are seen.
 * A file that is not a ledger is an error (never silently emptied: that could mean paying twice).
 */
export const createJsonFileLedger = (file: string): LedgerPort => {
  const target = path.resolve(file);
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(op: () => Promise<T>): Promise<T> => {
    const next = queue.then(op, op);
    queue = next.catch(() => undefined);
    return next;
  };

  const read = async (): Promise<LedgerFile> => {
    let text: string;
    try {
      text = await readFile(target, 'utf8');
    } catch (e) {
      if ((e as { code?: string }).code === 'ENOENT') return { version: 1, entries: {} };
      throw e;
    }
    const data = JSON.parse(text) as Partial<LedgerFile>;
    if (data?.version !== 1 || typeof data.entries !== 'object' || data.entries === null) {
      throw new Error(`${target} is not a scenario-video ledger`);
    }
    return data as LedgerFile;
  };

  const write = async (data: LedgerFile): Promise<void> => {
    await mkdir(path.dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID().slice(0, 8)}.tmp`;
    try {
      const fh = await open(temp, 'wx');
      try {
        await fh.writeFile(`${JSON.stringify(data, null, 2)}\n`, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  };

  return {
    get: (key) => serial(async () => (await read()).entries[key]),
    list: () => serial(async () => Object.values((await read()).entries)),
    put: (entry) =>
      serial(async () => {
        const data = await read();
        data.entries[entry.key] = entry;
        await write(data);
      }),
    remove: (key) =>
      serial(async () => {
        const data = await read();
        if (!(key in data.entries)) return;
        delete data.entries[key];
        await write(data);
      }),
  };
};
