import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createJsonFileLedger } from './ledger.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sv-ledger-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const entry = (key: string, jobId = `job_${key}`) => ({
  key,
  jobId,
  modelId: 'model_wan-2-2-i2v-a14b',
  submittedAt: '2026-11-01T12:00:00.000Z',
});

describe('JSON-file ledger', () => {
  it('persists entries across instances (another process resumes from the file)', async () => {
    const file = path.join(dir, 'state', 'ledger.json');
    const a = createJsonFileLedger(file);
    expect(await a.get('x')).toBeUndefined();
    await a.put(entry('x'));
    await a.put({ ...entry('y'), creativeUnitsCost: 7.25 });
    const b = createJsonFileLedger(file);
    expect(await b.get('y')).toEqual({ ...entry('y'), creativeUnitsCost: 7.25 });
    await b.remove('x');
    expect((await a.list()).map((e) => e.key)).toEqual(['y']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, entries: { y: { jobId: 'job_y' } } });
  });

  it('serialises concurrent writes and leaves no temporary files', async () => {
    const file = path.join(dir, 'ledger.json');
    const ledger = createJsonFileLedger(file);
    await Promise.all(Array.from({ length: 25 }, (_, i) => ledger.put(entry(`k${i}`))));
    expect(await ledger.list()).toHaveLength(25);
    expect(await readdir(dir)).toEqual(['ledger.json']);
  });

  it('refuses a file that is not a ledger rather than silently forgetting jobs', async () => {
    const file = path.join(dir, 'ledger.json');
    await writeFile(file, '{"something":"else"}');
    await expect(createJsonFileLedger(file).get('x')).rejects.toThrow(/not a scenario-video ledger/);
    await writeFile(file, '{ torn');
    await expect(createJsonFileLedger(file).list()).rejects.toThrow();
  });
});
