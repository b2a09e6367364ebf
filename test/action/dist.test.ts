// check-dist: the committed bundle (what the runner runs) must be exactly what a fresh esbuild build of
// action/src gives; otherwise someone changed the source and forgot `pnpm --filter @scenario-video/action bundle`.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from './harness.js';

it('action/dist/index.mjs matches a fresh build of action/src', async () => {
  const script = path.join(repoRoot, 'action', 'scripts', 'bundle.mjs');
  const result = await promisify(execFile)(process.execPath, [script, '--check'], { cwd: repoRoot }).catch(
    (e: { stdout: string; stderr: string; code: number }) => e,
  );
  expect('code' in result ? result.stderr : '', 'rebuild with `pnpm --filter @scenario-video/action bundle`').toBe('');
  expect(result.stdout).toContain('match a fresh build');
}, 60_000);

/** The files `node action/dist/index.mjs` loads before it runs a line: the entry and its static imports. */
async function loadedAtStartUp(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const pending = [path.join(repoRoot, 'action', 'dist', 'index.mjs')];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    const text = await readFile(file, 'utf8');
    files.set(file, text);
    // Static imports only: `import ... from "./x.mjs"` and `import "./x.mjs"`, not `import("./x.mjs")`.
    for (const m of text.matchAll(/^(?:import|export)\b[^;()]*?["'](\.{1,2}\/[^"']+)["'];?$/gm))
      pending.push(path.resolve(path.dirname(file), m[1]!));
  }
  return files;
}

it('starts without compiling the heavy clients: they load when a run first uses them', async () => {
  const files = await loadedAtStartUp();
  const sources = [...files.values()].join('\n');
  // esbuild names each bundled module in a comment: which packages start-up compiles.
  const packages = new Set([...sources.matchAll(/^\/\/ \.\.\/node_modules\/\.pnpm\/([^/]+)\//gm)].map((m) => m[1]!));
  const heavy = [...packages].filter((p) =>
    /^(zod|yaml|undici|@octokit|@actions\+(artifact|cache|github|http-client)|@azure)/.test(p),
  );
  expect(heavy).toEqual([]);
  // The Scenario core and the prompt parser wait for the first prompt file too.
  expect(sources).not.toMatch(/^\/\/ \.\.\/packages\/core\/src\/client\.ts$/m);
  expect(sources).not.toMatch(/^\/\/ src\/prompts\/parse\.ts$/m);
  // ...and @actions/core, which every run needs, is there.
  expect([...packages].some((p) => p.startsWith('@actions+core@'))).toBe(true);
});
