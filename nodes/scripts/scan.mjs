// n8n's community-package scanner, run before publishing (its CLI only scans published
// packages): both legs of `analyzePackage` from @n8n/scan-community-package, on the source
// (package.json, nodes/, credentials/) and on the packed tarball (package.json and every shipped
// .js, the bundled core included). Inline eslint-disable comments are ignored, as in the real
// scan. Then n8n's rules that its published tooling does not enforce yet (scripts/n8n-rules.mjs:
// no repository.directory, continueOnFail() in the node's own execute, the module allow-list and no
// reflection in the shipped code). Exits non-zero on any finding. `--tarball-only` / `--source-only`
// run one leg.
// Also prints the packed tarball's path (`--keep` keeps it in dist-pack/ for the n8n e2e test).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
	analyzePackage,
	SOURCE_FILE_PATTERNS,
} from '@n8n/scan-community-package/scanner/scanner.mjs';
import { checkContinueOnFail, checkRepositoryDirectory, checkTarballCode } from './n8n-rules.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
let failed = false;

const report = (leg, result) => {
	if (result.passed) {
		console.log(`scan (${leg}): passed all security checks`);
		return;
	}
	failed = true;
	console.error(`scan (${leg}): FAILED: ${result.message}`);
	if (result.details) console.error(result.details);
};

const rules = (leg, findings) => {
	if (findings.length === 0) {
		console.log(`scan (${leg}, n8n rules): passed`);
		return;
	}
	failed = true;
	for (const f of findings) console.error(`scan (${leg}, n8n rules): ${f}`);
};

if (!args.has('--tarball-only')) {
	report('source', await analyzePackage(root, SOURCE_FILE_PATTERNS));
	const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
	const sources = pkg.n8n.nodes.map((built) =>
		built.replace(/^dist\//, '').replace(/\.js$/, '.ts'),
	);
	rules('source', [
		...checkRepositoryDirectory([{ path: 'package.json', json: pkg }]),
		...sources.flatMap((f) => checkContinueOnFail(readFileSync(join(root, f), 'utf8'), f)),
	]);
}

if (!args.has('--source-only')) {
	const packDir = args.has('--keep')
		? join(root, 'dist-pack')
		: mkdtempSync(join(tmpdir(), 'n8n-scan-'));
	rmSync(packDir, { recursive: true, force: true });
	mkdirSync(packDir, { recursive: true });
	execFileSync('pnpm', ['pack', '--pack-destination', packDir], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'inherit'],
	});
	const tarball = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
	if (tarball === undefined) throw new Error('pnpm pack produced no tarball');
	const extracted = join(packDir, 'extracted');
	mkdirSync(extracted);
	execFileSync('tar', ['-xzf', join(packDir, tarball), '-C', extracted]);
	const pkgDir = join(extracted, 'package');
	const files = execFileSync('tar', ['-tzf', join(packDir, tarball)], { encoding: 'utf8' })
		.split('\n')
		.filter(Boolean);
	const stray = files.filter(
		(f) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE(\.md)?$|CHANGELOG\.md$)/.test(f),
	);
	if (stray.length > 0) {
		failed = true;
		console.error(`scan (tarball): unexpected files in the package: ${stray.join(', ')}`);
	}
	const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
	if (JSON.stringify(pkg).includes('workspace:')) {
		failed = true;
		console.error('scan (tarball): package.json still has workspace: specifiers');
	}
	if (pkg.dependencies && Object.keys(pkg.dependencies).length > 0) {
		failed = true;
		console.error(
			`scan (tarball): runtime dependencies: ${Object.keys(pkg.dependencies).join(', ')}`,
		);
	}
	report('tarball', await analyzePackage(pkgDir, ['package.json', '**/*.js']));
	const shipped = files
		.map((f) => f.replace(/^package\//, ''))
		.filter((f) => f.endsWith('.js'))
		.map((f) => ({ path: f, text: readFileSync(join(pkgDir, f), 'utf8') }));
	rules('tarball', [
		...checkRepositoryDirectory([{ path: 'package.json', json: pkg }]),
		...checkTarballCode(shipped),
	]);
	console.log(`scan: tarball ${join(packDir, tarball)} (${files.length} files)`);
	if (!args.has('--keep')) rmSync(packDir, { recursive: true, force: true });
}

process.exit(failed ? 1 : 0);
