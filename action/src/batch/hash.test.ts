import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WAN_MODEL_ID } from '@scenario-video/core';
import type { LoadedVideo } from '../prompts/index.js';
import { canonicalJson, contentHash } from './hash.js';
import { discoverPromptFiles } from './discover.js';

let dir: string;
beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'sv-hash-')));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const video = (over: Partial<LoadedVideo> = {}): LoadedVideo => ({
  name: 'cat',
  file: 'prompts/cat.yml',
  index: 0,
  line: 1,
  nameAt: { field: 'name', line: 1, column: 1 },
  prompt: 'a cat',
  model: WAN_MODEL_ID,
  image: { kind: 'file', path: path.join(dir, 'cat.png'), relativePath: 'cat.png' },
  tuning: { numFrames: 81 },
  params: {},
  ...over,
});

describe('content hash', () => {
  it('changes with the prompt, a parameter, the model and the image bytes, not with the name', async () => {
    await writeFile(path.join(dir, 'cat.png'), 'one');
    const base = await contentHash(video());
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await contentHash(video({ name: 'other', file: 'x.yml', line: 9 }))).toBe(base);
    expect(await contentHash(video({ prompt: 'a dog' }))).not.toBe(base);
    expect(await contentHash(video({ tuning: { numFrames: 82 } }))).not.toBe(base);
    expect(await contentHash(video({ model: 'model_other' }))).not.toBe(base);
    expect(await contentHash(video({ params: { x: 1 } }))).not.toBe(base);
    await writeFile(path.join(dir, 'cat.png'), 'two');
    expect(await contentHash(video())).not.toBe(base);
  });

  it('does not depend on key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}',
    );
  });
});

describe('discovery', () => {
  it('matches the default glob, sorted, and reports patterns that match nothing', async () => {
    for (const f of ['prompts/b.yml', 'prompts/a.md', 'prompts/deep/c.json', 'prompts/x.txt', 'other/d.yaml']) {
      await mkdir(path.dirname(path.join(dir, f)), { recursive: true });
      await writeFile(path.join(dir, f), '');
    }
    expect(await discoverPromptFiles([], dir)).toEqual({
      files: ['prompts/a.md', 'prompts/b.yml', 'prompts/deep/c.json'],
      unmatched: [],
    });
    expect(
      await discoverPromptFiles(['./other/*.yaml', 'nope/**/*.yml', path.join(dir, 'prompts/b.yml')], dir),
    ).toEqual({
      files: ['other/d.yaml', 'prompts/b.yml'],
      unmatched: ['nope/**/*.yml'],
    });
    // The output folder is never searched (its manifest.json would match **/*.json).
    await mkdir(path.join(dir, 'prompts', 'out'), { recursive: true });
    await writeFile(path.join(dir, 'prompts', 'out', 'manifest.json'), '{}');
    expect((await discoverPromptFiles([], dir, { exclude: [path.join(dir, 'prompts', 'out')] })).files).toEqual([
      'prompts/a.md',
      'prompts/b.yml',
      'prompts/deep/c.json',
    ]);
  });
});
