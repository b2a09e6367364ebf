#!/usr/bin/env node
/* global console, process, Buffer */
// Bundles the GitHub Action into dist/index.mjs (committed: the runner runs it as is and installs nothing).
//   node scripts/bundle.mjs          write dist/index.mjs (and dist/index.mjs.LEGAL.txt)
//   node scripts/bundle.mjs --check  build in memory and fail when the committed files differ
// ESM with an *aliased* createRequire banner is the only shape that runs: the CJS `tunnel` package needs
// `require`, and @azure/storage-common already imports `createRequire` itself (see the project's
// github-action notes, §4). The output is deterministic: same sources and lockfile, same bytes.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist', 'index.mjs');

export const options = {
  absWorkingDir: root,
  entryPoints: ['src/action/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // Workspace packages are bundled from their TypeScript sources: no build step needed first.
  conditions: ['source'],
  mainFields: ['module', 'main'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'external',
  charset: 'utf8',
  minify: false,
  sourcemap: false,
  logLevel: 'warning',
  write: false,
};

export async function bundle() {
  const result = await build(options);
  return result.outputFiles.map((f) => ({ path: f.path, text: f.text, bytes: f.contents }));
}

async function main() {
  const check = process.argv.includes('--check');
  const files = await bundle();
  if (!check) {
    await mkdir(path.dirname(outfile), { recursive: true });
    for (const f of files) await writeFile(f.path, f.bytes);
    for (const f of files) console.log(`wrote ${path.relative(process.cwd(), f.path)} (${f.bytes.length} bytes)`);
    return;
  }
  const stale = [];
  for (const f of files) {
    const committed = await readFile(f.path).catch(() => undefined);
    if (!committed || !Buffer.from(f.bytes).equals(committed)) stale.push(path.relative(root, f.path));
  }
  if (stale.length > 0) {
    console.error(
      `check-dist: ${stale.join(', ')} differ from a fresh build. Run \`pnpm --filter @scenario-video/action bundle\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(`check-dist: ${files.map((f) => path.relative(root, f.path)).join(', ')} match a fresh build`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
