import { mkdir, mkdtemp, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveImageRef } from './images.js';
import { loadPromptFiles } from './load.js';

// A 1x1 PNG.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let sandbox: string;
let repo: string;
let outside: string;

beforeEach(async () => {
  sandbox = await realpath(await mkdtemp(path.join(tmpdir(), 'sv-prompts-')));
  repo = path.join(sandbox, 'repo');
  outside = path.join(sandbox, 'outside');
  await mkdir(path.join(repo, 'prompts', 'images'), { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(repo, 'prompts', 'images', 'cat.png'), PNG);
  await writeFile(path.join(outside, 'secret.png'), PNG);
});

afterEach(async () => {
  await rm(sandbox, { recursive: true, force: true });
});

const write = async (rel: string, text: string) => {
  await mkdir(path.dirname(path.join(repo, rel)), { recursive: true });
  await writeFile(path.join(repo, rel), text);
};
const promptFile = () => path.join(repo, 'prompts', 'cat.yml');
const resolve = (ref: string) => resolveImageRef(ref, { promptFile: promptFile(), root: repo });

describe('image references', () => {
  it('resolves a path relative to the prompt file', async () => {
    await expect(resolve('images/cat.png')).resolves.toEqual({
      kind: 'file',
      path: path.join(repo, 'prompts', 'images', 'cat.png'),
      relativePath: 'prompts/images/cat.png',
    });
    await expect(resolve('./images/../images/cat.png')).resolves.toMatchObject({ kind: 'file' });
  });

  it('keeps https URLs and asset ids', async () => {
    await expect(resolve('https://example.com/a.png')).resolves.toEqual({
      kind: 'url',
      url: 'https://example.com/a.png',
    });
    await expect(resolve('asset_AbC-12_x')).resolves.toEqual({ kind: 'asset', assetId: 'asset_AbC-12_x' });
    await expect(resolve('http://127.0.0.1:8080/a.png')).resolves.toMatchObject({ kind: 'url' });
  });

  it('refuses a path that leaves the repository through ..', async () => {
    await expect(resolve('../../outside/secret.png')).rejects.toThrow(/leaves the repository/);
    await expect(resolve('images/../../../outside/secret.png')).rejects.toThrow(/leaves the repository/);
  });

  it('refuses a symbolic link to a file outside the repository', async () => {
    await symlink(path.join(outside, 'secret.png'), path.join(repo, 'prompts', 'images', 'link.png'));
    await expect(resolve('images/link.png')).rejects.toThrow(/symbolic link that leaves the repository/);
  });

  it('refuses a path through a linked folder that points outside', async () => {
    await symlink(outside, path.join(repo, 'prompts', 'shared'));
    await expect(resolve('shared/secret.png')).rejects.toThrow(/symbolic link that leaves the repository/);
  });

  it('accepts a symbolic link that stays inside the repository', async () => {
    await symlink(path.join(repo, 'prompts', 'images', 'cat.png'), path.join(repo, 'prompts', 'alias.png'));
    await expect(resolve('alias.png')).resolves.toMatchObject({ relativePath: 'prompts/images/cat.png' });
  });

  it.each([
    ['/etc/passwd', /absolute path/],
    ['http://example.com/a.png', /use an https:\/\/ URL/],
    ['file:///etc/passwd', /"file:" URLs are not supported/],
    ['data:image/png;base64,AAAA', /"data:" URLs are not supported/],
    ['asset_', /not a valid asset id/],
    ['images/missing.png', /file not found/],
    ['images', /not a file/],
  ])('refuses %s', async (ref, message) => {
    await expect(resolve(ref)).rejects.toThrow(message);
  });

  it('refuses files that are not images', async () => {
    await write('prompts/notes.txt', 'hello');
    await expect(resolve('notes.txt')).rejects.toThrow(/not an image/);
  });

  it('refuses a file named like an image whose bytes are not one (before it is uploaded)', async () => {
    await write('prompts/images/notes.png', 'hello, I am text');
    await expect(resolve('images/notes.png')).rejects.toThrow(/"images\/notes.png" is not a PNG, JPEG/);
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    await writeFile(path.join(repo, 'prompts', 'images', 'photo.png'), jpeg);
    await expect(resolve('images/photo.png')).resolves.toMatchObject({ kind: 'file' });
  });
});

describe('loading prompt files', () => {
  it('reports a bad image with the line and field, and still loads the good files', async () => {
    await write('prompts/good.yml', 'prompt: a cat\nimage: images/cat.png\n');
    await write('prompts/escape.yml', 'prompt: a cat\nnumFrames: 81\nimage: ../../outside/secret.png\n');
    await write(
      'prompts/batch.yml',
      'defaults:\n  image: images/cat.png\nvideos:\n  - prompt: a\n  - prompt: b\n    lastFrameImage: nope.png\n',
    );
    const result = await loadPromptFiles(['prompts/good.yml', 'prompts/escape.yml', 'prompts/batch.yml'], {
      root: repo,
    });
    expect(result.videos.map((v) => v.name)).toEqual(['good']);
    expect(result.videos[0]!.image).toMatchObject({ kind: 'file', relativePath: 'prompts/images/cat.png' });
    expect(result.issues.map((i) => i.format())).toEqual([
      'prompts/batch.yml:6:21: videos[1].lastFrameImage: file not found: nope.png',
      'prompts/escape.yml:3:8: image: "../../outside/secret.png" leaves the repository; images must be inside repo',
    ]);
    expect(result.files).toEqual([
      { file: 'prompts/batch.yml', videos: 0, ok: false },
      { file: 'prompts/escape.yml', videos: 0, ok: false },
      { file: 'prompts/good.yml', videos: 1, ok: true },
    ]);
  });

  it('refuses a symlinked image in a file and names the field', async () => {
    await symlink(path.join(outside, 'secret.png'), path.join(repo, 'prompts', 'images', 'link.png'));
    await write('prompts/link.md', '---\nimage: images/cat.png\nlastFrameImage: images/link.png\n---\nA cat.\n');
    const result = await loadPromptFiles(['prompts/link.md'], { root: repo });
    expect(result.videos).toEqual([]);
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ file: 'prompts/link.md', line: 3, field: 'lastFrameImage' });
  });

  it('refuses a prompt file that is a link leaving the repository', async () => {
    await writeFile(path.join(outside, 'evil.yml'), 'prompt: a cat\nimage: secret.png\n');
    await symlink(path.join(outside, 'evil.yml'), path.join(repo, 'prompts', 'evil.yml'));
    const result = await loadPromptFiles(['prompts/evil.yml'], { root: repo });
    expect(result.videos).toEqual([]);
    expect(result.issues[0]).toMatchObject({ file: 'prompts/evil.yml', line: 1, field: '(file)' });
    expect(result.issues[0]!.message).toMatch(/symbolic link that leaves the repository/);
  });

  it('refuses output names used by two files; the first file keeps the name', async () => {
    await write('prompts/a/cat.yml', 'prompt: a cat\nimage: ../images/cat.png\n');
    await write('prompts/b/cat.md', '---\nimage: ../images/cat.png\n---\nA cat.\n');
    await write('prompts/c.yml', 'prompt: a cat\nimage: images/cat.png\nname: CAT\n');
    const result = await loadPromptFiles(['prompts/c.yml', 'prompts/b/cat.md', 'prompts/a/cat.yml'], { root: repo });
    expect(result.videos.map((v) => [v.file, v.name])).toEqual([['prompts/a/cat.yml', 'cat']]);
    expect(result.issues.map((i) => [i.file, i.line, i.field])).toEqual([
      ['prompts/b/cat.md', 2, 'name'],
      ['prompts/c.yml', 3, 'name'],
    ]);
    expect(result.issues[0]!.message).toMatch(/already used by prompts\/a\/cat.yml/);
  });

  it('refuses files outside the root and files of other types', async () => {
    await write('prompts/notes.txt', 'hi');
    const result = await loadPromptFiles(['../outside/x.yml', 'prompts/notes.txt'], { root: repo });
    expect(result.issues.map((i) => [i.file, i.field, i.message])).toEqual([
      ['../outside/x.yml', '(file)', 'the prompt file is outside the repository'],
      ['prompts/notes.txt', '(file)', 'not a prompt file (expected .yml, .yaml, .json or .md)'],
    ]);
  });
});
