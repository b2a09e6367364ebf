#!/usr/bin/env node
// `pnpm bench [--quick] [--only batch,polling,download,startup,n8n] [--out FILE]`
//
// Bundles the benchmark (bench/src/*.ts, and the workspace sources it measures) with the repo's own
// esbuild into a temporary folder, then runs it. Nothing here is part of `pnpm test` or CI: it takes a
// few minutes of wall-clock time on purpose (renders are timed in real time against the fake API).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
// esbuild is a dev dependency of the action (it bundles action/dist/index.mjs): use that one.
const { build } = createRequire(path.join(root, 'action', 'package.json'))('esbuild');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Workspace packages are bundled from their TypeScript sources: what is measured is the code in the tree.
  conditions: ['source'],
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
  sourcemap: false,
};

const out = await mkdtemp(path.join(os.tmpdir(), 'scenario-bench-'));
let code = 1;
try {
  await build({
    ...common,
    absWorkingDir: root,
    // bench.mjs runs the benchmark, the fake and the baselines; ours.mjs only our client (its RSS is ours).
    // ours-client.mjs: the download role with the core alone, for comparison.
    entryPoints: { bench: 'bench/src/main.ts', ours: 'bench/src/ours.ts', 'ours-client': 'bench/src/ours-client.ts' },
    outdir: out,
    outExtension: { '.js': '.mjs' },
  });
  // The n8n metric runs the n8n node through its own test harness (nodes/test/harness.ts), which
  // pulls in n8n-workflow: a bundle of its own, and a reason instead of a crash when it cannot build.
  let n8nProblem = '';
  if (!existsSync(path.join(root, 'nodes', 'test', 'harness.ts'))) n8nProblem = 'nodes/test/harness.ts is missing';
  else {
    try {
      await build({
        ...common,
        absWorkingDir: root,
        entryPoints: ['bench/src/n8n.ts'],
        outfile: path.join(out, 'n8n.mjs'),
      });
    } catch (e) {
      n8nProblem = `the n8n harness does not build: ${String(e).split('\n')[0]}`;
    }
  }
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(out, 'bench.mjs'), ...process.argv.slice(2)], {
      stdio: 'inherit',
      cwd: root,
      env: { ...process.env, SCENARIO_BENCH_ROOT: root, SCENARIO_BENCH_N8N_PROBLEM: n8nProblem },
    });
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
} finally {
  await rm(out, { recursive: true, force: true });
}
process.exitCode = code;
