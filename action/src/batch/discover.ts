import path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';

/** SPEC.md "Prompt files": matched relative to the repository root. */
export const DEFAULT_PATTERNS = ['prompts/**/*.{yml,yaml,json,md}'];

export interface Discovery {
  /** Matched files, relative to the root, `/` separators, sorted. */
  files: string[];
  /** Patterns that matched nothing (a typo is worth a warning). */
  unmatched: string[];
}

/**
 * Find prompt files by glob under `root`. Symbolic links to folders are not followed (a linked
 * file is still matched; the loader refuses it when it leaves the repository). `node_modules` and
 * `.git` are never searched.
 */
export async function discoverPromptFiles(
  patterns: readonly string[],
  root: string,
  options: { exclude?: readonly string[] } = {},
): Promise<Discovery> {
  // Folders never searched: the output folder holds manifest.json, which a `**/*.json` glob would match.
  const excluded = (options.exclude ?? [])
    .map((dir) => path.relative(root, path.resolve(root, dir)).split(path.sep).join('/'))
    .filter((rel) => rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
    .map((rel) => `${rel}/**`);
  const files = new Set<string>();
  const unmatched: string[] = [];
  for (const raw of patterns.length > 0 ? patterns : DEFAULT_PATTERNS) {
    // Accept OS paths too (`prompts\cat.yml`, `./prompts/cat.yml`, an absolute path inside root).
    let pattern = raw.split(path.sep).join('/');
    if (path.isAbsolute(raw)) pattern = path.relative(root, raw).split(path.sep).join('/');
    pattern = pattern.replace(/^(\.\/)+/, '');
    const found = await glob(pattern, {
      cwd: root,
      onlyFiles: true,
      dot: false,
      followSymbolicLinks: false,
      expandDirectories: false,
      ignore: ['**/node_modules/**', '**/.git/**', ...excluded],
    });
    if (found.length === 0) unmatched.push(raw);
    for (const f of found) files.add(f.split(path.sep).join('/'));
    // A literal path outside the root is not matched by the glob; keep it so the loader reports it.
    if (found.length === 0 && !isDynamicPattern(pattern) && pattern.startsWith('../')) files.add(pattern);
  }
  return { files: [...files].sort(), unmatched };
}
