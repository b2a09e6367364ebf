import { callApi, drain, transportError, type ApiContext, type Emit } from './api.js';
import { imageTypeFromName, sniffImageType, toBase64 } from './bytes.js';
import { ScenarioError, abortedError, invalidInput } from './errors.js';
import { apiErrorFromResponse, describeUrl } from './http-errors.js';
import { normalizeAsset } from './jobs.js';
import type { HttpResponse } from './ports.js';
import type { RetryPolicy } from './retry.js';
import { backoff, withRetries } from './retry-loop.js';
import { isRecord } from './json.js';

/** An image held in memory. */
export interface ImageBytes {
  bytes: Uint8Array;
  fileName: string;
  /** Detected from the bytes (then the file name) when absent. */
  mimeType?: string;
}

export interface UploadOptions {
  signal?: AbortSignal;
  emit?: Emit;
  /**
   * Largest image sent inline to `POST /assets` as base64 (default 3.5 MB: the documented cap is
   * "< 6 MB" or "4 MB" depending on the source, and base64 adds a third). Larger images take the
   * multipart `/uploads` path.
   */
  inlineMaxBytes?: number;
  /** How long to wait for a multipart upload to be imported (default 5 minutes). */
  importTimeoutMs?: number;
}

export const DEFAULT_INLINE_MAX_BYTES = 3_500_000;
/** S3's minimum for every part but the last. */
const UPLOAD_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

const invalid = (message: string, field = 'image'): ScenarioError => invalidInput(message, field);

/** The image's MIME type: given, else sniffed from the bytes, else from the file name. */
const imageMimeType = (image: ImageBytes): string | undefined =>
  image.mimeType ?? sniffImageType(image.bytes) ?? imageTypeFromName(image.fileName);

/**
 * Upload an image and return its asset id: small images inline (`POST /assets` with a base64 data
 * URL), larger ones with the presigned multipart flow (`POST /uploads`, `PUT` each part without
 * credentials, `complete`, then poll until `imported`). Asset creation costs nothing, so its
 * transient errors are retried.
 *
 * The same bytes object given again to the same client (`ctx.uploads`) is not sent again: its
 * asset id is reused, also while the first upload is still running (a batch that gives ten videos
 * one first frame uploads it once). Bytes are taken as read-only once given. A failed upload is
 * forgotten, and whoever was waiting for it uploads on its own.
 */
export const uploadImage = async (
  ctx: ApiContext,
  image: ImageBytes,
  options: UploadOptions = {},
): Promise<{ assetId: string }> => {
  if (!(image.bytes instanceof Uint8Array) || image.bytes.length === 0) throw invalid('The image is empty');
  if (typeof image.fileName !== 'string' || image.fileName.trim() === '') throw invalid('The image needs a file name');
  const uploads = ctx.uploads;
  const shared = uploads?.get(image.bytes);
  if (shared !== undefined) {
    try {
      return await untilAborted(shared, options.signal);
    } catch {
      if (options.signal?.aborted) throw abortedError(undefined, options.signal.reason);
      // The first upload failed (or its caller stopped it): this one goes on its own below.
    }
  }
  const upload = sendImage(ctx, image, options);
  if (uploads !== undefined && !uploads.has(image.bytes)) {
    uploads.set(image.bytes, upload);
    upload.catch(() => {
      if (uploads.get(image.bytes) === upload) uploads.delete(image.bytes);
    });
  }
  return upload;
};

/** `shared`, unless `signal` aborts first: a caller waiting for someone else's upload still stops when told. */
const untilAborted = <T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> => {
  if (signal === undefined) return shared;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
};

const sendImage = async (ctx: ApiContext, image: ImageBytes, options: UploadOptions): Promise<{ assetId: string }> => {
  const mimeType = imageMimeType(image);
  options.emit?.({ type: 'uploading', name: image.fileName, bytes: image.bytes.length });
  const inlineMax = options.inlineMaxBytes ?? DEFAULT_INLINE_MAX_BYTES;
  if (image.bytes.length <= inlineMax) {
    const base64 = toBase64(image.bytes);
    const res = await callApi(ctx, {
      method: 'POST',
      path: '/assets',
      json: { image: mimeType !== undefined ? `data:${mimeType};base64,${base64}` : base64, name: image.fileName },
      retry: true,
      timeoutMs: 120_000,
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      ...(options.emit !== undefined ? { emit: options.emit } : {}),
    });
    return { assetId: normalizeAsset(res.data).id };
  }
  return uploadMultipart(ctx, { ...image, ...(mimeType !== undefined ? { mimeType } : {}) }, options);
};

const PART_RETRY: RetryPolicy = {
  maxAttempts: 4,
  maxElapsedMs: 5 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 15_000,
  maxHintMs: 60_000,
};

/** One PUT of a part; resolves with the error to retry on, or undefined when stored. */
const tryPutPart = async (
  ctx: ApiContext,
  url: string,
  bytes: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<ScenarioError | undefined> => {
  let res: HttpResponse;
  try {
    res = await ctx.ports.http.request({
      method: 'PUT',
      url,
      body: bytes,
      auth: false,
      timeoutMs: 5 * 60_000,
      ...(signal !== undefined ? { signal } : {}),
    });
  } catch (e) {
    if (signal?.aborted) throw abortedError(undefined, signal.reason);
    return transportError(e, 'PUT', url);
  }
  if (res.status >= 200 && res.status < 300) {
    await drain(res);
    return undefined;
  }
  const body = await res.text().catch(() => '');
  return apiErrorFromResponse({ status: res.status, method: 'PUT', url, bodyText: body, headers: res.headers });
};

/** PUT one part to its presigned URL, never with credentials; transient failures retried. */
const putPart = async (ctx: ApiContext, url: string, bytes: Uint8Array, options: UploadOptions): Promise<void> => {
  const { signal, emit } = options;
  await withRetries({
    ports: ctx.ports,
    ...(signal !== undefined ? { signal } : {}),
    ...(emit !== undefined ? { emit } : {}),
    attempt: async () => {
      const error = await tryPutPart(ctx, url, bytes, signal);
      return error === undefined ? { done: undefined } : { retry: error };
    },
    next: backoff({ clock: ctx.ports.clock, policy: PART_RETRY, random: ctx.random }),
  });
};

const uploadMultipart = async (
  ctx: ApiContext,
  image: ImageBytes,
  options: UploadOptions,
): Promise<{ assetId: string }> => {
  const { signal, emit } = options;
  const common = { ...(signal !== undefined ? { signal } : {}), ...(emit !== undefined ? { emit } : {}) };
  const size = image.bytes.length;
  const partBytes = Math.max(UPLOAD_PART_BYTES, Math.ceil(size / MAX_PARTS));
  const parts = Math.ceil(size / partBytes);
  const created = await callApi(ctx, {
    method: 'POST',
    path: '/uploads',
    json: {
      fileName: image.fileName,
      contentType: image.mimeType ?? 'application/octet-stream',
      kind: 'image',
      parts,
      fileSize: size,
    },
    retry: true,
    ...common,
  });
  const upload = isRecord(created.data) && isRecord(created.data.upload) ? created.data.upload : undefined;
  const uploadId = typeof upload?.id === 'string' ? upload.id : undefined;
  const urls = Array.isArray(upload?.parts) ? upload.parts : undefined;
  if (uploadId === undefined || urls === undefined || urls.length !== parts) {
    throw new ScenarioError({
      code: 'server',
      message: 'Scenario API returned an unexpected upload object',
      retryable: true,
      details: { malformed: true },
    });
  }
  for (const part of urls) {
    if (!isRecord(part) || typeof part.url !== 'string' || typeof part.number !== 'number') {
      throw new ScenarioError({ code: 'server', message: 'Upload part without a URL', retryable: true });
    }
    const start = (part.number - 1) * partBytes;
    await putPart(ctx, part.url, image.bytes.subarray(start, Math.min(size, start + partBytes)), options);
  }
  await callApi(ctx, {
    method: 'POST',
    path: `/uploads/${encodeURIComponent(uploadId)}/action`,
    json: { action: 'complete' },
    retry: true,
    ...common,
  });
  // Poll until imported: quick at first (imports take a moment), bounded in time. Each GET has its
  // own retries (callApi); the poll itself waits on schedule, announcing nothing.
  const deadline = ctx.ports.clock.now() + (options.importTimeoutMs ?? 5 * 60_000);
  return withRetries<{ assetId: string }, undefined>({
    ports: ctx.ports,
    ...(signal !== undefined ? { signal } : {}),
    attempt: async () => {
      const res = await callApi(ctx, {
        method: 'GET',
        path: `/uploads/${encodeURIComponent(uploadId)}`,
        retry: true,
        deadline,
        ...common,
      });
      const u = isRecord(res.data) && isRecord(res.data.upload) ? res.data.upload : {};
      const entityId = typeof u.entityId === 'string' && u.entityId !== '' ? u.entityId : undefined;
      if (u.status === 'failed') {
        const why = typeof u.errorMessage === 'string' ? u.errorMessage : 'the upload failed';
        throw new ScenarioError({
          code: 'invalid_input',
          message: `Upload of ${image.fileName} failed: ${why}`,
          reason: why,
          retryable: false,
          field: 'image',
        });
      }
      if (entityId !== undefined && (u.status === 'imported' || u.status === 'complete' || u.status === undefined)) {
        return { done: { assetId: entityId } };
      }
      return { retry: undefined };
    },
    next: (_, attempt) => {
      const now = ctx.ports.clock.now();
      if (now >= deadline || attempt >= 10_000) return undefined;
      const poll = attempt - 1;
      return { delayMs: Math.min(Math.min(500 * 2 ** Math.min(poll, 3), 5000), deadline - now) };
    },
    giveUp: () =>
      new ScenarioError({
        code: 'timed_out',
        message: `Upload ${uploadId} of ${image.fileName} was not imported in time`,
        retryable: true,
        details: { uploadId },
      }),
  });
};

/**
 * Fetch an image from a URL (no credentials, bounded size), for inputs given as `{ url }`. The
 * bytes are then uploaded like any local image.
 */
export const fetchImage = async (
  ctx: ApiContext,
  url: string,
  options: { signal?: AbortSignal; maxBytes?: number; field?: string } = {},
): Promise<ImageBytes> => {
  const field = options.field ?? 'image';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(`Not a valid image URL: ${url}`, field);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalid(`Only http(s) image URLs are supported: ${describeUrl(url)}`, field);
  }
  const maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
  const { signal } = options;
  let res: HttpResponse;
  try {
    res = await ctx.ports.http.request({
      method: 'GET',
      url,
      auth: false,
      timeoutMs: 60_000,
      ...(signal !== undefined ? { signal } : {}),
    });
  } catch (e) {
    if (signal?.aborted) throw abortedError(undefined, signal.reason);
    throw transportError(e, 'GET', url);
  }
  if (res.status !== 200) {
    await drain(res);
    throw new ScenarioError({
      code: 'invalid_input',
      message: `Could not fetch the image ${describeUrl(url)}: HTTP ${res.status}`,
      status: res.status,
      retryable: res.status >= 500 || res.status === 429,
      field,
    });
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for await (const chunk of res.body) {
      total += chunk.length;
      if (total > maxBytes) throw invalid(`The image at ${describeUrl(url)} is larger than ${maxBytes} bytes`, field);
      chunks.push(chunk);
    }
  } catch (e) {
    if (signal?.aborted) throw abortedError(undefined, signal.reason);
    if (e instanceof ScenarioError) throw e;
    throw transportError(e, 'GET', url);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const name = decodeURIComponent(parsed.pathname.split('/').pop() ?? '') || 'image';
  const type = res.headers['content-type']?.split(';')[0]?.trim();
  return { bytes, fileName: name, ...(type?.startsWith('image/') ? { mimeType: type } : {}) };
};
