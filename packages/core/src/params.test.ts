import { describe, expect, it } from 'vitest';
import { WAN_PARAMS, WAN_TUNING_FIELDS, wanCrossFieldIssue, wanParamsSchema } from './params.js';

describe('Wan 2.2 parameters', () => {
  it('accepts a minimal render and leaves defaults to the API', () => {
    const parsed = wanParamsSchema.parse({ prompt: 'a cat surfing', image: 'asset_1' });
    expect(parsed).toEqual({ prompt: 'a cat surfing', image: 'asset_1' });
  });

  it.each([
    ['numFrames', 80],
    ['numFrames', 101],
    ['numFrames', 81.5],
    ['framesPerSecond', 4],
    ['framesPerSecond', 25],
    ['sampleSteps', 0],
    ['sampleSteps', 51],
    ['sampleShift', 0.5],
    ['sampleShift', 20.5],
    ['resolution', '1080p'],
    ['seed', 1.5],
  ])('rejects %s = %s and names the field', (field, value) => {
    const result = wanParamsSchema.safeParse({ prompt: 'p', image: 'asset_1', [field]: value });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual([field]);
  });

  it('accepts the documented range ends', () => {
    for (const [field, spec] of Object.entries(WAN_PARAMS)) {
      if (!('min' in spec)) continue;
      for (const v of [spec.min, spec.max, spec.default]) {
        expect(wanParamsSchema.safeParse({ prompt: 'p', image: 'asset_1', [field]: v }).success).toBe(true);
      }
    }
  });

  it('rejects an empty prompt and unknown fields', () => {
    expect(wanParamsSchema.safeParse({ prompt: '  ', image: 'asset_1' }).success).toBe(false);
    expect(wanParamsSchema.safeParse({ prompt: 'p', image: 'asset_1', frames: 81 }).success).toBe(false);
  });

  it('lists the tunable fields once: the table, then seed', () => {
    expect(WAN_TUNING_FIELDS).toEqual([...Object.keys(WAN_PARAMS), 'seed']);
  });

  it('has one cross-field rule: lastFrameImage only together with image', () => {
    expect(wanCrossFieldIssue({ lastFrameImage: 'asset_2' })).toEqual({
      field: 'lastFrameImage',
      message: 'only works together with image',
    });
    expect(wanCrossFieldIssue({ image: 'asset_1', lastFrameImage: 'asset_2' })).toBeUndefined();
    expect(wanCrossFieldIssue({ image: 'asset_1' })).toBeUndefined();
    expect(wanCrossFieldIssue({})).toBeUndefined();
  });
});
