// Replaces the compiled `dist/nodes/ScenarioVideo/core.js` (a bare re-export of
// `@scenario-video/core`, which is only a devDependency) with a bundle of the core and zod, so
// the published package has no runtime dependency. The bundle must pass n8n's scanner like the
// node's own code: no timers, `process`, env, `fs`, `console`, `require` of Node modules, or
// global object access.
//
// zod 4 keeps its config and schema registry on `globalThis` (`__zod_globalConfig`,
// `__zod_globalRegistry`), shared across copies of zod in one process. Here `globalThis` is
// mapped to an object local to this bundle: the node's zod copy gets its own config and registry
// (nothing else in the process can reach ours, and we reach no one else's), and the shipped code
// touches no global.
//
// esbuild marks where each bundled module starts with a comment naming its path (`// ../node_modules/
// .pnpm/zod@4.6.7/...`). Those lines are dropped: they depend on where the core and zod were installed,
// and the dedicated n8n repository (scripts/export-n8n.mjs at the monorepo root) must build the very
// same bytes from its vendored core.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist/nodes/ScenarioVideo/core.js');
const LOCAL_GLOBAL = '__scenarioVideoBundleScope';

await build({
	entryPoints: [join(root, 'nodes/ScenarioVideo/core.ts')],
	outfile,
	bundle: true,
	platform: 'neutral',
	mainFields: ['module', 'main'],
	format: 'cjs',
	target: 'es2020',
	external: ['n8n-workflow'],
	define: { globalThis: LOCAL_GLOBAL },
	banner: {
		js: `// @scenario-video/core and zod, bundled for n8n-nodes-scenario-video (see scripts/bundle-core.mjs).\nvar ${LOCAL_GLOBAL} = {};`,
	},
	legalComments: 'none',
	logLevel: 'warning',
});
rmSync(`${outfile}.map`, { force: true });

// Belt and braces: fail the build if anything the scanner forbids slipped into the bundle.
const code = readFileSync(outfile, 'utf8')
	.split('\n')
	.filter((line) => !/^\/\/ [\w./@+-]+\.[cm]?[jt]s$/.test(line))
	.join('\n');
const forbidden = [
	/\bglobalThis\b/,
	/\bprocess\.\w/,
	/\bset(Timeout|Interval|Immediate)\s*\(/,
	/\brequire\((?!"n8n-workflow")/,
	/\bconsole\.\w/,
	/\b__dirname\b|\b__filename\b/,
];
const found = forbidden.filter((re) => re.test(code)).map(String);
if (found.length > 0) {
	console.error(`bundle-core: ${outfile} contains forbidden code: ${found.join(', ')}`);
	process.exit(1);
}
writeFileSync(outfile, code);
console.log(`bundle-core: ${outfile} (${Math.round(code.length / 1024)} KiB)`);
