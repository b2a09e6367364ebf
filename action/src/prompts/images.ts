import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { sniffImageType } from '@scenario-video/core';

/** Where an input image comes from, once checked. */
export type ImageSource =
  | {
      kind: 'file';
      /** Absolute path (symbolic links resolved; inside the repository). */
      path: string;
      /** Path relative to the repository root, with `/` separators (for manifests and messages). */
      relativePath: string;
    }
  | { kind: 'url'; url: string }
  | { kind: 'asset'; assetId: string };

export const ASSET_ID_PATTERN = /^asset_[A-Za-z0-9_-]+$/;

/** Image types Scenario accepts for upload, by extension. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.avif', '.tif', '.tiff', '.heic', '.heif'];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export class ImageRefError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageRefError';
  }
}

export interface ResolveImageOptions {
  /** The prompt file the reference is written in (absolute, or relative to the working directory). */
  promptFile: string;
  /** The repository root; file references must stay inside it, symbolic links included. */
  root: string;
}

/**
 * Check an `image`/`lastFrameImage` reference and say where it comes from.
 *
 * - `asset_…`: an existing Scenario asset, used as is.
 * - `https://…`: a URL (fetched and uploaded by the client). Plain `http://` is refused because
 *   the bytes could be altered on the way, except on loopback hosts (local servers and tests).
 * - anything else: a path relative to the prompt file. Absolute paths are refused (they differ
 *   between machines); a path that leaves the repository root, through `..` or through a
 *   symbolic link anywhere along the way, is refused; the file must exist and be an image.
 *
 * Throws ImageRefError with a message meant for the maintainer.
 */
export async function resolveImageRef(ref: string, options: ResolveImageOptions): Promise<ImageSource> {
  const value = ref.trim();
  if (ASSET_ID_PATTERN.test(value)) return { kind: 'asset', assetId: value };
  if (value.startsWith('asset_')) {
    throw new ImageRefError(`"${value}" is not a valid asset id (asset_ followed by letters, digits, _ or -)`);
  }

  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
  if (scheme !== undefined && !/^[A-Za-z]:[\\/]/.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ImageRefError(`"${value}" is not a valid URL`);
    }
    if (url.protocol === 'https:') return { kind: 'url', url: url.href };
    if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return { kind: 'url', url: url.href };
    if (url.protocol === 'http:') {
      throw new ImageRefError(`use an https:// URL ("${value}" is plain http)`);
    }
    throw new ImageRefError(
      `"${scheme}:" URLs are not supported; use a relative path, an https:// URL or an asset_… id`,
    );
  }

  if (path.isAbsolute(value) || value.startsWith('/') || value.startsWith('\\')) {
    throw new ImageRefError(`"${value}" is an absolute path; write it relative to the prompt file`);
  }

  let realRoot: string;
  let realDir: string;
  try {
    realRoot = await realpath(path.resolve(options.root));
    realDir = await realpath(path.dirname(path.resolve(options.promptFile)));
  } catch (e) {
    throw new ImageRefError(
      `cannot resolve the prompt file's folder: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  if (!isInside(realRoot, realDir)) {
    throw new ImageRefError('the prompt file is outside the repository');
  }
  const target = path.resolve(realDir, value);
  if (!isInside(realRoot, target)) {
    throw new ImageRefError(`"${value}" leaves the repository; images must be inside ${rootName(realRoot)}`);
  }

  let realTarget: string;
  try {
    realTarget = await realpath(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImageRefError(`file not found: ${value}`);
    if (code === 'ELOOP') throw new ImageRefError(`"${value}" is a symbolic link loop`);
    throw new ImageRefError(`cannot read ${value}: ${code ?? String(e)}`);
  }
  if (!isInside(realRoot, realTarget)) {
    throw new ImageRefError(`"${value}" is a symbolic link that leaves the repository; images must be inside it`);
  }

  const info = await stat(realTarget);
  if (!info.isFile()) throw new ImageRefError(`"${value}" is not a file`);
  if (info.size === 0) throw new ImageRefError(`"${value}" is empty`);
  const ext = path.extname(realTarget).toLowerCase();
  if (!IMAGE_EXTENSIONS.includes(ext)) {
    throw new ImageRefError(`"${value}" is not an image Scenario accepts (${IMAGE_EXTENSIONS.join(', ')})`);
  }
  // The name is not enough: bytes Scenario cannot read fail only at upload, with a message that
  // names neither the file nor the field. Look at the first bytes now, while the line is known.
  if (sniffImageType(await firstBytes(realTarget, 512)) === undefined) {
    throw new ImageRefError(
      `"${value}" is not a PNG, JPEG, GIF, WebP, AVIF, HEIF or TIFF image (its content does not start like one)`,
    );
  }

  return { kind: 'file', path: realTarget, relativePath: toPosix(path.relative(realRoot, realTarget)) };
}

async function firstBytes(file: string, count: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(count);
    const { bytesRead } = await handle.read(buffer, 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** True when `child` is `parent` or below it (both absolute, normalized). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function rootName(root: string): string {
  return path.basename(root) || root;
}
