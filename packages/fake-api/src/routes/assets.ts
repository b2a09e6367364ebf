/** `POST /v1/assets` (small images as base64 or data URL) and `GET /v1/assets/{id}`. */
import type { ApiCtx, App } from '../app.js';
import { isObject } from '../app.js';
import { errorReply, type Reply } from '../http.js';
import { detectImage } from '../images.js';
import { BASE_CLIP, composeFakeVideo, bytesFile, type VirtualFile } from '../mp4.js';
import { BASE_CLIP_PROPS } from '../base-clip.js';
import type { AssetRecord } from '../state.js';
import { clipForJob, type FakeClip } from '../fake-clip.js';

/** The docs: "small images (< 6MB)" go through `/assets`; bigger ones through `/uploads`. */
export const MAX_ASSET_IMAGE_BYTES = 6 * 1024 * 1024;

/** The documented (and misleading) answer for a missing, non-image or too-large `image`. */
const NO_IMAGE = "Either 'image' or 'canvas' must be provided";

/** The clip a generated video starts with: made from its job's request (first frame, size, length). */
function generatedClip(app: App, asset: AssetRecord): FakeClip | undefined {
  const job = asset.jobId ? app.store.jobs.get(asset.jobId) : undefined;
  if (!job) return undefined;
  const imageOf = (field: string) => {
    const id = job.input[field];
    const image = typeof id === 'string' ? app.store.assets.get(id) : undefined;
    return image?.kind === 'image' ? image : undefined;
  };
  return clipForJob(job.input, imageOf('image'), imageOf('lastFrameImage'));
}

/** The bytes a CDN download of this asset serves: stored, or composed for a generated video. */
export function assetFile(app: App, asset: AssetRecord): VirtualFile {
  if (asset.data) return bytesFile(asset.data);
  const job = asset.jobId ? app.store.jobs.get(asset.jobId) : undefined;
  const clip = generatedClip(app, asset);
  if (!job || !clip) return bytesFile(BASE_CLIP);
  return composeFakeVideo({ jobId: job.jobId, assetId: asset.id, input: job.input }, job.videoBytes, clip.bytes);
}

/** A freshly signed URL on every call, like the real API; `expired` backdates it (fault). */
export function signedAssetUrl(app: App, asset: AssetRecord, now: number, expired = false): string {
  const expiresAt = expired ? now - 1000 : now + app.opts.urlExpiryMs;
  return app.signer.signCdn(app.cdnOrigin, `/assets/${asset.id}`, expiresAt);
}

export function assetJson(app: App, asset: AssetRecord, now: number, expired = false): Record<string, unknown> {
  const size = assetFile(app, asset).size;
  const created = new Date(asset.availableAt).toISOString();
  const isVideo = asset.source === 'generated';
  const props = isVideo ? (generatedClip(app, asset)?.props ?? BASE_CLIP_PROPS) : undefined;
  const video = props
    ? {
        ...props,
        size,
        bitrate: Math.round((size * 8) / props.duration),
      }
    : undefined;
  const job = asset.jobId ? app.store.jobs.get(asset.jobId) : undefined;
  return {
    id: asset.id,
    url: signedAssetUrl(app, asset, now, expired),
    mimeType: asset.mimeType,
    kind: asset.kind,
    source: asset.source,
    status: 'success',
    privacy: 'private',
    tags: [],
    collectionIds: asset.collectionIds ?? [],
    ownerId: asset.teamId,
    authorId: asset.authorId,
    createdAt: created,
    updatedAt: created,
    ...(asset.parentId ? { parentId: asset.parentId } : {}),
    ...(asset.hide !== undefined ? { hide: asset.hide } : {}),
    metadata: isVideo
      ? {
          type: 'img2video',
          kind: 'video',
          jobId: asset.jobId,
          modelId: job?.modelId,
          ...(job ? { input: job.input } : {}),
        }
      : {
          type: 'uploaded',
          kind: asset.kind,
          name: asset.name,
          ...(asset.width !== undefined ? { width: asset.width, height: asset.height } : {}),
          size,
        },
    properties: video ?? {
      size,
      ...(asset.width !== undefined ? { width: asset.width, height: asset.height } : {}),
    },
  };
}

/** `image` as raw base64 (the docs' example) or a `data:<mime>;base64,` URL (Scenario's own clients). */
function decodeImageField(image: string): Buffer | undefined {
  const dataUrl = /^data:([^;,]*)((?:;[^;,]*)*),/i.exec(image);
  let b64 = image;
  if (dataUrl) {
    if (!/;base64/i.test(dataUrl[2] ?? '')) return undefined;
    b64 = image.slice(dataUrl[0].length);
  }
  b64 = b64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(b64)) return undefined;
  return Buffer.from(b64, 'base64');
}

export function createAsset(ctx: ApiCtx): Reply {
  const { app, json, traceId, now } = ctx;
  if (!isObject(json)) return errorReply(400, 'Request body must be a JSON object', traceId);
  if (json.canvas !== undefined && json.image === undefined) {
    return errorReply(400, 'canvas assets are not supported by the fake; send image', traceId);
  }
  if (typeof json.image !== 'string' || json.image === '') return errorReply(400, NO_IMAGE, traceId);
  if (typeof json.name !== 'string' || json.name.trim() === '') return errorReply(400, "'name' is required", traceId);
  const bytes = decodeImageField(json.image);
  if (!bytes || bytes.length === 0) return errorReply(400, NO_IMAGE, traceId);
  if (bytes.length >= MAX_ASSET_IMAGE_BYTES) return errorReply(400, NO_IMAGE, traceId);
  const info = detectImage(bytes);
  if (!info) return errorReply(400, 'Unhandled image format', traceId);
  const asset: AssetRecord = {
    id: app.ids.make('asset'),
    teamId: ctx.teamId,
    authorId: ctx.authorId,
    kind: 'image',
    mimeType: info.mimeType,
    source: 'uploaded',
    availableAt: now,
    name: json.name,
    width: info.width,
    height: info.height,
    data: bytes,
    ...(typeof json.hide === 'boolean' ? { hide: json.hide } : {}),
    ...(typeof json.parentId === 'string' ? { parentId: json.parentId } : {}),
    ...(Array.isArray(json.collectionIds) ? { collectionIds: json.collectionIds.map(String) } : {}),
  };
  app.store.assets.set(asset.id, asset);
  return { status: 200, body: { asset: assetJson(app, asset, now) } };
}

export function getAsset(ctx: ApiCtx): Reply {
  const { app, traceId, now } = ctx;
  const asset = app.store.teamAsset(ctx.teamId, ctx.params.id ?? '', now);
  if (!asset) return errorReply(404, 'Asset not found', traceId);
  return { status: 200, body: { asset: assetJson(app, asset, now, ctx.fault?.kind === 'expired-url') } };
}
