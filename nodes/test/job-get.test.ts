/**
 * Job → Get's `done` and `nextWaitSeconds`, which a loop of n8n Wait nodes around a long render
 * reads (examples/n8n/scenario-video-long-render.json). Against the fake Scenario API on a manual
 * clock: a five-minute render is looked at as such a loop would, waiting the suggestion but never
 * less than the 65 s that make n8n offload the execution.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	createManualClock,
	startFakeScenario,
	type FakeScenario,
	type ManualClock,
} from '@scenario-video/fake-api';
import { imageItem, runNode } from './harness';

const START = Date.UTC(2026, 11, 7, 12, 0, 0);
const RENDER_MS = 300_000;

let clock: ManualClock;
let fake: FakeScenario;

const credentials = () => ({
	apiKey: fake.credentials.apiKey,
	apiSecret: fake.credentials.apiSecret,
	baseUrl: fake.url,
});

const submit = async (prompt: string): Promise<string> => {
	const run = await runNode({
		parameters: { resource: 'video', operation: 'submit', prompt },
		items: [await imageItem()],
		credentials: credentials(),
	});
	return run.output[0]!.json.jobId as string;
};

const get = async (jobId: string) => {
	const run = await runNode({
		parameters: { resource: 'job', operation: 'get', jobId },
		credentials: credentials(),
	});
	return run.output[0]!.json as { status: string; done: boolean; nextWaitSeconds: number };
};

beforeEach(async () => {
	clock = createManualClock(START);
	vi.spyOn(Date, 'now').mockImplementation(() => clock.now());
	fake = await startFakeScenario({ clock, jobDurationMs: RENDER_MS, videoBytes: 0 });
});

afterEach(async () => {
	vi.restoreAllMocks();
	await fake?.close();
});

describe('Job → Get for a loop of Wait nodes', () => {
	it('says when a five-minute render is done and when to look again, so a 65 s loop looks 4 times', async () => {
		const jobId = await submit('A lighthouse beam sweeps through fog');
		const looks: Array<{ at: number; status: string; done: boolean; next: number }> = [];
		clock.advance(65_000); // the Wait node after Submit
		for (let i = 0; i < 20; i++) {
			const job = await get(jobId);
			const at = clock.now() - START;
			looks.push({ at, status: job.status, done: job.done, next: job.nextWaitSeconds });
			if (job.done) break;
			expect(job.nextWaitSeconds).toBeGreaterThanOrEqual(1);
			// Never a look far past the end: the suggestion aims at or just after it.
			expect(at + job.nextWaitSeconds * 1000).toBeLessThanOrEqual(RENDER_MS + 3_000);
			clock.advance(Math.max(65, job.nextWaitSeconds) * 1000);
		}
		const last = looks[looks.length - 1]!;
		expect(last).toMatchObject({ status: 'success', done: true, next: 0 });
		// 65 s (warming up), 130 s (running: the end estimated at 300 s, look at 0.9 of the way),
		// 287 s (finalizing), then done: 4 looks where a fixed 65 s loop needs 5.
		expect(looks.length).toBeLessThanOrEqual(4);
		expect(last.at).toBeLessThan(RENDER_MS + 65_000);
		expect(fake.state().requests.generate).toBe(1);
	});

	it('aims at the end estimated from progress once the job runs', async () => {
		const jobId = await submit('Waves roll onto a pebble beach');
		clock.advance(30_000); // still queued: only the job's age tells
		const queued = await get(jobId);
		expect(queued.done).toBe(false);
		expect(queued.nextWaitSeconds).toBe(30);

		clock.advance(120_000); // 150 s: in progress, a third done, 150 s to go
		const running = await get(jobId);
		expect(running.status).toBe('in-progress');
		expect(running.nextWaitSeconds).toBeGreaterThanOrEqual(120);
		expect(running.nextWaitSeconds).toBeLessThanOrEqual(150);

		clock.advance(145_000); // 295 s: seconds from the end
		const nearEnd = await get(jobId);
		expect(nearEnd.done).toBe(false);
		expect(295 + nearEnd.nextWaitSeconds).toBeGreaterThanOrEqual(300);
		expect(295 + nearEnd.nextWaitSeconds).toBeLessThanOrEqual(303);
	});

	it('a failed job is done too (Job → Wait then reports its error at once)', async () => {
		fake.setOptions({ outcomes: [{ outcome: 'failure', error: 'NSFW content' }] });
		const jobId = await submit('A storm over the harbour');
		clock.advance(RENDER_MS);
		expect(await get(jobId)).toMatchObject({ status: 'failure', done: true, nextWaitSeconds: 0 });
	});
});
