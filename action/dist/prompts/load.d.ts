import { PromptFileIssue } from './errors.js';
import { type ImageSource } from './images.js';
import { type PromptVideo } from './parse.js';
/** A video ready to render: validated, images checked on disk. */
export interface LoadedVideo extends Omit<PromptVideo, 'image' | 'lastFrameImage'> {
    image?: ImageSource;
    lastFrameImage?: ImageSource;
}
export interface LoadedFile {
    /** Relative to the root, `/` separators. */
    file: string;
    /** Number of videos it describes (0 when it has issues). */
    videos: number;
    ok: boolean;
}
export interface LoadResult {
    videos: LoadedVideo[];
    issues: PromptFileIssue[];
    files: LoadedFile[];
}
export interface LoadOptions {
    /** The repository root: prompt files and images must be inside it. */
    root: string;
    /** Largest prompt file read (default 1 MiB). */
    maxFileBytes?: number;
}
/**
 * Read, parse and check prompt files. Every file is checked; a broken one is reported with file,
 * line and field and contributes no video, and the others still load. Output names must be unique
 * across files (case-insensitively, for macOS and Windows): a later file reusing a name is broken.
 */
export declare function loadPromptFiles(files: readonly string[], options: LoadOptions): Promise<LoadResult>;
