/**
 * The first frame of a fake video: the input image decoded (PNG and JPEG, in plain JavaScript),
 * scaled to the clip's size and turned into 4:2:0 planes; or, for a prompt-only request or an image
 * the fake cannot read (GIF, WebP, AVIF, an interlaced PNG…), a picture drawn from the prompt.
 */
import { inflateSync } from 'node:zlib';
import { decode as decodeJpeg } from 'jpeg-js';
import type { Yuv420 } from './h264.js';

/** 8-bit RGB, row by row. */
export interface Rgb {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Inputs larger than this are not decoded (the fake draws a picture instead): memory stays small. */
const MAX_PIXELS = 40_000_000;

const paeth = (a: number, b: number, c: number): number => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/**
 * A non-interlaced PNG of any colour type and bit depth, composited over black; undefined for
 * anything else (interlaced, damaged, too large).
 */
export function decodePng(bytes: Buffer): Rgb | undefined {
  if (bytes.length < 33 || bytes.readUInt32BE(0) !== 0x89504e47) return undefined;
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let type = 0;
  let interlace = 0;
  let palette: Buffer | undefined;
  let transparency: Buffer | undefined;
  const idat: Buffer[] = [];
  for (let chunks = 0; pos + 8 <= bytes.length && chunks < 100_000; chunks++) {
    const len = bytes.readUInt32BE(pos);
    const kind = bytes.toString('latin1', pos + 4, pos + 8);
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    if (kind === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      depth = data[8]!;
      type = data[9]!;
      interlace = data[12]!;
    } else if (kind === 'PLTE') palette = data;
    else if (kind === 'tRNS') transparency = data;
    else if (kind === 'IDAT') idat.push(data);
    else if (kind === 'IEND') break;
    pos += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[type];
  if (channels === undefined || interlace !== 0 || width === 0 || height === 0) return undefined;
  if (width * height > MAX_PIXELS || ![1, 2, 4, 8, 16].includes(depth)) return undefined;
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch {
    return undefined;
  }
  const bitsPerPixel = channels * depth;
  const stride = Math.ceil((width * bitsPerPixel) / 8);
  const bpp = Math.max(1, bitsPerPixel / 8);
  if (raw.length < (stride + 1) * height) return undefined;
  // Unfilter in place, row by row (filter types 0–4).
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = y * (stride + 1) + 1;
    const out = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? rows[out + x - bpp]! : 0;
      const b = y > 0 ? rows[out - stride + x]! : 0;
      const c = x >= bpp && y > 0 ? rows[out - stride + x - bpp]! : 0;
      const v = raw[src + x]!;
      const pred =
        filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : 0;
      rows[out + x] = (v + pred) & 0xff;
    }
  }
  const max = 2 ** depth - 1;
  /** Channel `ch` of pixel `x` in row `y`, scaled to 0–255 (palette indexes unscaled). */
  const sample = (x: number, y: number, ch: number, scale = true): number => {
    const bit = (x * channels + ch) * depth;
    const at = y * stride + (bit >> 3);
    let v: number;
    if (depth === 16) v = rows.readUInt16BE(at);
    else if (depth === 8) v = rows[at]!;
    else v = (rows[at]! >> (8 - depth - (bit & 7))) & max;
    return scale ? Math.round((v * 255) / max) : v;
  };
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r: number;
      let g: number;
      let b: number;
      let alpha = 255;
      if (type === 3) {
        const i = sample(x, y, 0, false);
        r = palette?.[i * 3] ?? 0;
        g = palette?.[i * 3 + 1] ?? 0;
        b = palette?.[i * 3 + 2] ?? 0;
        alpha = transparency?.[i] ?? 255;
      } else if (type === 0 || type === 4) {
        r = g = b = sample(x, y, 0);
        if (type === 4) alpha = sample(x, y, 1);
      } else {
        r = sample(x, y, 0);
        g = sample(x, y, 1);
        b = sample(x, y, 2);
        if (type === 6) alpha = sample(x, y, 3);
      }
      const o = (y * width + x) * 3;
      data[o] = (r * alpha) / 255;
      data[o + 1] = (g * alpha) / 255;
      data[o + 2] = (b * alpha) / 255;
    }
  }
  return { width, height, data };
}

/** A baseline or progressive JPEG; undefined when it cannot be read. */
export function decodeJpegRgb(bytes: Buffer): Rgb | undefined {
  try {
    const img = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: 40,
      maxMemoryUsageInMB: 256,
    });
    if (img.data.length < img.width * img.height * 3) return undefined;
    return { width: img.width, height: img.height, data: img.data };
  } catch {
    return undefined;
  }
}

/** An image's pixels, when the fake can read them. */
export function decodeImage(bytes: Buffer): Rgb | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return decodeJpegRgb(bytes);
  return decodePng(bytes);
}

/** FNV-1a: a stable 32-bit number from a text. */
const hash = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

const hsl = (h: number, s: number, l: number): [number, number, number] => {
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return 255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return [f(0), f(8), f(4)];
};

/**
 * A picture for a video without a readable first frame: a diagonal blend of two colours chosen by
 * the prompt, with soft rings around the centre so the camera's motion shows.
 */
export function drawPicture(seed: string, width: number, height: number): Rgb {
  const h = hash(seed);
  const from = hsl(h % 360, 0.65, 0.55);
  const to = hsl((h >>> 9) % 360, 0.7, 0.3);
  const data = new Uint8Array(width * height * 3);
  const cx = width / 2;
  const cy = height / 2;
  const ringEvery = Math.max(4, Math.min(width, height) / 6);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const t = (x / width + y / height) / 2;
      const ring = 0.85 + 0.15 * Math.cos((Math.hypot(x - cx, y - cy) / ringEvery) * Math.PI * 2);
      const o = (y * width + x) * 3;
      for (let ch = 0; ch < 3; ch++) data[o + ch] = (from[ch]! * (1 - t) + to[ch]! * t) * ring;
    }
  }
  return { width, height, data };
}

/** `img` resized to `width × height` by averaging the source pixels each target pixel covers. */
export function resize(img: Rgb, width: number, height: number): Rgb {
  const data = new Uint8Array(width * height * 3);
  const sx = img.width / width;
  const sy = img.height / height;
  // At most 8 × 8 samples per pixel: enough to average away aliasing, bounded for huge inputs.
  const nx = Math.min(8, Math.max(1, Math.ceil(sx)));
  const ny = Math.min(8, Math.max(1, Math.ceil(sy)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < ny; j++) {
        const py = Math.min(img.height - 1, Math.floor((y + (j + 0.5) / ny) * sy));
        for (let i = 0; i < nx; i++) {
          const px = Math.min(img.width - 1, Math.floor((x + (i + 0.5) / nx) * sx));
          const o = (py * img.width + px) * 3;
          r += img.data[o]!;
          g += img.data[o + 1]!;
          b += img.data[o + 2]!;
        }
      }
      const n = nx * ny;
      const o = (y * width + x) * 3;
      data[o] = r / n;
      data[o + 1] = g / n;
      data[o + 2] = b / n;
    }
  }
  return { width, height, data };
}

const clamp = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * RGB to 4:2:0 YCbCr (BT.601, limited range, what players assume for an SD stream without colour
 * information), in planes padded to whole macroblocks by repeating the last row and column.
 */
export function toYuv420(img: Rgb): Yuv420 {
  const mbWidth = Math.ceil(img.width / 16);
  const mbHeight = Math.ceil(img.height / 16);
  const w = mbWidth * 16;
  const h = mbHeight * 16;
  const y = new Uint8Array(w * h);
  const u = new Uint8Array((w / 2) * (h / 2));
  const v = new Uint8Array((w / 2) * (h / 2));
  const rgb = (px: number, py: number) => {
    const o = (Math.min(py, img.height - 1) * img.width + Math.min(px, img.width - 1)) * 3;
    return [img.data[o]!, img.data[o + 1]!, img.data[o + 2]!] as const;
  };
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      const [r, g, b] = rgb(px, py);
      y[py * w + px] = clamp(16 + 0.257 * r + 0.504 * g + 0.098 * b);
    }
  }
  for (let py = 0; py < h / 2; py++) {
    for (let px = 0; px < w / 2; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (const [dx, dy] of [
        [0, 0],
        [1, 0],
        [0, 1],
        [1, 1],
      ] as const) {
        const [pr, pg, pb] = rgb(px * 2 + dx, py * 2 + dy);
        r += pr / 4;
        g += pg / 4;
        b += pb / 4;
      }
      u[py * (w / 2) + px] = clamp(128 - 0.148 * r - 0.291 * g + 0.439 * b);
      v[py * (w / 2) + px] = clamp(128 + 0.439 * r - 0.368 * g - 0.071 * b);
    }
  }
  return { mbWidth, mbHeight, y, u, v };
}
