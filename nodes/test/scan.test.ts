/* eslint-disable @n8n/community-nodes/no-restricted-imports, @n8n/community-nodes/no-restricted-globals -- test code: builds a throwaway package on disk */
/**
 * The scanner check is only worth something if it can fail: a package shaped like ours whose
 * shipped JS uses a timer and the global object must be refused by the same `analyzePackage` that
 * scripts/scan.mjs runs, and the real bundle must carry no trace of what the scanner forbids.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- plain ESM without type declarations
import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const nodesDir = join(__dirname, '..');

describe("n8n's scanner", () => {
	it('refuses shipped JS with a timer or global access (so a pass means something)', async () => {
		const dir = mkdtempSync(join(tmpdir(), 'scan-negative-'));
		try {
			writeFileSync(join(dir, 'package.json'), readFileSync(join(nodesDir, 'package.json')));
			mkdirSync(join(dir, 'dist'));
			writeFileSync(
				join(dir, 'dist/bad.js'),
				'"use strict";\nexports.wait = () => new Promise((r) => setTimeout(r, 1));\nexports.g = globalThis;\n',
			);
			const result = (await analyzePackage(dir, ['package.json', '**/*.js'])) as {
				passed: boolean;
				details?: string;
			};
			expect(result.passed).toBe(false);
			expect(result.details).toContain("'setTimeout'");
			expect(result.details).toContain("'globalThis'");
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});

	it('the bundled core maps globalThis to a bundle-local object and uses no host API', () => {
		const bundle = readFileSync(join(nodesDir, 'dist/nodes/ScenarioVideo/core.js'), 'utf8');
		expect(bundle).not.toMatch(/\bglobalThis\b/);
		expect(bundle).toContain('__scenarioVideoBundleScope.__zod_globalConfig');
		expect(bundle).not.toMatch(/\bprocess\.\w|\bsetTimeout\(|\bconsole\.\w|\brequire\("node:/);
	});
});
