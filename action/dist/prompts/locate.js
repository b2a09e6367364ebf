import { isAlias, isMap, isScalar, isSeq } from 'yaml';
/**
 * Maps value paths (`['videos', 2, 'numFrames']`) and byte offsets back to lines and columns of
 * the original file. `lineOffset` shifts positions when the YAML is a Markdown file's front matter.
 */
export class SourceLocator {
    doc;
    lines;
    lineOffset;
    overrides;
    constructor(doc, lines, lineOffset = 0, overrides = new Map()) {
        this.doc = doc;
        this.lines = lines;
        this.lineOffset = lineOffset;
        this.overrides = overrides;
    }
    /** Position of an offset in the parsed YAML text. */
    offset(offset) {
        const { line, col } = this.lines.linePos(offset);
        return { line: line + this.lineOffset, column: col };
    }
    /** Force a position for one path (for values that do not come from the YAML, like a Markdown body). */
    override(path, position) {
        this.overrides.set(pathKey(path), position);
    }
    /**
     * Where the value at `path` is written; with `key`, where its key is written. A path that does
     * not exist resolves to the deepest container that does (a missing field is reported where its
     * object starts).
     */
    at(path, options = {}) {
        const forced = this.overrides.get(pathKey(path));
        if (forced)
            return forced;
        let node = this.doc.contents;
        let here = this.start(node) ?? { line: 1 + this.lineOffset, column: 1 };
        for (let i = 0; i < path.length; i++) {
            const seg = path[i];
            if (isAlias(node))
                node = node.resolve(this.doc);
            if (isMap(node)) {
                const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
                if (!pair)
                    return here;
                const keyPos = this.start(pair.key) ?? here;
                if (options.key && i === path.length - 1)
                    return keyPos;
                node = pair.value;
                here = this.start(node) ?? keyPos;
                if (node === null || node === undefined)
                    return keyPos;
            }
            else if (isSeq(node) && typeof seg === 'number') {
                const item = node.items[seg];
                if (item === undefined)
                    return here;
                node = item;
                here = this.start(node) ?? here;
            }
            else {
                return here;
            }
        }
        return here;
    }
    /** The path of the deepest key whose entry spans `offset` (to name the field of a syntax error). */
    fieldAt(offset) {
        const path = [];
        let node = this.doc.contents;
        for (let depth = 0; depth < 64; depth++) {
            if (isMap(node)) {
                const pair = node.items.find((p) => {
                    const start = rangeOf(p.key)?.[0];
                    const end = rangeOf(p.value)?.[1] ?? rangeOf(p.key)?.[1];
                    return start !== undefined && end !== undefined && start <= offset && offset <= end;
                });
                if (!pair || !isScalar(pair.key))
                    break;
                path.push(String(pair.key.value));
                node = pair.value;
            }
            else if (isSeq(node)) {
                const index = node.items.findIndex((item) => {
                    const r = rangeOf(item);
                    return r !== undefined && r[0] <= offset && offset <= r[1];
                });
                if (index < 0)
                    break;
                path.push(index);
                node = node.items[index];
            }
            else {
                break;
            }
        }
        return path;
    }
    start(node) {
        const range = rangeOf(node);
        return range ? this.offset(range[0]) : undefined;
    }
}
function rangeOf(node) {
    if (node && typeof node === 'object' && 'range' in node) {
        const range = node.range;
        return range ?? undefined;
    }
    return undefined;
}
function pathKey(path) {
    return path.map(String).join('\u0000');
}
//# sourceMappingURL=locate.js.map