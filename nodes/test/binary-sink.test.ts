/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: virtual time over setImmediate */
/**
 * How a downloaded video reaches n8n's binary data (transport/binary.ts): whole and checked, from
 * one Buffer, after the core resumed a cut download; and a video above the node's size cap fails
 * at once with an error that names the job and says how to get the video instead. Against the
 * fake Scenario API over real HTTP on 127.0.0.1, on the fake's manual clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
	createManualClock,
	readFakeVideoIdentity,
	startFakeScenario,
	type FakeScenario,
	type FakeScenarioOptions,
	type ManualClock,
} from '@scenario-video/fake-api';
import { MAX_BINARY_VIDEO_BYTES } from '../nodes/ScenarioVideo/transport/binary';
import { imageItem, runNode } from './harness';

const time = vi.hoisted(() => ({
	sleep: undefined as undefined | ((ms: number, signal?: AbortSignal) => Promise<void>),
}));
vi.mock('n8n-workflow', async (importOriginal) => {
	const actual = await importOriginal<typeof import('n8n-workflow')>();
	return {
		...actual,
		sleep: (ms: number, signal?: AbortSignal) => (time.sleep ?? actual.sleep)(ms, signal),
	};
});

let clock: ManualClock;
let fake: FakeScenario | undefined;

beforeEach(() => {
	clock = createManualClock(Date.UTC(2026, 10, 1, 12, 0, 0));
	vi.spyOn(Date, 'now').mockImplementation(() => clock.now());
	time.sleep = (ms, signal) => {
		if (signal?.aborted) return Promise.reject(signal.reason);
		clock.advance(Math.max(0, ms));
		return new Promise((resolve, reject) =>
			setImmediate(() => (signal?.aborted ? reject(signal.reason) : resolve())),
		);
	};
});

afterEach(async () => {
	vi.restoreAllMocks();
	time.sleep = undefined;
	await fake?.close();
	fake = undefined;
});

const generate = async (videoBytes: number, faults: FakeScenarioOptions['faults'] = []) => {
	fake = await startFakeScenario({ clock, jobDurationMs: 60_000, videoBytes, faults });
	return await runNode({
		parameters: { resource: 'video', operation: 'generate', prompt: 'A paper boat drifts' },
		items: [await imageItem()],
		credentials: {
			apiKey: fake.credentials.apiKey,
			apiSecret: fake.credentials.apiSecret,
			baseUrl: fake.url,
		},
		continueOnFail: true,
	});
};

describe('the binary sink', () => {
	it('hands n8n the whole video once, after the core resumed a download cut halfway', async () => {
		const run = await generate(2_000_000, [{ route: 'cdn', kind: 'truncate', times: 1 }]);
		const item = run.output[0]!;
		expect(item.json.error).toBeUndefined();
		const stored = run.binaries.get(item.binary!.data!.id!)!;
		expect(stored.streamed).toBe(false);
		expect(stored.bytes.length).toBeGreaterThanOrEqual(2_000_000);
		expect(readFakeVideoIdentity(stored.bytes)?.jobId).toBe(item.json.jobId);
		// Resumed with a Range request, not downloaded from the start again.
		expect(
			run.requests.filter((r) => r.url.startsWith(fake!.cdnUrl) && r.headers.range),
		).toHaveLength(1);
		expect(run.binaries.size).toBe(1);
	});

	it('refuses a video above the cap with an error naming the job and the way to get it, paying once', async () => {
		const run = await generate(MAX_BINARY_VIDEO_BYTES + 1024 * 1024);
		const item = run.output[0]!;
		const jobId = fake!.state().submissions[0]!.jobId;
		expect(item.json).toMatchObject({ jobId, code: 'download_incomplete' });
		expect(String(item.json.error)).toContain('larger than 256 MiB');
		expect(String(item.json.error)).toContain('"Output" to "URL"');
		expect(String(item.json.error)).toContain(`scenario-video job ${jobId} --download`);
		expect(item.binary).toBeUndefined();
		expect(run.binaries.size).toBe(0); // nothing partial stored
		expect(fake!.state().requests.generate).toBe(1);
		// Refused at the cap, not retried: one CDN request.
		expect(run.requests.filter((r) => r.url.startsWith(fake!.cdnUrl))).toHaveLength(1);
	}, 60_000);
});
