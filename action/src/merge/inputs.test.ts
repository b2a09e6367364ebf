import { describe, expect, it } from 'vitest';
import { readMergeInputs, type MergeInputName } from './inputs.js';

const read = (values: Partial<Record<MergeInputName, string>>) => readMergeInputs((name) => values[name] ?? '');

describe("the merge's inputs", () => {
  it("find the shards' artifacts by the names the render action gives them", () => {
    const { pattern, patternText, artifactName } = read({});
    expect(artifactName).toBe('scenario-videos');
    expect(patternText).toBe('scenario-videos-<i>-of-<n>');
    for (const name of ['scenario-videos-1-of-3', 'scenario-videos-12-of-40'])
      expect(pattern.test(name), name).toBe(true);
    for (const name of [
      'scenario-videos',
      'scenario-videos-1',
      'logs-1-of-3',
      'scenario-videos-1-of-3-old',
      'clip.mp4',
    ])
      expect(pattern.test(name), name).toBe(false);
    expect(read({ 'artifact-name': 'renders.v2' }).pattern.test('rendersXv2-1-of-2')).toBe(false);
  });

  it('take a pattern with * for artifacts the user named', () => {
    const { pattern } = read({ 'artifact-name': 'renders', pattern: 'renders-*' });
    expect(pattern.test('renders-1')).toBe(true);
    expect(pattern.test('renders-shard.2')).toBe(true);
    expect(pattern.test('other-1')).toBe(false);
    expect(read({ pattern: 'a.b-*' }).pattern.test('aXb-1')).toBe(false);
  });

  it('name a bad value', () => {
    expect(() => read({ shards: '0' })).toThrow('Input shards must be a whole number from 1 to 256 (got "0").');
    expect(() => read({ 'delete-merged': 'yes' })).toThrow('Input delete-merged must be true or false (got "yes").');
    expect(() => read({ 'artifact-name': 'a/b' })).toThrow(/^Input artifact-name may not contain/);
  });
});
