import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, call, startTestFake, type TestFake } from './testing/helpers.js';

let t: TestFake;
beforeAll(async () => {
  t = await startTestFake({ credentials: [{ apiKey: 'k1', apiSecret: 's:with:colons', teamId: 'team_1' }] });
});
afterAll(() => t.close());

describe('Basic auth on /v1/*', () => {
  it('accepts the configured key and secret (the secret may contain colons)', async () => {
    expect((await call(t, 'GET', '/jobs', { auth: basic('k1', 's:with:colons') })).status).toBe(200);
  });

  it('answers 401 {reason, trace_id} otherwise, counting each refusal', async () => {
    t.fake.reset();
    const headers = [false, basic('k1', 'wrong'), basic('nope', 's:with:colons'), 'Bearer abc', 'Basic %%%'];
    for (const auth of headers) {
      const res = await call(t, 'GET', '/jobs', { auth });
      expect(res.status).toBe(401);
      expect(res.json).toEqual({ reason: 'Unauthorized', trace_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    }
    const s = t.fake.state();
    expect(s.unauthorized).toBe(headers.length);
    expect(s.requests.listJobs).toBe(headers.length);
    expect(s.submissions).toEqual([]);
  });

  it('unknown routes answer 404 with a trace id', async () => {
    const res = await call(t, 'GET', '/nothing-here');
    expect(res.status).toBe(404);
    expect(typeof res.json.trace_id).toBe('string');
  });
});
