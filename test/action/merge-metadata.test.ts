// merge/action.yml (the sub-action `<owner>/scenario-video/merge@<version>`) must agree with the code's
// input and output tables, run the committed merge bundle, and be documented in docs/github-action.md.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestOutputs } from '../../action/src/action/report.js';
import { summarize } from '../../action/src/batch/manifest.js';
import { MERGE_INPUTS, MERGE_OUTPUTS, readMergeInputs, type MergeInputName } from '../../action/src/merge/inputs.js';
import { readActionYml, repoRoot } from './harness.js';

describe('merge/action.yml', () => {
  it('is a node24 action whose main is the committed merge bundle', async () => {
    const yml = await readActionYml('merge/action.yml');
    expect(yml.name).toBeTruthy();
    expect(yml.description).toBeTruthy();
    expect(yml.runs).toEqual({ using: 'node24', main: '../action/dist/merge.mjs' });
    expect(existsSync(path.join(repoRoot, 'merge', yml.runs.main))).toBe(true);
  });

  it('declares exactly the inputs and outputs of the code, with the same descriptions and defaults', async () => {
    const yml = await readActionYml('merge/action.yml');
    expect(Object.keys(yml.inputs)).toEqual(Object.keys(MERGE_INPUTS));
    for (const [name, input] of Object.entries(MERGE_INPUTS)) {
      expect(yml.inputs[name]!.description, name).toBe(input.description);
      expect(yml.inputs[name]!.default, name).toBe(input.default);
    }
    expect(Object.keys(yml.outputs)).toEqual(Object.keys(MERGE_OUTPUTS));
    for (const [name, description] of Object.entries(MERGE_OUTPUTS)) {
      expect(yml.outputs[name]!.description, name).toBe(description);
    }
  });

  it('every input is read, and the code sets exactly the declared outputs', async () => {
    const read = new Set<string>();
    readMergeInputs((name: MergeInputName) => {
      read.add(name);
      return '';
    });
    expect([...read].sort()).toEqual(Object.keys(MERGE_INPUTS).sort());
    const code = await readFile(path.join(repoRoot, 'action', 'src', 'merge', 'run.ts'), 'utf8');
    const set = [...code.matchAll(/setOutput\('([^']+)'/g)].map((m) => m[1]);
    // The outputs both actions set from a manifest, through one function.
    if (code.includes('manifestOutputs(')) set.push(...sharedOutputs());
    expect([...new Set(set)].sort()).toEqual(Object.keys(MERGE_OUTPUTS).sort());
  });

  it('is documented: every input and output in docs/github-action.md', async () => {
    const docs = await readFile(path.join(repoRoot, 'docs', 'github-action.md'), 'utf8');
    const section = docs.slice(docs.indexOf('\n### The merge action'));
    expect(section.length).toBeGreaterThan(100);
    for (const name of [...Object.keys(MERGE_INPUTS), ...Object.keys(MERGE_OUTPUTS)]) {
      expect(section, name).toContain(`| \`${name}\``);
    }
  });
});

/** The names `manifestOutputs` sets, for any manifest. */
function sharedOutputs(): string[] {
  const manifest = summarize([], [], { dryRun: false, now: new Date(0) });
  return Object.keys(manifestOutputs(manifest, 'out/manifest.json', 'out', undefined));
}
