/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: virtual time over setImmediate */
/**
 * What an n8n user sees (issue 16): the input item's fields kept on request, one upload per distinct
 * image in an execution, messages in the UI's words ("Item 2", "Number of Frames"), descriptions
 * made of whole sentences, an adopted job marked `recovered`, a timed-out wait that says retrying
 * would pay again, and a prompt-only video (Scenario's reference marks the image optional).
 * Against the fake Scenario API over real HTTP on 127.0.0.1, on virtual time (as execute.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	createManualClock,
	startFakeScenario,
	type FakeScenario,
	type FakeScenarioOptions,
	type ManualClock,
} from '@scenario-video/fake-api';
import { imageItem, makePng, runNode } from './harness';

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
let fake: FakeScenario;

const start = async (options: FakeScenarioOptions = {}) => {
	fake = await startFakeScenario({ clock, jobDurationMs: 60_000, ...options });
};
const credentials = () => ({
	apiKey: fake.credentials.apiKey,
	apiSecret: fake.credentials.apiSecret,
	baseUrl: fake.url,
});
const generate = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
	resource: 'video',
	operation: 'generate',
	prompt: 'The fox turns its head as snow begins to fall',
	...extra,
});
const failure = async (run: Promise<unknown>): Promise<NodeOperationError> =>
	(await run.then(
		() => undefined,
		(e: unknown) => e,
	)) as NodeOperationError;

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
});

describe('Include Input Fields', () => {
	const withFields = async (): Promise<INodeExecutionData> => ({
		...(await imageItem()),
		json: { customer: 'ACME', jobId: 'from-the-input', row: 7 },
	});

	it('is off by default: the output item is the node’s own', async () => {
		await start();
		const run = await runNode({
			parameters: generate(),
			items: [await withFields()],
			credentials: credentials(),
		});
		expect(run.output[0]!.json).not.toHaveProperty('customer');
		expect(run.output[0]!.json.jobId).toMatch(/^job_/);
	});

	it('keeps the input item’s fields when on, the node’s own fields winning a clash', async () => {
		await start();
		for (const parameters of [
			generate({ options: { includeInputFields: true } }),
			{ ...generate({ options: { includeInputFields: true } }), operation: 'submit' },
		]) {
			const run = await runNode({
				parameters,
				items: [await withFields()],
				credentials: credentials(),
			});
			const json = run.output[0]!.json;
			expect(json).toMatchObject({ customer: 'ACME', row: 7 });
			expect(json.jobId).toMatch(/^job_/);
		}
	});
});

describe('uploads', () => {
	it('uploads identical image bytes once per execution, each distinct image once', async () => {
		await start();
		const other = await imageItem();
		other.binary!.data!.data = (await makePng(24, 24)).toString('base64');
		const run = await runNode({
			parameters: generate({ options: { maxConcurrentJobs: 2 } }),
			// Three items carry the same picture (each its own copy, as n8n hands them), one another.
			items: [await imageItem(), await imageItem(), other, await imageItem()],
			credentials: credentials(),
		});
		expect(run.output.map((o) => o.json.error)).toEqual([
			undefined,
			undefined,
			undefined,
			undefined,
		]);
		expect(fake.state().requests.createAsset).toBe(2);
		const images = fake.state().submissions.map((s) => s.input.image);
		expect(new Set(images).size).toBe(2);
	});
	it('does so for Estimate Cost and Submit too, once in each execution', async () => {
		await start();
		const items = async () => [await imageItem(), await imageItem(), await imageItem()];
		const estimate = await runNode({
			parameters: { ...generate(), operation: 'estimateCost' },
			items: await items(),
			credentials: credentials(),
		});
		expect(estimate.output.map((o) => typeof o.json.creativeUnitsCost)).toEqual([
			'number',
			'number',
			'number',
		]);
		expect(fake.state().requests.createAsset).toBe(1);
		const submit = await runNode({
			parameters: { ...generate(), operation: 'submit' },
			items: await items(),
			credentials: credentials(),
		});
		expect(submit.output.map((o) => o.json.jobId)).toHaveLength(3);
		expect(fake.state().requests.createAsset).toBe(2);
	});
});

describe('messages in the UI’s words', () => {
	it('names the item as n8n numbers it and the parameter as the UI shows it', async () => {
		await start();
		const run = await runNode({
			parameters: generate({ numFrames: (i: number) => (i === 1 ? 200 : 81) }),
			items: [await imageItem(), await imageItem()],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(run.output[1]!.json.error).toBe(
			'Invalid parameters: Number of Frames: Too big: expected number to be <=100 (Item 2)',
		);
		expect(run.output[1]!.json.description).toBe('Check the "Number of Frames" parameter.');
	});

	it('ends the hint’s sentence before the next one begins', async () => {
		await start({
			outcomes: [{ outcome: 'failure', error: 'Out of capacity', hint: 'Retry later' }],
		});
		const error = await failure(
			runNode({ parameters: generate(), items: [await imageItem()], credentials: credentials() }),
		);
		expect(error.description).toBe(
			"Scenario's hint: Retry later. Scenario refunds failed jobs. Adjust the prompt or parameters and try again.",
		);
	});

	it('says a timed-out wait is not retryable: a retry would pay again, Job → Wait is the way', async () => {
		await start({ outcomes: [{ outcome: 'never' }] });
		const run = await runNode({
			parameters: generate({ options: { waitTimeoutMinutes: 2 } }),
			items: [await imageItem()],
			credentials: credentials(),
			continueOnFail: true,
		});
		const jobId = fake.state().jobIds[0]!;
		expect(run.output[0]!.json).toMatchObject({ code: 'timed_out', jobId, retryable: false });
		expect(run.output[0]!.json.description).toContain(`"Job → Wait" with job ID ${jobId}`);
	});
});

describe('an adopted job', () => {
	it('is marked recovered: true when the submit’s answer was lost and its job was found', async () => {
		await start({ faults: [{ route: 'generate', kind: 'reset-after-create', times: 1 }] });
		const run = await runNode({
			parameters: generate(),
			items: [await imageItem()],
			credentials: credentials(),
		});
		const json = run.output[0]!.json;
		expect(json).toMatchObject({ status: 'success', recovered: true });
		expect(json.jobId).toBe(fake.state().jobIds[0]);
		expect(fake.state().jobIds).toHaveLength(1);
	});
});

describe('a prompt-only video', () => {
	it('is sent without an image when Image Source is None, uploading nothing', async () => {
		await start();
		const run = await runNode({
			parameters: generate({ imageSource: 'none', resolution: '480p' }),
			credentials: credentials(),
		});
		expect(run.output[0]!.json.status).toBe('success');
		expect(fake.state().requests.createAsset).toBe(0);
		expect(fake.state().submissions[0]!.input).toEqual({
			prompt: 'The fox turns its head as snow begins to fall',
			resolution: '480p',
			numFrames: 81,
			framesPerSecond: 16,
		});
	});
});
