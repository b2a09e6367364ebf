import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

type Path = ReadonlyArray<PropertyKey>;

/**
 * Maps value paths (`['videos', 2, 'numFrames']`) and byte offsets back to lines and columns of
 * the original file. `lineOffset` shifts positions when the YAML is a Markdown file's front matter.
 */
export class SourceLocator {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly lineOffset = 0,
    private readonly overrides = new Map<string, Position>(),
  ) {}

  /** Position of an offset in the parsed YAML text. */
  offset(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line: line + this.lineOffset, column: col };
  }

  /** Force a position for one path (for values that do not come from the YAML, like a Markdown body). */
  override(path: Path, position: Position): void {
    this.overrides.set(pathKey(path), position);
  }

  /**
   * Where the value at `path` is written; with `key`, where its key is written. A path that does
   * not exist resolves to the deepest container that does (a missing field is reported where its
   * object starts).
   */
  at(path: Path, options: { key?: boolean } = {}): Position {
    const forced = this.overrides.get(pathKey(path));
    if (forced) return forced;
    let node: unknown = this.doc.contents;
    let here = this.start(node) ?? { line: 1 + this.lineOffset, column: 1 };
    for (let i = 0; i < path.length; i++) {
      const seg = path[i];
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return here;
        const keyPos = this.start(pair.key) ?? here;
        if (options.key && i === path.length - 1) return keyPos;
        node = pair.value;
        here = this.start(node) ?? keyPos;
        if (node === null || node === undefined) return keyPos;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return here;
        node = item;
        here = this.start(node) ?? here;
      } else {
        return here;
      }
    }
    return here;
  }

  /** The path of the deepest key whose entry spans `offset` (to name the field of a syntax error). */
  fieldAt(offset: number): Array<string | number> {
    const path: Array<string | number> = [];
    let node: unknown = this.doc.contents;
    for (let depth = 0; depth < 64; depth++) {
      if (isMap(node)) {
        const pair = node.items.find((p) => {
          const start = rangeOf(p.key)?.[0];
          const end = rangeOf(p.value)?.[1] ?? rangeOf(p.key)?.[1];
          return start !== undefined && end !== undefined && start <= offset && offset <= end;
        });
        if (!pair || !isScalar(pair.key)) break;
        path.push(String(pair.key.value));
        node = pair.value;
      } else if (isSeq(node)) {
        const index = node.items.findIndex((item) => {
          const r = rangeOf(item);
          return r !== undefined && r[0] <= offset && offset <= r[1];
        });
        if (index < 0) break;
        path.push(index);
        node = node.items[index];
      } else {
        break;
      }
    }
    return path;
  }

  private start(node: unknown): Position | undefined {
    const range = rangeOf(node);
    return range ? this.offset(range[0]) : undefined;
  }
}

function rangeOf(node: unknown): readonly [number, number, number] | undefined {
  if (node && typeof node === 'object' && 'range' in node) {
    const range = (node as { range?: [number, number, number] | null }).range;
    return range ?? undefined;
  }
  return undefined;
}

function pathKey(path: Path): string {
  return path.map(String).join('\u0000');
}
