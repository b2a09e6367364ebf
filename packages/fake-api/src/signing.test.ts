import { describe, expect, it } from 'vitest';
import { UrlSigner } from './signing.js';

const ORIGIN = 'http://127.0.0.1:9';
const NOW = Date.UTC(2026, 10, 1);

function parts(url: string) {
  const u = new URL(url);
  return { path: u.pathname, q: u.searchParams };
}

describe('CloudFront-style CDN URLs', () => {
  const s = new UrlSigner();

  it('carries Policy (base64 JSON with the expiry epoch), Signature and Key-Pair-Id', () => {
    const { q } = parts(s.signCdn(ORIGIN, '/assets/asset_x', NOW + 60_000));
    const policy = JSON.parse(
      Buffer.from(q.get('Policy')!.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64').toString(),
    );
    expect(policy.Statement[0].Condition.DateLessThan['AWS:EpochTime']).toBe(Math.floor((NOW + 60_000) / 1000));
    expect(policy.Statement[0].Resource).toBe(`${ORIGIN}/assets/asset_x`);
    expect(q.get('Signature')).toBeTruthy();
    expect(q.get('Key-Pair-Id')).toBeTruthy();
  });

  it('verifies until the expiry, then answers expired', () => {
    const { path, q } = parts(s.signCdn(ORIGIN, '/assets/asset_x', NOW + 60_000));
    expect(s.verifyCdn(path, q, NOW)).toBe('ok');
    expect(s.verifyCdn(path, q, NOW + 59_000)).toBe('ok');
    expect(s.verifyCdn(path, q, NOW + 60_000)).toBe('expired');
  });

  it('refuses another path, an edited policy, signature or key pair, and a missing parameter', () => {
    const { path, q } = parts(s.signCdn(ORIGIN, '/assets/asset_x', NOW + 60_000));
    expect(s.verifyCdn('/assets/asset_y', q, NOW)).toBe('invalid');
    for (const k of ['Policy', 'Signature', 'Key-Pair-Id']) {
      const edited = new URLSearchParams(q);
      edited.set(k, `${q.get(k)}x`);
      expect(s.verifyCdn(path, edited, NOW), k).toBe('invalid');
      const missing = new URLSearchParams(q);
      missing.delete(k);
      expect(s.verifyCdn(path, missing, NOW), k).toBe('missing');
    }
    // Another server's signature is worthless here.
    const other = parts(new UrlSigner().signCdn(ORIGIN, '/assets/asset_x', NOW + 60_000));
    expect(s.verifyCdn(path, other.q, NOW)).toBe('invalid');
  });

  it('signs afresh every time', () => {
    expect(s.signCdn(ORIGIN, '/assets/a', NOW)).not.toBe(s.signCdn(ORIGIN, '/assets/a', NOW));
  });
});

describe('S3-style presigned part URLs', () => {
  const s = new UrlSigner();
  it('verify until X-Amz-Date + X-Amz-Expires; any edit breaks the signature', () => {
    const { path, q } = parts(s.signPart(ORIGIN, '/uploads/upload_x/parts/1', NOW, NOW + 3_600_000));
    expect(q.get('X-Amz-Expires')).toBe('3600');
    expect(s.verifyPart(path, q, NOW + 3_599_000)).toBe('ok');
    expect(s.verifyPart(path, q, NOW + 3_600_000)).toBe('expired');
    expect(s.verifyPart('/uploads/upload_x/parts/2', q, NOW)).toBe('invalid');
    const edited = new URLSearchParams(q);
    edited.set('X-Amz-Expires', '999999');
    expect(s.verifyPart(path, edited, NOW)).toBe('invalid');
  });
});
