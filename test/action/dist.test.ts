// check-dist: the committed bundle (what the runner runs) must be exactly what a fresh esbuild build of
// action/src gives; otherwise someone changed the source and forgot `pnpm --filter @scenario-video/action bundle`.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';
import { repoRoot } from './harness.js';

it('action/dist/index.mjs matches a fresh build of action/src', async () => {
  const script = path.join(repoRoot, 'action', 'scripts', 'bundle.mjs');
  const result = await promisify(execFile)(process.execPath, [script, '--check'], { cwd: repoRoot }).catch(
    (e: { stdout: string; stderr: string; code: number }) => e,
  );
  expect('code' in result ? result.stderr : '', 'rebuild with `pnpm --filter @scenario-video/action bundle`').toBe('');
  expect(result.stdout).toContain('match a fresh build');
}, 60_000);
