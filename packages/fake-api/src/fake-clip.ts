/**
 * The video a fake job makes, following its request as Wan 2.2 would, scaled down so tests stay
 * fast: the first frame is the input image (or, prompt-only, a picture drawn from the prompt), the
 * frame has the image's aspect ratio at the requested resolution's area (720p: 1280 × 720 for 16:9),
 * divided by `CLIP_SCALE`, and the clip has `numFrames` frames at `framesPerSecond`, the camera
 * slowly zooming in; with a last frame, the second half is a shot of that picture. So `pnpm demo` shows a user their own picture moving, for the length they asked.
 *
 * Clips are deterministic (the same request gives the same bytes, so an asset's size never changes)
 * and kept in a small cache keyed by content.
 */
import { createHash } from 'node:crypto';
import { WAN_PARAMS } from '@scenario-video/core';
import { MAX_FRAMES, encodeClip, type MotionField } from './h264.js';
import { detectImage } from './images.js';
import { muxMp4 } from './mp4-mux.js';
import { decodeImage, drawPicture, resize, toYuv420, type Rgb } from './picture.js';

/** What ffprobe reports for a clip (and what the asset's `properties` say). */
export interface ClipProps {
  width: number;
  height: number;
  /** Seconds. */
  duration: number;
  frameRate: number;
  nbFrames: number;
  codecName: 'h264';
}

export interface FakeClip {
  bytes: Buffer;
  props: ClipProps;
}

/** The clip is the real size divided by this (720p 16:9: 160 × 90). */
export const CLIP_SCALE = 8;

/** Pixels of each resolution (Wan 2.2: 1280 × 720 and 832 × 480 for 16:9). */
const AREA: Readonly<Record<string, number>> = { '720p': 1280 * 720, '480p': 832 * 480 };

/** How far the camera has zoomed in by the last frame. */
const ZOOM = 0.15;

export interface ClipRequest {
  /** The first frame's bytes (any image format; PNG and JPEG are drawn, others only sized). */
  image?: Buffer;
  /**
   * The last frame's bytes: when readable, the second half of the clip is a shot of it (cut to at
   * the middle), so the video ends on that picture as Wan's first-and-last-frame videos do.
   */
  lastImage?: Buffer;
  /** Draws the picture when there is no readable image. */
  seed: string;
  input: Record<string, unknown>;
}

const intIn = (v: unknown, min: number, max: number, fallback: number): number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : fallback;

const even = (n: number): number => Math.max(16, 2 * Math.round(n / 2));

/** The clip's size for an image of `aspect` (width ÷ height) at `resolution`. */
export function clipSize(resolution: unknown, aspect: number): { width: number; height: number } {
  const area = AREA[typeof resolution === 'string' ? resolution : ''] ?? AREA[WAN_PARAMS.resolution.default]!;
  const a = Math.min(4, Math.max(1 / 4, Number.isFinite(aspect) && aspect > 0 ? aspect : 16 / 9));
  return {
    width: even(Math.sqrt(area * a) / CLIP_SCALE),
    height: even(Math.sqrt(area / a) / CLIP_SCALE),
  };
}

/** Frame `i` of `count`: every 8×8 block's vector toward the centre for a zoom of `1 + ZOOM · ease`. */
const zoomField = (i: number, count: number, width: number, height: number): MotionField => {
  const t = count > 1 ? i / (count - 1) : 0;
  const zoom = 1 + ZOOM * t * t * (3 - 2 * t);
  const k = 1 / zoom - 1;
  return (col, row) => [Math.round(4 * (col * 8 + 4 - width / 2) * k), Math.round(4 * (row * 8 + 4 - height / 2) * k)];
};

export function renderClip(request: ClipRequest): FakeClip {
  const { input } = request;
  const decoded: Rgb | undefined = request.image ? decodeImage(request.image) : undefined;
  const info = request.image && !decoded ? detectImage(request.image) : undefined;
  const aspect = decoded
    ? decoded.width / decoded.height
    : info?.width && info.height
      ? info.width / info.height
      : 16 / 9;
  const { width, height } = clipSize(input.resolution, aspect);
  const frames = intIn(input.numFrames, 1, MAX_FRAMES, WAN_PARAMS.numFrames.default);
  const framesPerSecond = intIn(input.framesPerSecond, 1, 120, WAN_PARAMS.framesPerSecond.default);
  const first = decoded ? resize(decoded, width, height) : drawPicture(request.seed, width, height);
  const last = request.lastImage && frames >= 2 ? decodeImage(request.lastImage) : undefined;
  const pictures = last ? [first, resize(last, width, height)] : [first];
  // Frames split between the shots (the first gets the odd one); each zooms in over its own length.
  const lengths = pictures.map((_, n) => Math.floor(frames / pictures.length) + (n < frames % pictures.length ? 1 : 0));
  const shots = pictures.map((picture, n) => ({
    picture: toYuv420(picture),
    motion: Array.from({ length: lengths[n]! - 1 }, (_, i) => zoomField(i + 1, lengths[n]!, width, height)),
  }));
  const clip = encodeClip(shots, { width, height, framesPerSecond });
  return {
    bytes: muxMp4(clip, { width, height, framesPerSecond }),
    props: {
      width,
      height,
      duration: frames / framesPerSecond,
      frameRate: framesPerSecond,
      nbFrames: frames,
      codecName: 'h264',
    },
  };
}

/** Recent clips by request (first frame's content, resolution, frames, rate): bounded, oldest out first. */
const cache = new Map<string, FakeClip>();
const CACHE_SIZE = 64;
/** The SHA-1 of each image asset's bytes, computed once per asset record. */
const digests = new WeakMap<object, string>();

const digestOf = (image: { data: Buffer }): string => {
  let digest = digests.get(image);
  if (digest === undefined) {
    digest = createHash('sha1').update(image.data).digest('hex');
    digests.set(image, digest);
  }
  return digest;
};

/**
 * The clip of a job: `image` and `lastImage` are the job's first- and last-frame asset records
 * (their `data` the uploaded bytes), `image` absent for a prompt-only request. Computed once per
 * frames and request; the cache is keyed by content, so many jobs of one image share one clip and
 * memory stays bounded however many jobs run.
 */
export function clipForJob(
  input: Record<string, unknown>,
  image: { data?: Buffer } | undefined,
  lastImage?: { data?: Buffer },
): FakeClip {
  const seed = image?.data ? `image:${digestOf(image as { data: Buffer })}` : `prompt:${String(input.prompt ?? '')}`;
  const last = lastImage?.data ? digestOf(lastImage as { data: Buffer }) : null;
  const key = JSON.stringify([
    seed,
    last,
    input.resolution ?? null,
    input.numFrames ?? null,
    input.framesPerSecond ?? null,
  ]);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const clip = renderClip({
    ...(image?.data ? { image: image.data } : {}),
    ...(lastImage?.data ? { lastImage: lastImage.data } : {}),
    seed,
    input,
  });
  cache.set(key, clip);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return clip;
}
