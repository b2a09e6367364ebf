import path from 'node:path';

/**
 * A path relative to the workspace with `/` separators: how the cache service names paths (part of
 * an entry's version) and how paths are shown in logs and outputs.
 */
export function cachePath(workspace: string, abs: string): string {
  const rel = path.relative(workspace, abs).split(path.sep).join('/');
  return rel === '' ? '.' : rel;
}
