// What the dedicated n8n repository (release.n8nRepository in the root package.json) is made of.
// scripts/export-n8n.mjs assembles it from this monorepo; the release workflow pushes it there.
//   - from nodes/: the node's sources, its build and check scripts, its docs and configs, as they are;
//   - the core, bundled: @scenario-video/core packed as a tarball in vendor/ (a devDependency: the
//     node's build bundles it into dist/, exactly as here), so the repository needs nothing of ours;
//   - from template/: what only that repository has (its workspace settings and its CI and publish
//     workflows, which build, lint, scan and `npm publish --provenance`).
export const EXPORT_TEMPLATE = 'scripts/n8n-export/template';

/** Paths copied from nodes/ unchanged. Tests stay here: they run against the fake API of this monorepo. */
export const FROM_NODES = [
  'credentials',
  'nodes',
  'icons',
  'scripts/bundle-core.mjs',
  'scripts/scan.mjs',
  'scripts/n8n-rules.mjs',
  'scripts/prepublish.mjs',
  'eslint.config.mjs',
  '.prettierrc.js',
  '.gitignore',
  'README.md',
  'LICENSE.md',
  'CHANGELOG.md',
];

/** Where the packed core goes, and how the exported package.json depends on it. */
export const VENDOR_DIR = 'vendor';
export const CORE_PACKAGE = '@scenario-video/core';

/** devDependencies of nodes/package.json that only this monorepo's tests use. */
export const TEST_ONLY_DEPENDENCIES = ['@scenario-video/fake-api', 'vitest'];
