/**
 * The CDN and storage origin: a different origin from the API on purpose, so a client that sends
 * Scenario's `Authorization` header to it is caught (the `authorizationToCdn` hazard).
 *
 * - `GET|HEAD /assets/{assetId}?Policy&Signature&Key-Pair-Id`: no auth; 403 (CloudFront-like XML)
 *   when the signed URL is expired or tampered with; single `Range` requests → 206, 416 when
 *   unsatisfiable; bodies are streamed from a virtual file (constant memory, any size).
 * - `PUT /uploads/{uploadId}/parts/{n}?X-Amz-…`: presigned part upload; 403 when expired/tampered.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CONCURRENCY_ACTION, faultActionLimit, type App } from './app.js';
import { destroyConnection, readBody, sendJson, sendRaw, xmlError } from './http.js';
import { traceId } from './ids.js';
import { readRange, type VirtualFile } from './mp4.js';
import type { FakeRoute, FaultRule } from './options.js';
import { assetFile } from './routes/assets.js';

/** The fake keeps parts in memory; S3 allows 5 GiB parts, we allow this much. */
export const MAX_PART_BYTES = 512 * 1024 * 1024;

const xml = (res: ServerResponse, status: number, code: string, message: string): void =>
  sendRaw(res, status, xmlError(code, message), { 'content-type': 'application/xml' });

type Range = { start: number; end: number } | 'unsatisfiable' | undefined;

/** One `bytes=` range (RFC 9110); several ranges are answered in full, which the RFC allows. */
export function parseRange(header: string | undefined, size: number): Range {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'unsatisfiable';
  return { start, end };
}

/**
 * Write chunks honouring backpressure; stops early (returns false) when the client goes away.
 * Resolves once the last chunk was handed to the socket, so a caller may then cut the
 * connection knowing exactly how many bytes went out.
 */
async function pump(res: ServerResponse, chunks: Iterable<Buffer>, limit = Number.POSITIVE_INFINITY): Promise<boolean> {
  let sent = 0;
  let flushed: Promise<void> = Promise.resolve();
  for (const chunk of chunks) {
    if (res.destroyed) return false;
    const piece = sent + chunk.length > limit ? chunk.subarray(0, limit - sent) : chunk;
    sent += piece.length;
    if (piece.length > 0) {
      flushed = new Promise<void>((resolve) => res.write(piece, () => resolve()));
      if (res.writableNeedDrain) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
      }
    }
    if (sent >= limit) break;
  }
  // A destroyed response never calls back: do not wait for it.
  await Promise.race([flushed, new Promise<void>((resolve) => res.once('close', resolve))]);
  return !res.destroyed;
}

/** Faults the storage side shares with the API: refusals, resets, slowness. True when handled. */
async function genericFault(app: App, fault: FaultRule | undefined, req: IncomingMessage, res: ServerResponse) {
  if (!fault) return false;
  const trace = traceId();
  switch (fault.kind) {
    case 'reset-before-body':
      destroyConnection(req, res);
      return true;
    case 'reset-after-body':
      await readBody(req, Number.POSITIVE_INFINITY).catch(() => undefined);
      destroyConnection(req, res);
      return true;
    case 'http-5xx':
      req.resume();
      xml(res, fault.status ?? 503, 'ServiceUnavailable', 'Service Unavailable');
      return true;
    case 'rate-limit-retry-after':
      req.resume();
      sendJson(
        res,
        429,
        { reason: 'Too Many Requests', trace_id: trace },
        {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
        },
      );
      return true;
    case 'rate-limit-remaining-seconds':
      req.resume();
      sendJson(res, 429, {
        reason: 'Too Many Requests',
        trace_id: trace,
        remainingSeconds: fault.remainingSeconds ?? 1,
      });
      return true;
    case 'rate-limit-action-limit':
      req.resume();
      sendJson(res, 429, {
        reason: 'Too Many Requests',
        trace_id: trace,
        details: { actionName: CONCURRENCY_ACTION, actionLimit: faultActionLimit(fault, app.opts) },
      });
      return true;
    case 'slow':
      await app.delay(fault.delayMs ?? 1000);
      return false;
    default:
      return false;
  }
}

/** Refuses what CloudFront would refuse; true when it answered. */
function denyAsset(app: App, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const verdict = app.signer.verifyCdn(url.pathname, url.searchParams, app.clock.now());
  if (verdict === 'ok') return false;
  req.resume();
  if (verdict === 'missing') xml(res, 403, 'MissingKey', 'Missing Key-Pair-Id query parameter or cookie value');
  else xml(res, 403, 'AccessDenied', 'Access denied');
  return true;
}

async function serveAsset(app: App, req: IncomingMessage, res: ServerResponse, id: string, fault?: FaultRule) {
  const asset = app.store.assets.get(id);
  if (!asset || asset.availableAt > app.clock.now())
    return xml(res, 404, 'NoSuchKey', 'The specified key does not exist.');
  if (await genericFault(app, fault, req, res)) return;
  const file: VirtualFile = assetFile(app, asset);
  const etag = `"${asset.id}-${file.size}"`;
  const ifRange = req.headers['if-range'];
  const range = ifRange && ifRange !== etag ? undefined : parseRange(req.headers.range, file.size);
  const common = {
    'content-type': asset.mimeType,
    'accept-ranges': 'bytes',
    etag,
    'cache-control': 'private, max-age=86400',
  };
  if (range === 'unsatisfiable') {
    return sendRaw(res, 416, '', { ...common, 'content-range': `bytes */${file.size}` });
  }
  const start = range ? range.start : 0;
  const end = range ? range.end + 1 : file.size;
  res.writeHead(range ? 206 : 200, {
    ...common,
    'content-length': end - start,
    ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${file.size}` } : {}),
  });
  if (req.method === 'HEAD') return void res.end();
  if (fault?.kind === 'truncate') {
    // The full length was announced; send part of it and cut the connection, like a dropped download.
    const keep = Math.floor((end - start) * (fault.truncateFraction ?? 0.5));
    await pump(res, readRange(file, start, end), keep);
    destroyConnection(req, res);
    return;
  }
  if (await pump(res, readRange(file, start, end))) res.end();
}

/** Refuses what S3 would refuse for a presigned URL; true when it answered. */
function denyPart(app: App, req: IncomingMessage, res: ServerResponse, url: URL): boolean {
  const verdict = app.signer.verifyPart(url.pathname, url.searchParams, app.clock.now());
  if (verdict === 'ok') return false;
  req.resume();
  if (verdict === 'expired') xml(res, 403, 'AccessDenied', 'Request has expired');
  else {
    xml(
      res,
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  return true;
}

async function putPart(app: App, req: IncomingMessage, res: ServerResponse, m: RegExpExecArray) {
  const upload = app.store.uploads.get(decodeURIComponent(m[1]!));
  const n = Number(m[2]);
  if (!upload || upload.completedAt !== undefined) {
    req.resume();
    return xml(res, 404, 'NoSuchUpload', 'The specified upload does not exist.');
  }
  const body = await readBody(req, MAX_PART_BYTES).catch(() => undefined);
  if (!body) return;
  if (!body.ok) return xml(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  upload.parts.set(n, body.body);
  const etag = `"${createHash('md5').update(body.body).digest('hex')}"`;
  sendRaw(res, 200, '', { etag });
}

const ASSET = /^\/(?:assets|assets-transform)\/[^/]+$/;
const PART = /^\/uploads\/([^/]+)\/parts\/(\d+)$/;

export function cdnHandler(app: App) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', app.cdnOrigin);
    const isAsset = (req.method === 'GET' || req.method === 'HEAD') && ASSET.test(url.pathname);
    const part = req.method === 'PUT' ? PART.exec(url.pathname) : null;
    const route: FakeRoute | undefined = isAsset ? 'cdn' : part ? 'putPart' : undefined;
    if (!route) {
      req.resume();
      return xml(res, 404, 'NoSuchKey', 'The specified key does not exist.');
    }
    app.store.requests[route]++;
    app.store.lastRequestAt[route] = app.clock.now();
    // Scenario's credentials must never travel to the CDN or to storage (another origin).
    if (req.headers.authorization !== undefined) app.store.hazards.authorizationToCdn++;
    // Signature checks come first, like auth on the API: a refused request meets no fault.
    if (isAsset ? denyAsset(app, req, res, url) : denyPart(app, req, res, url)) return;
    const id = decodeURIComponent(isAsset ? (url.pathname.split('/')[2] ?? '') : part![1]!);
    const fault = app.faults.pick(route, id);
    if (fault) app.store.faultsInjected.push({ at: app.clock.now(), route, kind: fault.kind });
    if (isAsset) return serveAsset(app, req, res, id, fault);
    if (await genericFault(app, fault, req, res)) return;
    await putPart(app, req, res, part!);
  };
}
