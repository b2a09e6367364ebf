/**
 * HTTP Basic auth on `/v1/*`, as the real API Gateway authorizer does: `base64(key:secret)`.
 * The credential decides the team, and the team scopes jobs, assets, uploads and concurrency.
 */
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { FakeCredential } from './options.js';

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The credential the request authenticates as, or undefined (→ 401). */
export function authenticate(req: IncomingMessage, credentials: readonly FakeCredential[]): FakeCredential | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const key = decoded.slice(0, colon);
  const secret = decoded.slice(colon + 1);
  return credentials.find((c) => same(c.apiKey, key) && same(c.apiSecret, secret));
}

/** A stable author id per key (`user_…`), as real jobs carry `authorId`. */
export function authorIdOf(cred: FakeCredential): string {
  return `user_${Buffer.from(cred.apiKey).toString('hex').slice(0, 24)}`;
}
