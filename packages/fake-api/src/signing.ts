/**
 * Signed URLs for the CDN/storage origin.
 *
 * Asset URLs follow CloudFront's custom-policy form, like the real `cdn.cloud.scenario.com` URLs:
 * `?Policy=<base64 JSON with the expiry epoch>&Signature=<…>&Key-Pair-Id=<…>`, CloudFront's URL-safe
 * base64 (`+`→`-`, `=`→`_`, `/`→`~`). The signature is an HMAC (a server secret, not RSA: only the
 * fake has to check it) over the policy and the path, so changing any of the three breaks it.
 * The policy's `DateLessThan` epoch is the expiry, read on the fake's clock.
 *
 * Upload part URLs follow S3's presigned form (`X-Amz-Date`, `X-Amz-Expires`, `X-Amz-Signature`).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const KEY_PAIR_ID = 'K2FAKESCENARIO';

function cloudfrontBase64(s: Buffer | string): string {
  return Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/=/g, '_').replace(/\//g, '~');
}

function fromCloudfrontBase64(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '=').replace(/~/g, '/'), 'base64');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export type Verdict = 'ok' | 'missing' | 'invalid' | 'expired';

export class UrlSigner {
  /** Per process: URLs do not survive a restart of the fake, which real URLs would; fine for tests. */
  private readonly secret = randomBytes(32);

  private hmac(...parts: string[]): string {
    return cloudfrontBase64(createHmac('sha256', this.secret).update(parts.join('\n')).digest());
  }

  /** A CDN URL for `path` (e.g. `/assets/asset_…`) on `origin`, valid until `expiresAtMs`. */
  signCdn(origin: string, path: string, expiresAtMs: number): string {
    const epoch = Math.floor(expiresAtMs / 1000);
    // `Id` makes every signing distinct even within one second of a manual clock: each GET of an
    // asset hands out a fresh URL, so a client that caches one is caught by the expiry tests.
    const policy = JSON.stringify({
      Id: randomBytes(6).toString('hex'),
      Statement: [{ Resource: `${origin}${path}`, Condition: { DateLessThan: { 'AWS:EpochTime': epoch } } }],
    });
    const policyB64 = cloudfrontBase64(policy);
    const q = new URLSearchParams({
      Policy: policyB64,
      Signature: this.hmac(policyB64, path),
      'Key-Pair-Id': KEY_PAIR_ID,
    });
    return `${origin}${path}?${q.toString()}`;
  }

  verifyCdn(path: string, query: URLSearchParams, nowMs: number): Verdict {
    const policyB64 = query.get('Policy');
    const signature = query.get('Signature');
    const keyPairId = query.get('Key-Pair-Id');
    if (!policyB64 || !signature || !keyPairId) return 'missing';
    if (keyPairId !== KEY_PAIR_ID || !safeEqual(signature, this.hmac(policyB64, path))) return 'invalid';
    let epoch: unknown;
    let resource: unknown;
    try {
      const policy = JSON.parse(fromCloudfrontBase64(policyB64).toString('utf8'));
      epoch = policy?.Statement?.[0]?.Condition?.DateLessThan?.['AWS:EpochTime'];
      resource = policy?.Statement?.[0]?.Resource;
    } catch {
      return 'invalid';
    }
    if (typeof epoch !== 'number' || typeof resource !== 'string' || !resource.endsWith(path)) return 'invalid';
    return nowMs >= epoch * 1000 ? 'expired' : 'ok';
  }

  /** A presigned PUT URL for one upload part, valid until `expiresAtMs`. */
  signPart(origin: string, path: string, signedAtMs: number, expiresAtMs: number): string {
    const date = new Date(signedAtMs)
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '');
    const expires = String(Math.max(1, Math.round((expiresAtMs - signedAtMs) / 1000)));
    const q = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': 'FAKEACCESSKEY/fake/us-east-1/s3/aws4_request',
      'X-Amz-Date': date,
      'X-Amz-Expires': expires,
      'X-Amz-SignedHeaders': 'host',
    });
    q.set('X-Amz-Signature', this.hmac('PUT', path, date, expires));
    return `${origin}${path}?${q.toString()}`;
  }

  verifyPart(path: string, query: URLSearchParams, nowMs: number): Verdict {
    const date = query.get('X-Amz-Date');
    const expires = query.get('X-Amz-Expires');
    const signature = query.get('X-Amz-Signature');
    if (!date || !expires || !signature) return 'missing';
    if (!safeEqual(signature, this.hmac('PUT', path, date, expires))) return 'invalid';
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    if (!m) return 'invalid';
    const signedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
    return nowMs >= signedAt + Number(expires) * 1000 ? 'expired' : 'ok';
  }
}
