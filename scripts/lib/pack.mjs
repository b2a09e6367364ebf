// Packs a package with pnpm (as `pnpm publish` would: workspace: specifiers rewritten) into a temporary
// folder and extracts it, so checks read exactly what users would install.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * @param {string} dir the package folder
 * @returns {{ tarball: string, dir: string, files: string[], read: (f: string) => Buffer, cleanup: () => void }}
 *   `files` are paths inside the package (`dist/x.js`), sorted; `dir` is the extracted package.
 */
export const packPackage = (dir) => {
  const out = mkdtempSync(path.join(tmpdir(), 'scenario-video-pack-'));
  try {
    execFileSync('pnpm', ['pack', '--pack-destination', out], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
    if (tgz === undefined) throw new Error(`pnpm pack produced no tarball in ${dir}`);
    const tarball = path.join(out, tgz);
    const extracted = path.join(out, 'extracted');
    mkdirSync(extracted);
    execFileSync('tar', ['-xzf', tarball, '-C', extracted]);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '' && !f.endsWith('/'))
      .map((f) => f.replace(/^package\//, ''))
      .sort();
    const pkgDir = path.join(extracted, 'package');
    return {
      tarball,
      dir: pkgDir,
      files,
      read: (f) => readFileSync(path.join(pkgDir, f)),
      cleanup: () => rmSync(out, { recursive: true, force: true }),
    };
  } catch (e) {
    rmSync(out, { recursive: true, force: true });
    throw e;
  }
};
