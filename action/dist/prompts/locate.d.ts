import { type Document, type LineCounter } from 'yaml';
export interface Position {
    line: number;
    column: number;
}
type Path = ReadonlyArray<PropertyKey>;
/**
 * Maps value paths (`['videos', 2, 'numFrames']`) and byte offsets back to lines and columns of
 * the original file. `lineOffset` shifts positions when the YAML is a Markdown file's front matter.
 */
export declare class SourceLocator {
    private readonly doc;
    private readonly lines;
    private readonly lineOffset;
    private readonly overrides;
    constructor(doc: Document.Parsed, lines: LineCounter, lineOffset?: number, overrides?: Map<string, Position>);
    /** Position of an offset in the parsed YAML text. */
    offset(offset: number): Position;
    /** Force a position for one path (for values that do not come from the YAML, like a Markdown body). */
    override(path: Path, position: Position): void;
    /**
     * Where the value at `path` is written; with `key`, where its key is written. A path that does
     * not exist resolves to the deepest container that does (a missing field is reported where its
     * object starts).
     */
    at(path: Path, options?: {
        key?: boolean;
    }): Position;
    /** The path of the deepest key whose entry spans `offset` (to name the field of a syntax error). */
    fieldAt(offset: number): Array<string | number>;
    private start;
}
export {};
