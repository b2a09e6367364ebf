/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: waits for Node's warning tick */
/**
 * Many items waiting at once in a real n8n use n8n-workflow's real `sleep`, which listens for the
 * abort for as long as it sleeps. This runs on the real clock (short renders) to show that the
 * items do not pile listeners on one signal, which Node reports in the n8n log as a
 * MaxListenersExceededWarning ("possible EventTarget memory leak").
 */
import { afterEach, expect, it } from 'vitest';
import { startFakeScenario, type FakeScenario } from '@scenario-video/fake-api';
import { imageItem, runNode } from './harness';

let fake: FakeScenario | undefined;
afterEach(async () => {
	await fake?.close();
});

it('runs 16 items at once with no MaxListenersExceededWarning', async () => {
	fake = await startFakeScenario({ jobDurationMs: 1500, teamConcurrencyLimit: 0 });
	const warnings: string[] = [];
	const onWarning = (w: Error) => warnings.push(w.name);
	process.on('warning', onWarning);
	try {
		const items = await Promise.all(Array.from({ length: 16 }, () => imageItem()));
		const run = await runNode({
			parameters: {
				resource: 'video',
				operation: 'generate',
				prompt: (i: number) => `crowd ${i}`,
				options: { maxConcurrentJobs: 16 },
			},
			items,
			credentials: {
				apiKey: fake.credentials.apiKey,
				apiSecret: fake.credentials.apiSecret,
				baseUrl: fake.url,
			},
		});
		expect(run.output).toHaveLength(16);
		expect(
			run.output.every((o) => typeof o.json.jobId === 'string' && o.binary !== undefined),
		).toBe(true);
		await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
	} finally {
		process.off('warning', onWarning);
	}
	expect(warnings).not.toContain('MaxListenersExceededWarning');
}, 30_000);
