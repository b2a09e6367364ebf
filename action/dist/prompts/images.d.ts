/** Where an input image comes from, once checked. */
export type ImageSource = {
    kind: 'file';
    /** Absolute path (symbolic links resolved; inside the repository). */
    path: string;
    /** Path relative to the repository root, with `/` separators (for manifests and messages). */
    relativePath: string;
} | {
    kind: 'url';
    url: string;
} | {
    kind: 'asset';
    assetId: string;
};
export declare const ASSET_ID_PATTERN: RegExp;
/** Image types Scenario accepts for upload, by extension. */
export declare const IMAGE_EXTENSIONS: string[];
export declare class ImageRefError extends Error {
    constructor(message: string);
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
export declare function resolveImageRef(ref: string, options: ResolveImageOptions): Promise<ImageSource>;
/** True when `child` is `parent` or below it (both absolute, normalized). */
export declare function isInside(parent: string, child: string): boolean;
export declare function toPosix(p: string): string;
