import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { WAN_PARAMS } from '@scenario-video/core';
import { PROMPT_FILE_SCHEMA_PATH, promptFileJsonSchema } from './json-schema.js';
import { loadPromptFiles } from './load.js';

const actionDir = fileURLToPath(new URL('../../', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('prompt-file JSON Schema', () => {
  it('is committed exactly as the zod schema generates it', async () => {
    const committed = JSON.parse(await readFile(`${actionDir}${PROMPT_FILE_SCHEMA_PATH}`, 'utf8'));
    // If this fails: pnpm --filter @scenario-video/action schema
    expect(committed).toEqual(promptFileJsonSchema());
  });

  it('carries the Wan 2.2 ranges of the core, not copies', () => {
    const schema = promptFileJsonSchema() as { anyOf: Array<{ properties: Record<string, Record<string, unknown>> }> };
    const single = schema.anyOf[0]!.properties;
    expect(single.numFrames).toMatchObject({
      type: 'integer',
      minimum: WAN_PARAMS.numFrames.min,
      maximum: WAN_PARAMS.numFrames.max,
    });
    expect(single.sampleShift).toMatchObject({ type: 'number', minimum: 1, maximum: 20 });
    expect(single.resolution).toMatchObject({ enum: [...WAN_PARAMS.resolution.values] });
    expect(single.image?.description).toMatch(/relative to this prompt file/);
  });
});

describe('examples/prompts', () => {
  const files = ['fractal-dive.yml', 'patterns.yml', 'sunrise.md', 'weave.json'].map((f) => `examples/prompts/${f}`);

  it('are valid, and reference the schema', async () => {
    const result = await loadPromptFiles(files, { root: repoRoot });
    expect(result.issues.map((i) => i.format())).toEqual([]);
    expect(result.videos.map((v) => v.name)).toEqual([
      'fractal-dive',
      'patterns-1',
      'patterns-2',
      'dawn-loop',
      'sunrise',
      'weave',
    ]);
    expect(result.videos.find((v) => v.name === 'fractal-dive')?.lastFrameImage).toMatchObject({ kind: 'file' });
    for (const file of files) {
      expect(await readFile(`${repoRoot}${file}`, 'utf8')).toContain('action/schema/prompt-file.schema.json');
    }
  });
});
