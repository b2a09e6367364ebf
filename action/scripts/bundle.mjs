#!/usr/bin/env node
// Bundles the GitHub Action into dist/index.mjs (committed: the runner runs it as is and installs nothing).
//   node scripts/bundle.mjs          write dist/index.mjs and dist/merge.mjs (the merge action), their chunks
//                                    and legal notices
//   node scripts/bundle.mjs --check  build in memory and fail when the committed files differ
//   node scripts/bundle.mjs --from-index  build the repository's files as staged in git (`git add` first),
//                                     not as on disk: other engineers' uncommitted edits stay out of the bundle
// ESM with an *aliased* createRequire banner is the only shape that runs: the CJS `tunnel` package needs
// `require`, and @azure/storage-common already imports `createRequire` itself (see the project's
// github-action notes, §4). The output is deterministic: same sources and lockfile, same bytes.
import { execFileSync } from 'node:child_process';
import { readFile, writeFile, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist');
const chunksDir = path.join(outdir, 'chunks');

export const options = {
  absWorkingDir: root,
  // merge: the sub-action merge/action.yml (combines a sharded render); it shares chunks with index.
  entryPoints: { index: 'src/action/main.ts', merge: 'src/merge/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  // Code splitting: what main imports dynamically (the artifact and cache clients) lands in
  // dist/chunks/ and is compiled only when a run uses it, which keeps start-up short.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  // The Node that runs the bundle: action.yml's runs.using (the release check keeps the two equal).
  target: 'node24',
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

const repo = path.resolve(root, '..');

/** Loads the repository's own files from the git index instead of the disk. */
const fromIndex = {
  name: 'from-git-index',
  setup(b) {
    b.onLoad({ filter: /\.(ts|mts|js|mjs|json)$/ }, (args) => {
      const rel = path.relative(repo, args.path);
      if (rel.startsWith('..') || rel.split(path.sep).includes('node_modules')) return undefined;
      const contents = execFileSync('git', ['show', `:${rel.split(path.sep).join('/')}`], {
        cwd: repo,
        maxBuffer: 256 * 1024 * 1024,
      });
      const ext = path.extname(args.path).slice(1);
      return {
        contents,
        loader: ext === 'json' ? 'json' : ext.startsWith('m') ? ext.slice(1) : ext,
        resolveDir: path.dirname(args.path),
      };
    });
  },
};

/**
 * @actions/core imports @actions/http-client, and with it undici (770 KB), for getIDToken (OIDC) alone,
 * which this action never calls. esbuild cannot drop an import whose module other chunks use (the
 * artifact, cache and Octokit clients use that HTTP client), so the import from core's OIDC module is
 * cut here: start-up no longer compiles undici, and a call to getIDToken would fail with this message.
 */
const OIDC_MODULE = /[\\/]@actions[\\/]core[\\/]lib[\\/]oidc-utils\.js$/;
const withoutOidc = {
  name: 'without-oidc',
  setup(b) {
    b.onResolve({ filter: /^@actions\/http-client(\/lib\/auth)?$/ }, (args) =>
      OIDC_MODULE.test(args.importer) ? { path: args.path, namespace: 'without-oidc' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'without-oidc' }, () => ({
      contents: [
        "const unavailable = () => { throw new Error('getIDToken (OIDC) is not part of the scenario-video bundle'); };",
        'export class HttpClient { constructor() { unavailable(); } }',
        'export class BearerCredentialHandler { constructor() { unavailable(); } }',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** The files a build owns in dist/ (the bundle, its chunks, their legal notices), as they are on disk now. */
async function ownedFiles() {
  const top = (await readdir(outdir).catch(() => [])).filter((n) => /^(index|merge)\.mjs/.test(n));
  const chunks = await readdir(chunksDir).catch(() => []);
  return [...top.map((n) => path.join(outdir, n)), ...chunks.map((n) => path.join(chunksDir, n))];
}

export async function bundle({ index = false } = {}) {
  const result = await build({ ...options, plugins: [withoutOidc, ...(index ? [fromIndex] : [])] });
  return result.outputFiles.map((f) => ({ path: f.path, text: f.text, bytes: f.contents }));
}

async function main() {
  const check = process.argv.includes('--check');
  const files = await bundle({ index: process.argv.includes('--from-index') });
  if (!check) {
    for (const stale of await ownedFiles()) await rm(stale, { force: true }); // nothing stale survives a rebuild
    for (const f of files) {
      await mkdir(path.dirname(f.path), { recursive: true });
      await writeFile(f.path, f.bytes);
    }
    for (const f of files) console.log(`wrote ${path.relative(process.cwd(), f.path)} (${f.bytes.length} bytes)`);
    return;
  }
  const stale = [];
  const built = new Set(files.map((f) => f.path));
  for (const file of await ownedFiles()) if (!built.has(file)) stale.push(path.relative(root, file));
  for (const f of files) {
    const committed = await readFile(f.path).catch(() => undefined);
    if (!committed || !Buffer.from(f.bytes).equals(committed)) stale.push(path.relative(root, f.path));
  }
  if (stale.length > 0) {
    console.error(
      `check-dist: ${stale.join(', ')} differ from a fresh build of the sources it bundles (action/src, packages/core). ` +
        "Run `pnpm --filter @scenario-video/action bundle` and commit the result (with other people's edits in the " +
        'tree: `git add` yours, then `node action/scripts/bundle.mjs --from-index`).',
    );
    process.exit(1);
  }
  console.log(`check-dist: ${files.map((f) => path.relative(root, f.path)).join(', ')} match a fresh build`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
