import { existsSync } from 'node:fs';
import path from 'node:path';

/** The nearest folder from `start` upwards holding `.git`; `start` itself when there is none. */
export function findRepoRoot(start: string): string {
  let dir = path.resolve(start);
  for (let i = 0; i < 100; i++) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.resolve(start);
}
