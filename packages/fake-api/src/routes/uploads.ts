/**
 * The multipart upload flow: `POST /v1/uploads` hands out presigned part URLs (on the storage
 * origin), the client PUTs each part without Scenario's auth, `POST /v1/uploads/{id}/action`
 * `{action: "complete"}` starts the import, and `GET /v1/uploads/{id}` walks
 * pending → validating → validated → imported (with `entityId`, the asset id) or failed.
 */
import type { ApiCtx, App } from '../app.js';
import { isObject } from '../app.js';
import { errorReply, type Reply } from '../http.js';
import { detectImage, detectVideo } from '../images.js';
import type { UploadRecord } from '../state.js';

export const UPLOAD_KINDS = ['image', 'video', 'audio', '3d', 'asset', 'avatar', 'model'] as const;
/** The fake keeps uploads in memory; this bounds it (the real limit is 5 TB). */
export const FAKE_MAX_UPLOAD_BYTES = 1024 * 1024 * 1024;
const MAX_PARTS = 10_000;

export type UploadStatus = 'pending' | 'validating' | 'validated' | 'imported' | 'failed';

export function uploadStatus(u: UploadRecord, now: number): { status: UploadStatus; since: number } {
  if (u.completedAt === undefined) return { status: 'pending', since: u.createdAt };
  const importMs = u.importMs ?? 0;
  const half = u.completedAt + importMs / 2;
  const done = u.completedAt + importMs;
  if (now < half) return { status: 'validating', since: u.completedAt };
  if (u.importError) return { status: 'failed', since: half };
  if (now < done) return { status: 'validated', since: half };
  return { status: 'imported', since: done };
}

export function uploadJson(u: UploadRecord, now: number): Record<string, unknown> {
  const { status, since } = uploadStatus(u, now);
  return {
    id: u.id,
    jobId: u.jobId,
    status,
    kind: u.kind,
    source: 'multipart',
    fileName: u.fileName,
    fileSize: u.fileSize,
    contentType: u.contentType,
    parts: u.partUrls,
    ownerId: u.teamId,
    authorId: u.authorId,
    createdAt: new Date(u.createdAt).toISOString(),
    updatedAt: new Date(since).toISOString(),
    ...(status === 'imported' ? { entityId: u.assetId } : {}),
    ...(status === 'failed' ? { errorMessage: u.importError } : {}),
  };
}

/**
 * The upload seen as a job (`GET /v1/jobs/{upload.jobId}`, as the Blender prototype polled it):
 * pending until `complete`, in-progress while importing, then success with
 * `metadata.output.entityId` or failure with `metadata.error`.
 */
export function uploadJobJson(u: UploadRecord, now: number): Record<string, unknown> {
  const { status } = uploadStatus(u, now);
  const history: Array<{ status: string; at: number }> = [{ status: 'pending', at: u.createdAt }];
  if (u.completedAt !== undefined) history.push({ status: 'in-progress', at: u.completedAt });
  const end = u.completedAt !== undefined ? u.completedAt + (u.importMs ?? 0) : 0;
  if (status === 'imported') history.push({ status: 'success', at: end });
  if (status === 'failed') history.push({ status: 'failure', at: u.completedAt! + (u.importMs ?? 0) / 2 });
  const last = history[history.length - 1]!;
  const progress = status === 'imported' ? 1 : status === 'validated' ? 0.5 : 0;
  return {
    jobId: u.jobId,
    jobType: 'upload',
    status: last.status,
    progress,
    statusHistory: history.map((h) => ({ status: h.status, date: new Date(h.at).toISOString() })),
    createdAt: new Date(u.createdAt).toISOString(),
    updatedAt: new Date(last.at).toISOString(),
    authorId: u.authorId,
    ownerId: u.teamId,
    metadata: {
      input: { uploadId: u.id, fileName: u.fileName, contentType: u.contentType, kind: u.kind, fileSize: u.fileSize },
      assetIds: status === 'imported' ? [u.assetId] : [],
      output: status === 'imported' ? { entityId: u.assetId } : null,
      error: status === 'failed' ? u.importError : null,
      hint: null,
    },
    billing: { cuCost: 0, cuDiscount: 0 },
  };
}

const positiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

export function createUpload(ctx: ApiCtx): Reply {
  const { app, json, traceId, now } = ctx;
  if (!isObject(json)) return errorReply(400, 'Request body must be a JSON object', traceId);
  if (json.url !== undefined) {
    // The fake only talks to 127.0.0.1, so it cannot fetch the world; upload the bytes instead.
    return errorReply(400, 'url uploads are not supported by the fake; use a multipart upload', traceId);
  }
  if (typeof json.fileName !== 'string' || json.fileName.trim() === '') {
    return errorReply(400, 'fileName is required', traceId);
  }
  if (typeof json.contentType !== 'string' || json.contentType === '') {
    return errorReply(400, 'contentType is required', traceId);
  }
  if (typeof json.kind !== 'string' || !(UPLOAD_KINDS as readonly string[]).includes(json.kind)) {
    return errorReply(400, `kind must be one of ${UPLOAD_KINDS.join(', ')}`, traceId);
  }
  if (!positiveInt(json.fileSize)) return errorReply(400, 'fileSize must be a positive integer (bytes)', traceId);
  if (json.fileSize > FAKE_MAX_UPLOAD_BYTES) {
    return errorReply(400, `fileSize is over the fake's in-memory limit of ${FAKE_MAX_UPLOAD_BYTES} bytes`, traceId);
  }
  let partsCount = Math.ceil(json.fileSize / app.opts.uploadPartSize);
  if (json.parts !== undefined) {
    if (!positiveInt(json.parts) || json.parts > MAX_PARTS) {
      return errorReply(400, `parts must be an integer between 1 and ${MAX_PARTS}`, traceId);
    }
    partsCount = json.parts;
  }
  const id = app.ids.make('upload');
  // S3 presigned URLs carry a whole-second X-Amz-Date; sign from the same second so `expires` agrees.
  const signedAt = Math.floor(now / 1000) * 1000;
  const expiresAt = signedAt + app.opts.uploadUrlExpiryMs;
  const partUrls = Array.from({ length: partsCount }, (_, i) => ({
    number: i + 1,
    url: app.signer.signPart(app.cdnOrigin, `/uploads/${id}/parts/${i + 1}`, signedAt, expiresAt),
    expires: new Date(expiresAt).toISOString(),
  }));
  const opts = isObject(json.assetOptions) ? json.assetOptions : {};
  const u: UploadRecord = {
    id,
    jobId: app.ids.make('job'),
    seq: ++app.store.seq,
    teamId: ctx.teamId,
    authorId: ctx.authorId,
    fileName: json.fileName,
    contentType: json.contentType,
    kind: json.kind,
    fileSize: json.fileSize,
    partsCount,
    parts: new Map(),
    createdAt: now,
    partsExpireAt: expiresAt,
    partUrls,
    assetOptions: {
      ...(typeof opts.hide === 'boolean' ? { hide: opts.hide } : {}),
      ...(typeof opts.parentId === 'string' ? { parentId: opts.parentId } : {}),
      ...(Array.isArray(opts.collectionIds) ? { collectionIds: opts.collectionIds.map(String) } : {}),
    },
  };
  app.store.uploads.set(id, u);
  app.store.uploadJobs.set(u.jobId, u);
  return { status: 200, body: { upload: uploadJson(u, now) } };
}

export function getUpload(ctx: ApiCtx): Reply {
  const u = ctx.app.store.teamUpload(ctx.teamId, ctx.params.id ?? '');
  if (!u) return errorReply(404, 'Upload not found', ctx.traceId);
  return { status: 200, body: { upload: uploadJson(u, ctx.now) } };
}

/** Decide at `complete` how the import ends, so later reads are pure functions of the clock. */
function finishImport(app: App, u: UploadRecord, now: number): void {
  const parts = [...u.parts.entries()].sort((a, b) => a[0] - b[0]).map(([, b]) => b);
  const data = Buffer.concat(parts);
  u.parts.clear();
  u.completedAt = now;
  u.importMs = app.opts.uploadImportMs;
  const tooSmall = parts.slice(0, -1).findIndex((p) => p.length < app.opts.uploadPartSize);
  let mimeType: string | undefined = u.contentType;
  let dims: { width?: number; height?: number } = {};
  if (tooSmall >= 0) {
    u.importError = `Part ${tooSmall + 1} is smaller than the minimum part size (${app.opts.uploadPartSize} bytes)`;
  } else if (data.length !== u.fileSize) {
    u.importError = `Uploaded ${data.length} bytes but fileSize is ${u.fileSize}`;
  } else if (u.kind === 'image') {
    const info = detectImage(data);
    if (!info) u.importError = 'Unhandled image format';
    else {
      mimeType = info.mimeType;
      dims = { width: info.width, height: info.height };
    }
  } else if (u.kind === 'video') {
    mimeType = detectVideo(data);
    if (!mimeType) u.importError = 'Unhandled video format';
  }
  if (u.importError) return;
  const asset = {
    id: app.ids.make('asset'),
    teamId: u.teamId,
    authorId: u.authorId,
    kind: u.kind,
    mimeType: mimeType ?? u.contentType,
    source: 'uploaded' as const,
    availableAt: now + u.importMs,
    name: u.fileName,
    ...dims,
    data,
    ...u.assetOptions,
  };
  app.store.assets.set(asset.id, asset);
  u.assetId = asset.id;
}

export function uploadAction(ctx: ApiCtx): Reply {
  const { app, json, traceId, now } = ctx;
  const u = app.store.teamUpload(ctx.teamId, ctx.params.id ?? '');
  if (!u) return errorReply(404, 'Upload not found', traceId);
  const action = isObject(json) ? json.action : undefined;
  if (action !== 'complete') return errorReply(400, `Unsupported action: ${JSON.stringify(action ?? null)}`, traceId);
  // Idempotent: a client retrying `complete` after a lost answer must not break the upload.
  if (u.completedAt === undefined) {
    const missing: number[] = [];
    for (let n = 1; n <= u.partsCount; n++) if (!u.parts.has(n)) missing.push(n);
    if (missing.length > 0) {
      const list = missing.length > 10 ? `${missing.slice(0, 10).join(', ')}, …` : missing.join(', ');
      return errorReply(400, `Cannot complete the upload: missing part(s) ${list}`, traceId);
    }
    finishImport(app, u, now);
  }
  return { status: 200, body: { upload: uploadJson(u, now) } };
}
