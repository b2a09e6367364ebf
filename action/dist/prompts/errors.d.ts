/**
 * A problem in a prompt file, located precisely enough for an editor, a terminal and a GitHub
 * annotation: `prompts/cat.yml:7:14: numFrames: must be between 81 and 100 (got 200)`.
 */
export declare class PromptFileIssue {
    /** The prompt file, relative to the repository root, with `/` separators. */
    readonly file: string;
    /** 1-based line. */
    readonly line: number;
    /** 1-based column, when known. */
    readonly column?: number;
    /** The field, as a path: `numFrames`, `videos[2].image`, `defaults.seed`; `(syntax)` or `(file)` otherwise. */
    readonly field: string;
    readonly message: string;
    constructor(init: {
        file: string;
        line: number;
        column?: number;
        field: string;
        message: string;
    });
    format(): string;
    toString(): string;
    toJSON(): {
        file: string;
        line: number;
        column?: number;
        field: string;
        message: string;
    };
}
/** Thrown where a caller wants a single failure for a set of issues. */
export declare class PromptFileError extends Error {
    readonly issues: PromptFileIssue[];
    constructor(issues: PromptFileIssue[]);
}
/** `['videos', 2, 'numFrames']` → `videos[2].numFrames`. */
export declare function formatFieldPath(path: ReadonlyArray<PropertyKey>): string;
