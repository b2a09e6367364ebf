// Keeps the benchmark itself from rotting: `pnpm bench --quick` (tiny sizes) must run every metric
// and write a number for each. No timing assertion here: timing targets live in `pnpm bench` only.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, expect, it } from 'vitest';
import type { Row } from './src/results.js';

const root = fileURLToPath(new URL('..', import.meta.url));
let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

it('pnpm bench --quick measures every metric and writes numbers to results.json', async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sv-bench-test-'));
  const out = path.join(dir, 'results.json');
  await promisify(execFile)(process.execPath, [path.join(root, 'bench', 'run.mjs'), '--quick', '--out', out], {
    cwd: root,
    timeout: 150_000,
  });
  const results = JSON.parse(await readFile(out, 'utf8')) as { quick: boolean; rows: Row[] };
  expect(results.quick).toBe(true);
  const families = [
    /^batch .*: wall ÷ ideal$/,
    /^batch .*: requests per video$/,
    /^batch .*: peak RSS$/,
    /^batch .*: fake floor/,
    /: polls per job \(mean\)$/,
    /: finished → noticed, p95$/,
    /^download .*: throughput$/,
    /^download .*: peak RSS$/,
    /^action start-up/,
    /^n8n node/,
  ];
  for (const family of families) {
    const row = results.rows.find((r) => family.test(r.metric));
    expect(row, `a row matching ${family}`).toBeDefined();
    expect(Number.isFinite(row!.ours), `${row!.metric}: ours is a number (${row!.note ?? ''})`).toBe(true);
    if (row!.target !== null) expect(typeof row!.pass).toBe('boolean');
  }
}, 180_000);
