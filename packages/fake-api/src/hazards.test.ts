import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from './app.js';
import type { FaultRule } from './options.js';
import {
  basic,
  call,
  failure,
  renderVideo,
  startTestFake,
  submit,
  uploadImage,
  type TestFake,
} from './testing/helpers.js';

let t: TestFake;
let image: string;
const OTHER = { apiKey: 'other-key', apiSecret: 'other-secret', teamId: 'team_other' };
beforeAll(async () => {
  t = await startTestFake({ credentials: [DEFAULTS.credentials[0]!, OTHER] });
});
afterAll(() => t.close());
beforeEach(async () => {
  t.fake.reset();
  t.fake.setOptions({ teamConcurrencyLimit: 0 });
  image = await uploadImage(t);
});

const hazards = () => t.fake.state().hazards;
const faults = (...rules: FaultRule[]) => t.fake.setOptions({ faults: rules });

describe('authorizationToCdn', () => {
  it('counts Authorization sent to the CDN and to presigned part URLs (still served)', async () => {
    const { url } = await renderVideo(t, { prompt: 'x', image });
    const auth = basic('fake-key', 'fake-secret');
    expect((await call(t, 'GET', url, { auth: false })).status).toBe(200);
    expect(hazards().authorizationToCdn).toBe(0);
    expect((await call(t, 'GET', url, { auth })).status).toBe(200);
    const up = await call(t, 'POST', '/uploads', {
      body: { fileName: 'a.png', contentType: 'image/png', kind: 'image', fileSize: 3, parts: 1 },
    });
    await call(t, 'PUT', up.json.upload.parts[0].url, { raw: 'abc', auth });
    expect(hazards().authorizationToCdn).toBe(2);
  });
});

describe('dryRunInBody', () => {
  it('counts dryRun in the body (a paid job runs), not in the query', async () => {
    await call(t, 'POST', '/generate/custom/model_wan-2-2-i2v-a14b?dryRun=true', { body: { prompt: 'x', image } });
    expect(hazards().dryRunInBody).toBe(0);
    const res = await submit(t, { prompt: 'x', image, dryRun: false });
    expect(res.status).toBe(200);
    expect(hazards().dryRunInBody).toBe(1);
  });
});

describe('duplicateSubmitAfterAmbiguous', () => {
  const input = () => ({ prompt: 'the same harbour', image, seed: 5 });

  for (const kind of ['reset-after-body', 'reset-after-create', 'malformed-json'] as const) {
    it(`counts a resend of the same input after ${kind}`, async () => {
      faults({ route: 'generate', kind });
      await failure(submit(t, input()));
      expect(hazards().duplicateSubmitAfterAmbiguous).toBe(0);
      expect((await submit(t, input())).status).toBe(200);
      expect(hazards().duplicateSubmitAfterAmbiguous).toBe(1);
      // A dry run of it is free: not a hazard.
      await call(t, 'POST', '/generate/custom/model_wan-2-2-i2v-a14b?dryRun=true', { body: input() });
      expect(hazards().duplicateSubmitAfterAmbiguous).toBe(1);
    });
  }

  it('counts a resend after the client gave up on a slow answer (the job was made)', async () => {
    faults({ route: 'generate', kind: 'slow', delayMs: 1_500 });
    const err = await failure(submit(t, input(), { timeoutMs: 150 }));
    expect(err?.name).toBe('TimeoutError');
    // The abort reaches the server as a closed socket a moment later (loopback: well under 200 ms).
    await new Promise((r) => setTimeout(r, 200));
    expect(t.fake.state().jobIds).toHaveLength(1);
    expect((await submit(t, input())).status).toBe(200);
    expect(hazards().duplicateSubmitAfterAmbiguous).toBe(1);
  });

  it('does not count: a different input, a retry after a clean 5xx or 429, reset-before-body, another team', async () => {
    faults({ route: 'generate', kind: 'reset-after-create' });
    await failure(submit(t, input()));
    expect((await submit(t, { ...input(), seed: 6 })).status).toBe(200);
    const otherAuth = basic(OTHER.apiKey, OTHER.apiSecret);
    const otherImage = await uploadImage(t, undefined, otherAuth);
    faults({ route: 'generate', kind: 'reset-after-create' });
    await failure(submit(t, { ...input(), image: otherImage }, { auth: otherAuth }));
    // Same input, but from this team: that team's ambiguity is not ours.
    expect((await submit(t, { ...input(), image: otherImage })).status).toBe(400);
    for (const kind of ['http-5xx', 'rate-limit-retry-after', 'reset-before-body'] as const) {
      faults({ route: 'generate', kind });
      const again = { ...input(), prompt: kind };
      await failure(submit(t, again));
      expect((await submit(t, again)).status).toBe(200);
    }
    expect(hazards().duplicateSubmitAfterAmbiguous).toBe(0);
  });
});
