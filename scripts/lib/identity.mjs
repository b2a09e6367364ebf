// The repository identity, defined once: the root package.json's `repository` (this monorepo, which
// releases the GitHub Action) and `release.n8nRepository` (the dedicated repository that publishes
// n8n-nodes-scenario-video, made by scripts/export-n8n.mjs). Every README, example, package.json and
// workflow uses these; the release check fails on any other owner or a placeholder.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `owner/name` from a GitHub URL (`git+https://github.com/o/n.git`, `https://github.com/o/n`). */
export const slugOf = (url) => {
  const m = /github\.com[/:]([A-Za-z0-9-]+)\/([A-Za-z0-9._-]+?)(?:\.git)?\/?$/.exec(String(url ?? ''));
  return m ? `${m[1]}/${m[2]}` : undefined;
};

/** @returns {{ repository: string, n8nRepository: string, owner: string }} */
export const readIdentity = (root = repoRoot) => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const repository = slugOf(pkg.repository?.url);
  const n8nRepository = pkg.release?.n8nRepository;
  if (repository === undefined || typeof n8nRepository !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(n8nRepository)) {
    throw new Error('package.json must name the repository (repository.url) and release.n8nRepository (owner/name)');
  }
  return { repository, n8nRepository, owner: repository.split('/')[0] };
};

/** The `repository` field a package.json of `slug` carries (never a `directory`: n8n's no-monorepo rule). */
export const repositoryField = (slug) => ({ type: 'git', url: `git+https://github.com/${slug}.git` });
