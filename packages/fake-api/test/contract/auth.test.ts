/**
 * Auth: HTTP Basic, `Authorization: Basic base64(API_KEY:API_SECRET)` (docs "Auth"); 401 on
 * missing or bad credentials with an error body (docs §5). Read-only: runs live too.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { api, errorText, fakeState } from './support.js';
import { LIVE, SKIP_LIVE, basicAuth, contractTarget, resetTarget, type ContractTarget } from './target.js';

let t: ContractTarget;
beforeAll(async () => {
  t = await contractTarget();
});
afterAll(async () => {
  await t?.close();
});
beforeEach(() => resetTarget(t));

describe('auth: HTTP Basic', () => {
  it('accepts the key and secret as Basic auth (GET /v1/jobs answers 200)', async () => {
    const res = await api(t, 'GET', '/jobs', { query: { pageSize: 1 } });
    expect(res.status).toBe(200);
  });

  const bad: Array<[string, () => string | false]> = [
    ['no Authorization header', () => false],
    ['a wrong secret', () => t.authHeader(undefined, 'contract-wrong-secret')],
    ['an unknown key', () => t.authHeader('contract-unknown-key', 'contract-wrong-secret')],
    ['a malformed Basic value', () => 'Basic !!!not-base64!!!'],
    ['Basic with no secret part', () => `Basic ${Buffer.from('contract-unknown-key').toString('base64')}`],
    ['an empty key and secret', () => basicAuth('', '')],
  ];
  for (const [label, header] of bad) {
    it(`answers 401 with an error message for ${label}`, async () => {
      const res = await api(t, 'GET', '/jobs', { auth: header(), query: { pageSize: 1 } });
      expect(res.status).toBe(401);
      // docs §5: parse defensively; reason / message / error / detail.
      expect(errorText(res.json), `401 body: ${res.text.slice(0, 200)}`).not.toBe('');
    });
  }

  it('answers 401 on a paid route before doing anything (POST /v1/generate/custom without auth)', async () => {
    const res = await api(t, 'POST', '/generate/custom/model_wan-2-2-i2v-a14b', {
      auth: false,
      query: { dryRun: 'true' },
      body: { prompt: 'contract auth check' },
    });
    expect(res.status).toBe(401);
  });

  it('assumed: error bodies carry a trace id (`trace_id` or `traceId`)', async () => {
    const res = await api(t, 'GET', '/jobs', { auth: false, query: { pageSize: 1 } });
    expect(res.status).toBe(401);
    const id = res.json?.trace_id ?? res.json?.traceId;
    expect(typeof id, `401 body: ${res.text.slice(0, 200)}`).toBe('string');
  });

  it.skipIf(LIVE)(`counts refused requests in /_fake/state (\`unauthorized\`) ${SKIP_LIVE.control}`, async () => {
    await api(t, 'GET', '/jobs', { auth: false });
    await api(t, 'GET', '/jobs', { auth: t.authHeader(undefined, 'wrong') });
    await api(t, 'GET', '/jobs');
    const state = await fakeState(t);
    expect(state.unauthorized).toBe(2);
    // Counted before auth.
    expect(state.requests.listJobs).toBe(3);
  });
});
