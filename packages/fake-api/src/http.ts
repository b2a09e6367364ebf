/** Small node:http helpers shared by both listeners. */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Error bodies look like the ones Scenario's clients observe: `{reason, trace_id}` (+ extras). */
export function errorReply(
  status: number,
  reason: string,
  traceId: string,
  extra: Record<string, unknown> = {},
): Reply {
  return { status, body: { reason, trace_id: traceId, ...extra } };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  sendRaw(res, status, JSON.stringify(body), { 'content-type': 'application/json; charset=utf-8', ...headers });
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string | number> = {},
): void {
  if (res.headersSent || res.destroyed) return;
  const buf = Buffer.from(text, 'utf8');
  res.writeHead(status, { ...headers, 'content-length': buf.length });
  res.end(buf);
}

export type BodyResult = { ok: true; body: Buffer } | { ok: false; tooLarge: true };

/**
 * Read the whole request body, up to `limit` bytes. Past the limit the rest is read and dropped
 * (so the client gets our 413 rather than a broken pipe), never kept.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) chunks.push(c);
    });
    req.on('end', () => resolve(tooLarge ? { ok: false, tooLarge: true } : { ok: true, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'));
    });
  });
}

/** Kill the connection without an answer: what a client sees as ECONNRESET / "socket hang up". */
export function destroyConnection(req: IncomingMessage, res: ServerResponse): void {
  res.destroy();
  req.socket.destroy();
}

export function xmlError(code: string, message: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`;
}
