import { type WanTuning } from '@scenario-video/core';
import { PromptFileIssue } from './errors.js';
export type PromptFileFormat = 'yaml' | 'json' | 'markdown';
/** The format of a prompt file, by extension; undefined for anything else. */
export declare function formatOf(file: string): PromptFileFormat | undefined;
/** An image reference as written, with where it was written (for errors found later, on disk). */
export interface ImageRefAt {
    value: string;
    field: string;
    line: number;
    column: number;
}
/** One video of a prompt file, validated, defaults merged, not yet touching the disk. */
export interface PromptVideo {
    /** Output base name (`<name>.mp4`). */
    name: string;
    /** The prompt file as given to the parser (relative to the repository root). */
    file: string;
    /** 0-based position in its file. */
    index: number;
    /** Where the video is described. */
    line: number;
    /** Where its name is written (its start, when the name is the default one), and the field path. */
    nameAt: {
        field: string;
        line: number;
        column: number;
    };
    prompt: string;
    model: string;
    image?: ImageRefAt;
    lastFrameImage?: ImageRefAt;
    /** Wan 2.2 tuning fields the file sets; unset ones are left to the API's defaults. */
    tuning: WanTuning;
    /** Raw extra inputs, sent as they are. */
    params: Record<string, unknown>;
}
export interface ParseResult {
    /** Empty whenever `issues` is not: a broken file renders nothing, other files still render. */
    videos: PromptVideo[];
    issues: PromptFileIssue[];
}
/**
 * Parse one prompt file's text. Pure: reads no files. `file` is only used to name the file in
 * issues and to derive default video names.
 */
export declare function parsePromptSource(text: string, file: string, format?: PromptFileFormat): ParseResult;
/** The default output name of a file's videos: its stem, made safe for a file name. */
export declare function defaultStem(file: string): string;
