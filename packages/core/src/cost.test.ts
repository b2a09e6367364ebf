import { afterEach, describe, expect, it } from 'vitest';
import { FRAME_PNG, NO_HAZARDS, startHarness, type Harness } from './testing/fake.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('estimateCost (dry run)', () => {
  it('puts dryRun in the query, takes HTTP 269 as success, creates no job and pays nothing', async () => {
    h = await startHarness();
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' });
    const quote = await h.client.estimateCost({ params: { prompt: 'how much?', image: assetId, numFrames: 100 } });
    expect(quote.creativeUnitsCost).toBeGreaterThan(0);
    const state = h.fake.state();
    expect(state.requests.dryRun).toBe(1);
    expect(state.requests.generate).toBe(0);
    expect(state.jobIds).toEqual([]);
    expect(state.submissions).toMatchObject([{ dryRun: true, status: 269 }]);
    expect(state.submissions[0]!.input).not.toHaveProperty('dryRun');
    expect(state.hazards).toEqual(NO_HAZARDS);
  });

  it('quotes more for more frames and steps (costImpact), and is retried when the server hiccups', async () => {
    h = await startHarness();
    const { assetId } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' });
    const small = await h.client.estimateCost({ params: { prompt: 'p', image: assetId, resolution: '480p' } });
    h.fake.setOptions({ faults: [{ route: 'dryRun', kind: 'http-5xx', times: 1 }] });
    const large = await h.client.estimateCost({
      params: { prompt: 'p', image: assetId, resolution: '720p', numFrames: 100, sampleSteps: 50 },
    });
    expect(large.creativeUnitsCost).toBeGreaterThanOrEqual(small.creativeUnitsCost);
    expect(h.fake.state().jobIds).toEqual([]);
  });

  it('validates Wan parameters before asking', async () => {
    h = await startHarness();
    await expect(h.client.estimateCost({ params: { prompt: '', image: 'asset_1' } })).rejects.toMatchObject({
      code: 'invalid_input',
      field: 'prompt',
    });
    expect(h.fake.state().submissions).toHaveLength(0);
  });
});
