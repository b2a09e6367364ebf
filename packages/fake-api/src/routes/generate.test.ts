import { WAN_PARAMS } from '@scenario-video/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../app.js';
import { WAN, basic, call, startTestFake, submit, uploadImage, type TestFake } from '../testing/helpers.js';

let t: TestFake;
let image: string;
const OTHER = { apiKey: 'other-key', apiSecret: 'other-secret', teamId: 'team_other' };

beforeAll(async () => {
  t = await startTestFake({ credentials: [DEFAULTS.credentials[0]!, OTHER] });
});
afterAll(() => t.close());
beforeEach(async () => {
  t.fake.reset();
  t.fake.setOptions({ teamConcurrencyLimit: 8 });
  image = await uploadImage(t);
});

describe('POST /v1/generate/custom/{modelId}: Wan 2.2 I2V validation', () => {
  const refused: Array<[string, Record<string, unknown>, string]> = [
    ['no prompt', { prompt: undefined }, 'prompt'],
    ['a blank prompt', { prompt: '   ' }, 'prompt'],
    ['a numeric prompt', { prompt: 5 }, 'prompt'],
    ['an image that is a URL', { image: 'https://example.com/a.png' }, 'image'],
    ['an image asset that does not exist', { image: 'asset_nope' }, 'image'],
    ['a lastFrameImage that does not exist', { lastFrameImage: 'asset_nope' }, 'lastFrameImage'],
    ['lastFrameImage without image', { image: undefined, lastFrameImage: 'IMAGE' }, 'lastFrameImage'],
    ['resolution 1080p', { resolution: '1080p' }, 'resolution'],
    ['numFrames as a string', { numFrames: '81' }, 'numFrames'],
    ['seed fractional', { seed: 1.5 }, 'seed'],
  ];
  for (const [name, spec] of Object.entries(WAN_PARAMS)) {
    if (!('min' in spec)) continue;
    const step = spec.integer ? 1 : 0.1;
    refused.push([`${name} below ${spec.min}`, { [name]: spec.min - step }, name]);
    refused.push([`${name} above ${spec.max}`, { [name]: spec.max + step }, name]);
    if (spec.integer) refused.push([`${name} fractional`, { [name]: spec.min + 0.5 }, name]);
  }
  for (const [label, patch, field] of refused) {
    it(`answers 400 naming ${field} for ${label}, and makes no job`, async () => {
      const input: Record<string, unknown> = { prompt: 'a harbour at dawn', image, ...patch };
      if (input.lastFrameImage === 'IMAGE') input.lastFrameImage = image;
      for (const k of Object.keys(input)) if (input[k] === undefined) delete input[k];
      for (const dryRun of [false, true]) {
        const res = await call(t, 'POST', `/generate/custom/${WAN}${dryRun ? '?dryRun=true' : ''}`, { body: input });
        expect(res.status, res.text).toBe(400);
        expect(res.json.reason).toContain(field);
        expect(typeof res.json.trace_id).toBe('string');
      }
      expect(t.fake.state().jobIds).toEqual([]);
    });
  }

  it('accepts every documented edge value', async () => {
    for (const [name, spec] of Object.entries(WAN_PARAMS)) {
      const values = 'min' in spec ? [spec.min, spec.max] : spec.values;
      for (const v of values) {
        const res = await submit(t, { prompt: 'edge', image, [name]: v }, { auth: true });
        expect(res.status, `${name}=${v}: ${res.text}`).toBe(200);
        t.clock.advance(60_000); // keep under the concurrency limit
      }
    }
  });

  it("accepts a prompt-only request, as Scenario's reference marks image optional (its own example has none)", async () => {
    const quote = await call(t, 'POST', `/generate/custom/${WAN}?dryRun=true`, {
      body: { prompt: 'a harbour at dawn' },
    });
    expect(quote.status, quote.text).toBe(269);
    const res = await submit(t, { prompt: 'a harbour at dawn' }, { auth: true });
    expect(res.status, res.text).toBe(200);
    expect(res.json.job.metadata.input).toEqual({ prompt: 'a harbour at dawn' });
  });

  it('refuses a body that is not a JSON object, and invalid JSON', async () => {
    expect((await call(t, 'POST', `/generate/custom/${WAN}`, { body: ['a'] })).status).toBe(400);
    const bad = await call(t, 'POST', `/generate/custom/${WAN}`, {
      raw: '{"prompt":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toMatch(/JSON/);
  });

  it('answers 404 for an unknown model', async () => {
    const res = await call(t, 'POST', '/generate/custom/model_nope', { body: { prompt: 'x', image } });
    expect(res.status).toBe(404);
    expect(res.json.reason).toContain('model_nope');
  });

  it('another team cannot use this team’s image', async () => {
    const res = await submit(t, { prompt: 'x', image }, { auth: basic(OTHER.apiKey, OTHER.apiSecret) });
    expect(res.status).toBe(400);
    expect(res.json.reason).toContain('image');
  });
});

describe('cost and dry run', () => {
  it('quotes 7.25 CU at the defaults, more for more frames and steps, less at 480p', async () => {
    const quote = async (extra: Record<string, unknown>) => {
      const res = await call(t, 'POST', `/generate/custom/${WAN}?dryRun=true`, {
        body: { prompt: 'x', image, ...extra },
      });
      expect(res.status).toBe(269);
      expect(res.json.creativeUnitsDiscount).toBe(0);
      return res.json.creativeUnitsCost as number;
    };
    expect(await quote({})).toBe(7.25);
    expect(await quote({ numFrames: 100 })).toBeGreaterThan(7.25);
    expect(await quote({ sampleSteps: 50 })).toBeGreaterThan(7.25);
    expect(await quote({ resolution: '480p' })).toBeLessThan(7.25);
    expect(t.fake.state().jobIds).toEqual([]);
    expect(t.fake.state().requests.dryRun).toBe(4);
  });

  it('a paid submit bills the same as its quote', async () => {
    const input = { prompt: 'x', image, numFrames: 97, sampleSteps: 12 };
    const quote = await call(t, 'POST', `/generate/custom/${WAN}?dryRun=true`, { body: input });
    const res = await submit(t, input);
    expect(res.json.creativeUnitsCost).toBe(quote.json.creativeUnitsCost);
    expect(res.json.job.billing.cuCost).toBe(quote.json.creativeUnitsCost);
    expect(res.json.job).toMatchObject({ jobType: 'custom', status: 'pending', metadata: { input } });
    expect(res.json.job.jobId).toMatch(/^job_[0-9A-Za-z]{24}$/);
  });

  it('?dryRun=false is a paid job; dryRun in the body is the hazard and still a paid job', async () => {
    expect(
      (await call(t, 'POST', `/generate/custom/${WAN}?dryRun=false`, { body: { prompt: 'x', image } })).status,
    ).toBe(200);
    const res = await submit(t, { prompt: 'x', image, dryRun: true });
    expect(res.status).toBe(200);
    const s = t.fake.state();
    expect(s.hazards.dryRunInBody).toBe(1);
    expect(s.jobIds).toHaveLength(2);
  });
});

describe('other known models (server-side validation only)', () => {
  it('Wan 2.2 T2V has its own ranges', async () => {
    const ok = await call(t, 'POST', '/generate/custom/model_wan-2-2-t2v', { body: { prompt: 'x', numFrames: 121 } });
    expect(ok.status, ok.text).toBe(200);
    const bad = await call(t, 'POST', '/generate/custom/model_wan-2-2-t2v', { body: { prompt: 'x', numFrames: 122 } });
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toContain('numFrames');
  });

  it('Seedance 2.0 Mini accepts any object, at a fractional cost', async () => {
    const res = await call(t, 'POST', '/generate/custom/model_bytedance-seedance-2-0-mini', { body: { whatever: 1 } });
    expect(res.status).toBe(200);
    expect(res.json.creativeUnitsCost).toBe(10.75);
  });

  it('GET /v1/models/{id} lists the inputs with WAN_PARAMS ranges; unknown → 404', async () => {
    const res = await call(t, 'GET', `/models/${WAN}`);
    const frames = res.json.model.inputs.find((i: { name: string }) => i.name === 'numFrames');
    expect(frames).toMatchObject({ min: WAN_PARAMS.numFrames.min, max: WAN_PARAMS.numFrames.max, default: 81 });
    expect((await call(t, 'GET', '/models/model_nope')).status).toBe(404);
  });
});

describe('per-team concurrency ceiling', () => {
  it('answers 429 with details.actionName/actionLimit past the limit, per team, and frees up as jobs end', async () => {
    t.fake.setOptions({ teamConcurrencyLimit: 2 });
    expect((await submit(t, { prompt: 'a', image })).status).toBe(200);
    expect((await submit(t, { prompt: 'b', image })).status).toBe(200);
    const refused = await submit(t, { prompt: 'c', image });
    expect(refused.status).toBe(429);
    expect(refused.json).toMatchObject({ details: { actionName: 'parallelInferences', actionLimit: 2 } });
    expect(typeof refused.json.trace_id).toBe('string');
    expect(t.fake.state().jobIds).toHaveLength(2);
    // A dry run is not a job: never limited.
    expect(
      (await call(t, 'POST', `/generate/custom/${WAN}?dryRun=true`, { body: { prompt: 'c', image } })).status,
    ).toBe(269);
    // Another team has its own budget.
    const otherAuth = basic(OTHER.apiKey, OTHER.apiSecret);
    const otherImage = await uploadImage(t, undefined, otherAuth);
    expect((await submit(t, { prompt: 'o', image: otherImage }, { auth: otherAuth })).status).toBe(200);
    t.clock.advance(DEFAULTS.jobDurationMs);
    expect((await submit(t, { prompt: 'c', image })).status).toBe(200);
  });

  it('jobs that never end hold their slot; 0 means no limit', async () => {
    t.fake.setOptions({ teamConcurrencyLimit: 1, outcomes: [{ outcome: 'never', times: 1 }] });
    expect((await submit(t, { prompt: 'a', image })).status).toBe(200);
    t.clock.advance(24 * 60 * 60 * 1000);
    expect((await submit(t, { prompt: 'b', image })).status).toBe(429);
    t.fake.setOptions({ teamConcurrencyLimit: 0 });
    for (let i = 0; i < 12; i++) expect((await submit(t, { prompt: `n${i}`, image })).status).toBe(200);
  });
});
