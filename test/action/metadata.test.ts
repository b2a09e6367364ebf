// action.yml, the README's tables and the code must agree on every input and output (names, defaults,
// descriptions), and action.yml must be what the runner accepts (SPEC.md "GitHub Action").
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestOutputs } from '../../action/src/action/report.js';
import { summarize } from '../../action/src/batch/manifest.js';
import { DEFAULT_BASE_URL } from '../../packages/core/src/index.js';
import { INPUTS, OUTPUTS, readInputs, type InputName } from '../../action/src/action/inputs.js';
import { readActionYml, repoRoot } from './harness.js';

const COLORS = ['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark'];

/** Rows of the first markdown table under `## GitHub Action` whose header starts with `| <first> `. */
async function readmeTable(first: string): Promise<string[][]> {
  const readme = await readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## GitHub Action'));
  const lines = section.split('\n');
  const start = lines.findIndex((l) => new RegExp(`^\\|\\s*${first}\\s*\\|`).test(l));
  expect(start, `README table "${first}"`).toBeGreaterThan(0);
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string) => cell.replace(/^`(.*)`$/, '$1');

describe('action.yml', () => {
  it('is a node24 JavaScript action whose main is the committed bundle', async () => {
    const yml = await readActionYml();
    expect(yml.name).toBeTruthy();
    expect(yml.description).toBeTruthy();
    expect(yml.runs).toEqual({ using: 'node24', main: 'action/dist/index.mjs' });
    expect(existsSync(path.join(repoRoot, yml.runs.main))).toBe(true);
    expect(yml.branding.icon).toBe('film');
    expect(COLORS).toContain(yml.branding.color);
  });

  it('declares exactly the inputs and outputs of SPEC.md, with the documented defaults', async () => {
    const yml = await readActionYml();
    expect(Object.keys(yml.inputs)).toEqual([
      'api-key',
      'api-secret',
      'prompts',
      'output-dir',
      'artifact-name',
      'retention-days',
      'artifact-per-video',
      'concurrency',
      'team-concurrency',
      'shard',
      'timeout-minutes',
      'dry-run',
      'skip-unchanged',
      'comment-on-pr',
      'fail-on-error',
      'base-url',
      'github-token',
    ]);
    expect(Object.keys(yml.outputs)).toEqual([
      'manifest',
      'videos',
      'rendered',
      'skipped',
      'failed',
      'creative-units',
      'artifact-id',
      'artifact-url',
      'shard',
    ]);
    const defaults = Object.fromEntries(Object.entries(yml.inputs).map(([k, v]) => [k, v.default]));
    expect(defaults).toMatchObject({
      prompts: 'prompts/**/*.{yml,yaml,json,md}',
      'output-dir': 'scenario-videos',
      'artifact-name': 'scenario-videos',
      'artifact-per-video': 'false',
      concurrency: '4',
      'timeout-minutes': '30',
      'dry-run': 'false',
      'skip-unchanged': 'true',
      'comment-on-pr': 'false',
      'fail-on-error': 'true',
      'github-token': '${{ github.token }}',
    });
    for (const [id, input] of Object.entries(yml.inputs)) {
      expect(id).toMatch(/^[_a-zA-Z][a-zA-Z0-9_-]*$/);
      expect(input.description, id).toBeTruthy();
    }
    for (const [id, output] of Object.entries(yml.outputs)) {
      expect(id).toMatch(/^[_a-zA-Z][a-zA-Z0-9_-]*$/);
      expect(output.description, id).toBeTruthy();
    }
  });

  it('agrees with the code: the same inputs (defaults, descriptions) and outputs', async () => {
    const yml = await readActionYml();
    expect(Object.keys(yml.inputs)).toEqual(Object.keys(INPUTS));
    for (const [name, input] of Object.entries(INPUTS)) {
      expect(yml.inputs[name]!.description, name).toBe(input.description);
      expect(yml.inputs[name]!.default, name).toBe(input.default);
    }
    // Written out in inputs.ts so start-up does not load the core for it.
    expect(INPUTS['base-url'].default).toBe(DEFAULT_BASE_URL);
    expect(Object.keys(yml.outputs)).toEqual(Object.keys(OUTPUTS));
    for (const [name, description] of Object.entries(OUTPUTS))
      expect(yml.outputs[name]!.description, name).toBe(description);
  });

  it('every input is read by the code, and the code reads no undeclared input or sets an undeclared output', async () => {
    const read = new Set<string>();
    readInputs((name: InputName) => {
      read.add(name);
      return '';
    });
    expect([...read].sort()).toEqual(Object.keys(INPUTS).sort());

    const dir = path.join(repoRoot, 'action', 'src', 'action');
    const sources = await Promise.all(
      (await readdir(dir))
        .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
        .map((f) => readFile(path.join(dir, f), 'utf8')),
    );
    const code = sources.join('\n');
    for (const [, name] of code.matchAll(/getInput\('([^']+)'\)/g))
      expect(Object.keys(INPUTS), `getInput('${name}')`).toContain(name);
    const set = [...code.matchAll(/setOutput\('([^']+)'/g)].map((m) => m[1]);
    // The outputs both actions set from a manifest, through one function.
    if (code.includes('manifestOutputs(')) set.push(...sharedOutputs());
    expect([...new Set(set)].sort()).toEqual(Object.keys(OUTPUTS).sort());
  });
});

describe("the README's GitHub Action section", () => {
  it('lists every input with its default, and every output', async () => {
    const yml = await readActionYml();
    const inputs = await readmeTable('input');
    expect(inputs.map((r) => unquote(r[0]!))).toEqual(Object.keys(yml.inputs));
    for (const row of inputs) {
      const name = unquote(row[0]!);
      expect(unquote(row[1]!), `default of ${name}`).toBe(yml.inputs[name]!.default ?? '');
      expect(row[2], `description of ${name}`).toBeTruthy();
    }
    const outputs = await readmeTable('output');
    expect(outputs.map((r) => unquote(r[0]!))).toEqual(Object.keys(yml.outputs));
  });
});

/** The names `manifestOutputs` sets, for any manifest. */
function sharedOutputs(): string[] {
  const manifest = summarize([], [], { dryRun: false, now: new Date(0) });
  return Object.keys(manifestOutputs(manifest, 'out/manifest.json', 'out', undefined));
}
