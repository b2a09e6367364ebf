#!/usr/bin/env node
// Makes the dedicated repository that publishes n8n-nodes-scenario-video (release.n8nRepository in the
// root package.json): n8n's tooling requires each published node package to come from its own
// repository, with npm provenance from that repository's workflow. Layout: n8n-export/layout.mjs.
//
//   node scripts/export-n8n.mjs [--out DIR] [--verify]
//
// Needs this monorepo built (`pnpm build`). Writes the repository into DIR (new or empty; default a
// temporary folder) and prints its path. With --verify it then proves the export stands alone, in
// that folder, with nothing of this monorepo: install from the npm registry, build, `n8n-node lint`,
// n8n's scanner on the sources and the packed tarball, the release check's rules on that tarball, and
// the packed tarball holds the same files with the same bytes as the one this repository's build
// packs (package.json compared without devDependencies, the one field that differs: here the core
// is a workspace package, there a vendored tarball). The temporary folder is removed after a verify
// unless --out was given. The release workflow (.github/workflows/release-n8n.yml) pushes DIR.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readIdentity, repoRoot as root, repositoryField } from './lib/identity.mjs';
import { packPackage } from './lib/pack.mjs';
import { CORE_PACKAGE, EXPORT_TEMPLATE, FROM_NODES, TEST_ONLY_DEPENDENCIES, VENDOR_DIR } from './n8n-export/layout.mjs';
import {
  checkContinueOnFail,
  checkDocs,
  checkPackedManifest,
  checkRepositoryDirectory,
  checkTarballCode,
  checkTarballFiles,
} from './release-check/rules.mjs';

const args = process.argv.slice(2);
const outArg = args.includes('--out') ? args[args.indexOf('--out') + 1] : undefined;
const verify = args.includes('--verify');
const nodesDir = path.join(root, 'nodes');
const started = Date.now();
const step = (what) => console.log(`export-n8n: ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

const fail = (message) => {
  console.error(`export-n8n: ${message}`);
  process.exit(1);
};

for (const built of ['packages/core/dist/index.js', 'nodes/dist']) {
  if (!existsSync(path.join(root, built))) fail(`${built} is missing: run \`pnpm build\` first`);
}

const out = outArg !== undefined ? path.resolve(outArg) : mkdtempSync(path.join(tmpdir(), 'n8n-nodes-scenario-video-'));
if (!path.relative(root, out).startsWith('..')) fail(`--out must be outside this repository (${out})`);
if (existsSync(out) && readdirSync(out).length > 0) fail(`--out ${out} is not empty`);
mkdirSync(out, { recursive: true });

// 1. The node as it is in nodes/.
for (const rel of FROM_NODES) cpSync(path.join(nodesDir, rel), path.join(out, rel), { recursive: true });
cpSync(path.join(root, EXPORT_TEMPLATE), out, { recursive: true });
cpSync(path.join(root, '.node-version'), path.join(out, '.node-version'));

// 2. The core, packed as users of a registry package would get it, as a vendored devDependency.
const corePack = packPackage(path.join(root, 'packages/core'));
const coreTarball = `${VENDOR_DIR}/${path.basename(corePack.tarball)}`;
mkdirSync(path.join(out, VENDOR_DIR));
cpSync(corePack.tarball, path.join(out, coreTarball));
corePack.cleanup();

// 3. package.json: the same package, with no workspace dependency.
const identity = readIdentity(root);
const pkg = JSON.parse(readFileSync(path.join(nodesDir, 'package.json'), 'utf8'));
const devDependencies = {};
for (const [name, spec] of Object.entries(pkg.devDependencies ?? {})) {
  if (TEST_ONLY_DEPENDENCIES.includes(name)) continue;
  if (name === CORE_PACKAGE) devDependencies[name] = `file:${coreTarball}`;
  else if (String(spec).startsWith('workspace:'))
    fail(`nodes/package.json: ${name} is a workspace package the export does not vendor`);
  else devDependencies[name] = spec;
}
pkg.devDependencies = devDependencies;
pkg.repository = repositoryField(identity.n8nRepository);
writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(pkg, null, '\t')}\n`);

// 4. tsconfig.json: the core's types come from node_modules instead of the workspace's build.
const tsconfigText = readFileSync(path.join(nodesDir, 'tsconfig.json'), 'utf8');
const exportedTsconfig = tsconfigText.replace(
  /"paths":\s*\{[^}]*\}/,
  `"paths": {\n\t\t\t"${CORE_PACKAGE}": ["./node_modules/${CORE_PACKAGE}/dist/index.d.ts"]\n\t\t}`,
);
if (exportedTsconfig === tsconfigText) fail('nodes/tsconfig.json: no "paths" entry for the core to rewrite');
writeFileSync(path.join(out, 'tsconfig.json'), exportedTsconfig);
writeFileSync(
  path.join(out, VENDOR_DIR, 'README.md'),
  `# vendor\n\n\`${path.basename(coreTarball)}\` is \`${CORE_PACKAGE}\`, the Scenario client shared by every scenario-video\n` +
    `face, packed from https://github.com/${identity.repository}. It is a devDependency: \`pnpm run build\`\n` +
    'bundles it into `dist/nodes/ScenarioVideo/core.js`, so the published package has no runtime dependency.\n' +
    `Change it there, not here: this repository is exported from that one on each release.\n`,
);
step(`wrote ${out}`);

if (!verify) {
  console.log(out);
  process.exit(0);
}

// --- Verify: the export stands alone. ---------------------------------------------------------
const run = (cmd, cmdArgs, cwd = out) => {
  try {
    execFileSync(cmd, cmdArgs, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
  } catch (e) {
    process.stdout.write(e.stdout ?? '');
    process.stderr.write(e.stderr ?? '');
    fail(`\`${cmd} ${cmdArgs.join(' ')}\` failed in ${cwd}`);
  }
};
const findings = [];
try {
  // From the npm registry (versions are pinned; the store of this machine makes it quick). The
  // lockfile it writes is committed with the export, so the exported repository's CI is frozen.
  run('pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=silent']);
  step('installed');
  run('pnpm', ['run', 'build']);
  step('built');
  run('pnpm', ['run', 'lint']);
  step('n8n-node lint passed');
  run('node', ['scripts/scan.mjs']);
  step("n8n's scanner passed (sources and packed tarball)");

  const exported = packPackage(out);
  const ours = packPackage(nodesDir);
  try {
    const name = `${pkg.name} (export)`;
    findings.push(...checkTarballFiles(name, exported.files));
    const manifest = JSON.parse(exported.read('package.json').toString('utf8'));
    findings.push(...checkPackedManifest(name, manifest, exported.files));
    findings.push(...checkRepositoryDirectory([{ path: `${name}: package.json`, json: manifest }]));
    findings.push(
      ...checkTarballCode(
        exported.files
          .filter((f) => f.endsWith('.js'))
          .map((f) => ({ path: `${name}: ${f}`, text: exported.read(f).toString('utf8') })),
      ),
    );
    for (const built of manifest.n8n.nodes) {
      const source = built.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      findings.push(...checkContinueOnFail(readFileSync(path.join(out, source), 'utf8'), `${name}: ${source}`));
    }
    const docs = readdirSync(out, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.md') && !f.startsWith('node_modules'))
      .map((f) => ({ path: f, text: readFileSync(path.join(out, f), 'utf8') }));
    findings.push(...checkDocs(docs, (rel) => existsSync(path.join(out, rel))).map((f) => `${name}: ${f}`));

    // Same files, same bytes.
    const a = new Set(exported.files);
    const b = new Set(ours.files);
    for (const f of b) if (!a.has(f)) findings.push(`the export's tarball lacks ${f}`);
    for (const f of a) if (!b.has(f)) findings.push(`the export's tarball has ${f}, which this repository's does not`);
    for (const f of exported.files) {
      if (!b.has(f)) continue;
      if (f === 'package.json') {
        const strip = (buf) => {
          const j = JSON.parse(buf.toString('utf8'));
          delete j.devDependencies;
          return JSON.stringify(j);
        };
        if (strip(exported.read(f)) !== strip(ours.read(f)))
          findings.push('package.json differs beyond devDependencies');
      } else if (!exported.read(f).equals(ours.read(f))) {
        findings.push(`${f} differs between the export's tarball and this repository's`);
      }
    }
    step(`packed ${exported.files.length} files; compared with this repository's tarball`);
  } finally {
    exported.cleanup();
    ours.cleanup();
  }
} finally {
  if (outArg === undefined && findings.length === 0) rmSync(out, { recursive: true, force: true });
}

if (findings.length > 0) {
  for (const f of findings) console.error(`export-n8n: ${f}`);
  fail(`${findings.length} finding(s); the export is in ${out}`);
}
step(`ok: ${pkg.name}@${pkg.version} stands alone as github.com/${identity.n8nRepository}`);
