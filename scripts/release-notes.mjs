#!/usr/bin/env node
// Prints the notes of one version from a CHANGELOG.md: the body of its `## <version>` section (up to the
// next `## `). The release workflows use it as the GitHub release's notes and the n8n tag's message;
// it fails when the section is missing or empty, so nothing is released without notes.
//   node scripts/release-notes.mjs CHANGELOG.md 0.1.0
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The body of `## <version>` (a heading may read `## 0.1.0`, `## v0.1.0`, `## [0.1.0] - 2026-12-08`). */
export const notesOf = (changelog, version) => {
  const lines = changelog.split('\n');
  const escaped = version.replace(/^v/, '').replace(/\./g, '\\.');
  const heading = new RegExp(`^##\\s+\\[?v?${escaped}\\]?(\\s|$)`);
  const start = lines.findIndex((l) => heading.test(l));
  if (start === -1) return undefined;
  const end = lines.findIndex((l, i) => i > start && /^##\s/.test(l));
  const body = lines
    .slice(start + 1, end === -1 ? undefined : end)
    .join('\n')
    .trim();
  return body === '' ? undefined : `${body}\n`;
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, version] = process.argv.slice(2);
  if (file === undefined || version === undefined) {
    console.error('usage: node scripts/release-notes.mjs CHANGELOG.md VERSION');
    process.exit(2);
  }
  const notes = notesOf(readFileSync(file, 'utf8'), version);
  if (notes === undefined) {
    console.error(`release-notes: ${file} has no "## ${version}" section with notes`);
    process.exit(1);
  }
  process.stdout.write(notes);
}
