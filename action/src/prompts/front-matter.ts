/**
 * Markdown prompt files: YAML front matter between `---` lines, and the body below it, which is the
 * prompt. Only splits the text; the YAML is parsed, and the body checked, by `parse.ts`.
 * `yamlLine` and `body.line` are 1-based lines in the whole file, so issues point at the file as
 * the user sees it.
 */

export type FrontMatter =
  | { yaml: string; yamlLine: number; body: { text: string; line: number }; hasFrontMatter: boolean }
  | { error: string };

/** Split `---\n<yaml>\n---\n<body>`; a file without front matter is all body. */
export function splitFrontMatter(text: string): FrontMatter {
  const lines = text.split(/\r?\n/);
  const bodyOf = (from: number) => {
    const rest = lines.slice(from);
    const first = rest.findIndex((l) => l.trim() !== '');
    return { text: rest.join('\n').trim(), line: from + (first < 0 ? 0 : first) + 1 };
  };
  if (lines[0]?.trimEnd() !== '---') return { yaml: '', yamlLine: 1, body: bodyOf(0), hasFrontMatter: false };
  const end = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (end < 0) return { error: 'the front matter opened with --- on line 1 is never closed with ---' };
  return { yaml: lines.slice(1, end).join('\n'), yamlLine: 2, body: bodyOf(end + 1), hasFrontMatter: true };
}
