import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
export const ASSET_ID_PATTERN = /^asset_[A-Za-z0-9_-]+$/;
/** Image types Scenario accepts for upload, by extension. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.gif', '.avif', '.tif', '.tiff', '.heic', '.heif'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
export class ImageRefError extends Error {
    constructor(message) {
        super(message);
        this.name = 'ImageRefError';
    }
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
export async function resolveImageRef(ref, options) {
    const value = ref.trim();
    if (ASSET_ID_PATTERN.test(value))
        return { kind: 'asset', assetId: value };
    if (value.startsWith('asset_')) {
        throw new ImageRefError(`"${value}" is not a valid asset id (asset_ followed by letters, digits, _ or -)`);
    }
    const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(value)?.[1]?.toLowerCase();
    if (scheme !== undefined && !/^[A-Za-z]:[\\/]/.test(value)) {
        let url;
        try {
            url = new URL(value);
        }
        catch {
            throw new ImageRefError(`"${value}" is not a valid URL`);
        }
        if (url.protocol === 'https:')
            return { kind: 'url', url: url.href };
        if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))
            return { kind: 'url', url: url.href };
        if (url.protocol === 'http:') {
            throw new ImageRefError(`use an https:// URL ("${value}" is plain http)`);
        }
        throw new ImageRefError(`"${scheme}:" URLs are not supported; use a relative path, an https:// URL or an asset_… id`);
    }
    if (path.isAbsolute(value) || value.startsWith('/') || value.startsWith('\\')) {
        throw new ImageRefError(`"${value}" is an absolute path; write it relative to the prompt file`);
    }
    let realRoot;
    let realDir;
    try {
        realRoot = await realpath(path.resolve(options.root));
        realDir = await realpath(path.dirname(path.resolve(options.promptFile)));
    }
    catch (e) {
        throw new ImageRefError(`cannot resolve the prompt file's folder: ${e.code ?? String(e)}`);
    }
    if (!isInside(realRoot, realDir)) {
        throw new ImageRefError('the prompt file is outside the repository');
    }
    const target = path.resolve(realDir, value);
    if (!isInside(realRoot, target)) {
        throw new ImageRefError(`"${value}" leaves the repository; images must be inside ${rootName(realRoot)}`);
    }
    let realTarget;
    try {
        realTarget = await realpath(target);
    }
    catch (e) {
        const code = e.code;
        if (code === 'ENOENT' || code === 'ENOTDIR')
            throw new ImageRefError(`file not found: ${value}`);
        if (code === 'ELOOP')
            throw new ImageRefError(`"${value}" is a symbolic link loop`);
        throw new ImageRefError(`cannot read ${value}: ${code ?? String(e)}`);
    }
    if (!isInside(realRoot, realTarget)) {
        throw new ImageRefError(`"${value}" is a symbolic link that leaves the repository; images must be inside it`);
    }
    const info = await stat(realTarget);
    if (!info.isFile())
        throw new ImageRefError(`"${value}" is not a file`);
    if (info.size === 0)
        throw new ImageRefError(`"${value}" is empty`);
    const ext = path.extname(realTarget).toLowerCase();
    if (!IMAGE_EXTENSIONS.includes(ext)) {
        throw new ImageRefError(`"${value}" is not an image Scenario accepts (${IMAGE_EXTENSIONS.join(', ')})`);
    }
    return { kind: 'file', path: realTarget, relativePath: toPosix(path.relative(realRoot, realTarget)) };
}
/** True when `child` is `parent` or below it (both absolute, normalized). */
export function isInside(parent, child) {
    const rel = path.relative(parent, child);
    return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}
export function toPosix(p) {
    return p.split(path.sep).join('/');
}
function rootName(root) {
    return path.basename(root) || root;
}
//# sourceMappingURL=images.js.map