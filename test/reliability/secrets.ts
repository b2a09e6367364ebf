// The credentials the reliability suite uses everywhere, and the sweep that looks for them in what
// the suite produced. No vitest import here: the global teardown uses it too.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { inspect } from 'node:util';

// ---- credentials: distinctive values, so that any trace of them anywhere is found ----

export const API_KEY = 'rel-KEY-7f3a9c2e41d0b86a';
export const API_SECRET = 'rel-SECRET-5c1e9b07d3a24f68e2';
export const BASIC = Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64');
/** A wrong secret some runs use on purpose: refused (401), and never shown either. */
export const WRONG_SECRET = 'rel-WRONG-0b5e8d13c7f2a946';
/** What must never appear in anything the suite produced. */
export const NEEDLES: ReadonlyArray<{ name: string; value: string }> = [
  { name: 'api key', value: API_KEY },
  { name: 'api secret', value: API_SECRET },
  { name: 'base64(key:secret)', value: BASIC },
  { name: 'wrong secret', value: WRONG_SECRET },
  { name: 'base64(key:wrong secret)', value: Buffer.from(`${API_KEY}:${WRONG_SECRET}`).toString('base64') },
];
export const CREDENTIALS = [{ apiKey: API_KEY, apiSecret: API_SECRET, teamId: 'team_reliability' }];

/** Every way an error may be shown or logged: message, String(), stack, JSON, inspect (causes included). */
export function errorTexts(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let e: unknown = error;
  for (let depth = 0; depth < 8 && e !== undefined && e !== null && !seen.has(e); depth++) {
    seen.add(e);
    parts.push(String(e));
    if (e instanceof Error) parts.push(e.stack ?? '');
    try {
      parts.push(JSON.stringify(e) ?? '');
    } catch (j) {
      parts.push(`(not JSON: ${String(j)})`);
    }
    parts.push(inspect(e, { depth: 6, showHidden: true }));
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

export interface Hit {
  file: string;
  needle: string;
}

/** Every needle's occurrences in some bytes. */
export function hitsIn(bytes: Uint8Array, file: string): Hit[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return NEEDLES.filter((n) => buf.includes(n.value)).map((n) => ({ file, needle: n.name }));
}

/** Read every file under `dir` (links are not followed) and look for the credentials. */
export function sweep(dir: string): { files: number; bytes: number; hits: Hit[] } {
  let files = 0;
  let bytes = 0;
  const hits: Hit[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        const data = readFileSync(p);
        files++;
        bytes += data.length;
        hits.push(...hitsIn(data, path.relative(dir, p)));
      }
    }
  };
  walk(dir);
  return { files, bytes, hits };
}
