/**
 * A problem in a prompt file, located precisely enough for an editor, a terminal and a GitHub
 * annotation: `prompts/cat.yml:7:14: numFrames: must be between 81 and 100 (got 200)`.
 */
export class PromptFileIssue {
    /** The prompt file, relative to the repository root, with `/` separators. */
    file;
    /** 1-based line. */
    line;
    /** 1-based column, when known. */
    column;
    /** The field, as a path: `numFrames`, `videos[2].image`, `defaults.seed`; `(syntax)` or `(file)` otherwise. */
    field;
    message;
    constructor(init) {
        this.file = init.file;
        this.line = init.line;
        if (init.column !== undefined)
            this.column = init.column;
        this.field = init.field;
        this.message = init.message;
    }
    format() {
        const where = this.column === undefined ? `${this.file}:${this.line}` : `${this.file}:${this.line}:${this.column}`;
        return `${where}: ${this.field}: ${this.message}`;
    }
    toString() {
        return this.format();
    }
    toJSON() {
        return {
            file: this.file,
            line: this.line,
            ...(this.column === undefined ? {} : { column: this.column }),
            field: this.field,
            message: this.message,
        };
    }
}
/** Thrown where a caller wants a single failure for a set of issues. */
export class PromptFileError extends Error {
    issues;
    constructor(issues) {
        super(issues.map((i) => i.format()).join('\n'));
        this.name = 'PromptFileError';
        this.issues = issues;
    }
}
/** `['videos', 2, 'numFrames']` → `videos[2].numFrames`. */
export function formatFieldPath(path) {
    let out = '';
    for (const seg of path) {
        if (typeof seg === 'number')
            out += `[${seg}]`;
        else
            out += out === '' ? String(seg) : `.${String(seg)}`;
    }
    return out;
}
//# sourceMappingURL=errors.js.map