/**
 * The release workflows' dry-run path, as CI runs it on every pull request with no secret: the notes of
 * the versions being released come out of the changelogs, and the n8n export's commit and tag are made in
 * a scratch repository and printed instead of pushed. Without the deploy key a real push stops before
 * touching the network.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = async (pkg: string) => JSON.parse(await readFile(path.join(root, pkg), 'utf8')).version as string;
let scratch: string | undefined;

afterEach(async () => {
  if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
  scratch = undefined;
});

describe('release dry runs', () => {
  it('finds the notes of the versions being released, and refuses a version with none', async () => {
    for (const [changelog, pkg] of [
      ['CHANGELOG.md', 'action/package.json'],
      ['nodes/CHANGELOG.md', 'nodes/package.json'],
    ] as const) {
      const { stdout } = await run('node', ['scripts/release-notes.mjs', changelog, await version(pkg)], { cwd: root });
      expect(stdout.trim().length).toBeGreaterThan(40);
      expect(stdout).not.toMatch(/^## /m);
    }
    const missing = await run('node', ['scripts/release-notes.mjs', 'CHANGELOG.md', '99.0.0'], { cwd: root }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(missing).toMatchObject({ code: 1, stderr: expect.stringContaining('no "## 99.0.0" section') });
  });

  it('makes the n8n commit and tag in a scratch repository and pushes nothing', async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'n8n-export-dry-run-'));
    const exported = path.join(scratch, 'export');
    await mkdir(path.join(exported, 'node_modules/x'), { recursive: true });
    await writeFile(path.join(exported, 'package.json'), '{"name":"n8n-nodes-scenario-video"}\n');
    await writeFile(path.join(exported, 'node_modules/x/index.js'), 'left out\n');
    await writeFile(path.join(scratch, 'notes.md'), '- first\n');
    const { stdout } = await run(
      'bash',
      ['scripts/push-n8n-export.sh', exported, '0.1.0', path.join(scratch, 'notes.md'), '--dry-run'],
      { cwd: root, env: { ...process.env, N8N_DEPLOY_KEY: '' } },
    );
    expect(stdout).toContain('n8n-nodes-scenario-video 0.1.0');
    expect(stdout).toContain('package.json');
    expect(stdout).not.toContain('node_modules');
    expect(stdout).toContain(
      'dry run: would push main and tag v0.1.0 to github.com/scenario-video/n8n-nodes-scenario-video',
    );
  });

  it('stops a real push without the deploy key before any network access', async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'n8n-export-no-key-'));
    await writeFile(path.join(scratch, 'notes.md'), '- first\n');
    const result = await run('bash', ['scripts/push-n8n-export.sh', scratch, '0.1.0', path.join(scratch, 'notes.md')], {
      cwd: root,
      env: { ...process.env, N8N_DEPLOY_KEY: '' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(result).toMatchObject({ code: 1, stderr: expect.stringContaining('N8N_DEPLOY_KEY') });
  });
});
