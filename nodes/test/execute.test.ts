/* eslint-disable @n8n/community-nodes/no-restricted-globals -- test code: virtual time over setImmediate */
/**
 * execute() end to end through a fake IExecuteFunctions built from the node's description,
 * against the fake Scenario API over real HTTP on 127.0.0.1. Time is virtual: n8n-workflow's
 * `sleep` advances the fake's manual clock and `Date.now` reads it, so ten-minute renders take
 * milliseconds and nothing here depends on wall-clock speed.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { WAN_PARAMS } from '@scenario-video/core';
import {
	createManualClock,
	readFakeVideoIdentity,
	startFakeScenario,
	type FakeScenario,
	type FakeScenarioOptions,
	type ManualClock,
} from '@scenario-video/fake-api';
import { createContext, imageItem, makePng, node, runNode, type RunContext } from './harness';

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

const START = Date.UTC(2026, 10, 1, 12, 0, 0);
/** Not a secret: a deliberately wrong value for the credential test. */
const WRONG = ['not', 'the', 'secret'].join('-');
const NO_HAZARDS = { authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 };

let clock: ManualClock;
let fake: FakeScenario;
let sleeps: number[];
let onSleep: ((count: number) => void) | undefined;

const start = async (options: FakeScenarioOptions = {}) => {
	fake = await startFakeScenario({ clock, jobDurationMs: 90_000, videoBytes: 300_000, ...options });
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

/** A job as the API reports it (read with the fake's credential). */
const fakeJob = async (jobId: string): Promise<{ metadata: { assetIds: string[] } }> => {
	const auth = Buffer.from(`${fake.credentials.apiKey}:${fake.credentials.apiSecret}`).toString(
		'base64',
	);
	const res = await fetch(`${fake.url}/jobs/${jobId}`, {
		headers: { authorization: `Basic ${auth}` },
	});
	return ((await res.json()) as { job: { metadata: { assetIds: string[] } } }).job;
};

const cdnRequests = (run: RunContext) => run.requests.filter((r) => r.url.startsWith(fake.cdnUrl));
const submitCount = () => fake.state().requests.generate;

beforeEach(() => {
	clock = createManualClock(START);
	sleeps = [];
	onSleep = undefined;
	vi.spyOn(Date, 'now').mockImplementation(() => clock.now());
	time.sleep = (ms, signal) => {
		if (signal?.aborted) return Promise.reject(signal.reason);
		sleeps.push(ms);
		clock.advance(Math.max(0, ms));
		onSleep?.(sleeps.length);
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

describe('Video → Generate', () => {
	it('outputs the MP4 of the right job as binary data, handed to prepareBinaryData whole', async () => {
		await start();
		const run = await runNode({
			parameters: generate(),
			items: [await imageItem()],
			credentials: credentials(),
		});

		expect(run.output).toHaveLength(1);
		const [item] = run.output;
		const jobId = item!.json.jobId as string;
		expect(jobId).toMatch(/^job_/);
		expect(item!.json.status).toBe('success');
		expect(item!.pairedItem).toEqual({ item: 0 });
		const binary = item!.binary!.data!;
		expect(binary.mimeType).toBe('video/mp4');
		expect(binary.fileName).toBe(`${jobId}.mp4`);

		const stored = run.binaries.get(binary.id!)!;
		expect(stored.streamed).toBe(false); // one checked Buffer: nothing partial reaches n8n
		expect(stored.bytes.length).toBeGreaterThanOrEqual(300_000);
		expect(stored.bytes.subarray(4, 8).toString('ascii')).toBe('ftyp');
		const identity = readFakeVideoIdentity(stored.bytes);
		expect(identity?.jobId).toBe(jobId);
		expect((item!.json.videos as IDataObject[])[0]).toMatchObject({
			binaryProperty: 'data',
			bytes: stored.bytes.length,
		});

		// One paid submit; the credential went to the API only, never to the CDN.
		expect(submitCount()).toBe(1);
		expect(fake.state().hazards).toEqual(NO_HAZARDS);
		expect(cdnRequests(run).length).toBeGreaterThan(0);
		for (const r of cdnRequests(run)) {
			expect(r.withCredential).toBe(false);
			expect(r.headers.authorization).toBeUndefined();
		}
		expect(
			run.requests.filter((r) => r.url.startsWith(fake.url)).every((r) => r.withCredential),
		).toBe(true);
		// The wait polled (adaptive) rather than spinning: bounded number of sleeps.
		expect(sleeps.length).toBeGreaterThan(3);
		expect(sleeps.length).toBeLessThan(200);
	});

	it('uses a last frame and the Additional Options, and returns URLs in URL mode', async () => {
		await start();
		const first = await imageItem('data');
		// A different picture: identical bytes would be uploaded once and shared by both frames.
		first.binary!.end = {
			...(await imageItem('end')).binary!.end!,
			data: (await makePng(24, 24)).toString('base64'),
		};
		const run = await runNode({
			parameters: generate({
				lastFrameSource: 'binary',
				lastFrameBinaryProperty: 'end',
				resolution: '480p',
				numFrames: 90,
				framesPerSecond: 12,
				options: { sampleSteps: 20, sampleShift: 7.5, seed: 42 },
				output: 'url',
			}),
			items: [first],
			credentials: credentials(),
		});
		const json = run.output[0]!.json;
		expect(run.output[0]!.binary).toBeUndefined();
		const [video] = json.videos as IDataObject[];
		expect(video!.url).toMatch(new RegExp(`^${fake.cdnUrl}/assets/`));
		const input = fake.state().submissions[0]!.input;
		expect(input).toMatchObject({
			resolution: '480p',
			numFrames: 90,
			framesPerSecond: 12,
			sampleSteps: 20,
			sampleShift: 7.5,
			seed: 42,
		});
		expect(input.lastFrameImage).toMatch(/^asset_/);
		expect(input.image).not.toBe(input.lastFrameImage);
		expect(cdnRequests(run)).toHaveLength(0);
	});

	it('runs items concurrently, never more than Max Concurrent Jobs, outputs in input order', async () => {
		await start();
		const items = await Promise.all([0, 1, 2, 3, 4].map(() => imageItem()));
		const run = await runNode({
			parameters: generate({
				prompt: (i: number) => `clip ${i}`,
				options: { maxConcurrentJobs: 2 },
			}),
			items,
			credentials: credentials(),
		});
		expect(run.output.map((o) => o.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		const jobIds = run.output.map((o) => o.json.jobId as string);
		expect(new Set(jobIds).size).toBe(5);
		for (const o of run.output) {
			const stored = run.binaries.get(o.binary!.data!.id!)!;
			expect(readFakeVideoIdentity(stored.bytes)?.jobId).toBe(o.json.jobId);
		}
		// In flight = submitted and not yet downloaded, replayed from the request log.
		let active = 0;
		let peak = 0;
		for (const r of run.requests) {
			if (r.method === 'POST' && r.url.includes('/generate/custom/'))
				peak = Math.max(peak, ++active);
			if (r.url.startsWith(fake.cdnUrl) && r.method === 'GET') active--;
		}
		expect(peak).toBe(2);
		expect(submitCount()).toBe(5);
		expect(fake.state().hazards).toEqual(NO_HAZARDS);
	});

	it('stops waiting within one poll when the execution is cancelled, naming the job', async () => {
		await start({ outcomes: [{ outcome: 'never' }] });
		const controller = new AbortController();
		let requestsAtAbort = 0;
		onSleep = (count) => {
			if (count === 6) {
				requestsAtAbort = fake.state().requests.getJob;
				controller.abort(new Error('cancelled by the user'));
			}
		};
		const ctx = createContext({
			parameters: generate(),
			items: [await imageItem()],
			credentials: credentials(),
			continueOnFail: true, // a cancel is fatal anyway
			signal: controller.signal,
		});
		const run: RunContext = ctx;
		const error = await node.execute!.call(run.ctx).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		const jobId = fake.state().jobIds[0]!;
		expect((error as Error).message).toContain(jobId);
		expect((error as Error).message).toMatch(/ \(Item 1\)$/);
		expect((error as NodeOperationError).description).toContain('Job → Wait');
		expect(fake.state().requests.getJob - requestsAtAbort).toBeLessThanOrEqual(1);
		expect(sleeps.length).toBe(6);
		expect(submitCount()).toBe(1);
	});

	it('with Continue On Fail, a failed item carries the error and its job id; the others still render', async () => {
		await start({
			outcomes: [
				{
					outcome: 'failure',
					promptIncludes: 'melt',
					error: 'NSFW content',
					hint: 'Try another prompt',
				},
			],
		});
		const run = await runNode({
			parameters: generate({
				prompt: (i: number) => (i === 1 ? 'the clock melts' : 'a calm lake'),
			}),
			items: [await imageItem(), await imageItem()],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(run.output).toHaveLength(2);
		expect(run.output[0]!.binary?.data).toBeDefined();
		const failed = run.output[1]!;
		expect(failed.pairedItem).toEqual({ item: 1 });
		expect(failed.binary).toBeUndefined();
		expect(failed.json).toMatchObject({
			code: 'job_failed',
			hint: 'Try another prompt',
			reason: 'NSFW content',
		});
		const jobId = failed.json.jobId as string;
		expect(jobId).toMatch(/^job_/);
		expect(failed.json.error).toContain(jobId);
		expect(failed.json.error).toMatch(/ \(Item 2\)$/);
		expect(JSON.stringify(run.output)).not.toContain(fake.credentials.apiSecret);
	});

	it('without Continue On Fail, throws a node error naming the job, the item and what to do', async () => {
		await start({
			outcomes: [{ outcome: 'failure', error: 'Out of capacity', hint: 'Retry later' }],
		});
		const error = await runNode({
			parameters: generate(),
			items: [await imageItem()],
			credentials: credentials(),
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		const jobId = fake.state().jobIds[0]!;
		expect((error as Error).message).toBe(
			`Job ${jobId} failed: Out of capacity (hint: Retry later) (Item 1)`,
		);
		expect((error as NodeOperationError).description).toContain('Retry later');
		expect(JSON.stringify(error)).not.toContain(fake.credentials.apiSecret);
	});

	it('times out with the job id and points to Job → Wait (the job keeps running)', async () => {
		await start({ outcomes: [{ outcome: 'never' }] });
		const error = await runNode({
			parameters: generate({ options: { waitTimeoutMinutes: 2 } }),
			items: [await imageItem()],
			credentials: credentials(),
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		const jobId = fake.state().jobIds[0]!;
		expect((error as Error).message).toContain(`Job ${jobId} did not finish within 120 s`);
		expect((error as NodeOperationError).description).toContain(
			`"Job → Wait" with job ID ${jobId}`,
		);
		expect(submitCount()).toBe(1);
	});

	it('when one item fails without Continue On Fail, names the jobs other items left running', async () => {
		await start({ outcomes: [{ outcome: 'failure', promptIncludes: 'melt', durationMs: 20_000 }] });
		const error = await runNode({
			parameters: generate({
				prompt: (i: number) => (i === 0 ? 'the clock melts' : 'a calm lake'),
			}),
			items: [await imageItem(), await imageItem()],
			credentials: credentials(),
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		const [failedJob, otherJob] = fake.state().jobIds;
		expect((error as Error).message).toContain(failedJob!);
		expect((error as NodeOperationError).description).toContain(
			`${otherJob} (Item 2, still running`,
		);
		expect(submitCount()).toBe(2);
	});

	it("when one item fails without Continue On Fail, names the finished items' jobs with their assets too", async () => {
		// Item 0 finishes (paid, downloaded) long before item 1 fails: its output is lost with the
		// throw, so the error must say where the paid video is.
		await start({
			outcomes: [
				{ outcome: 'success', promptIncludes: 'quick', durationMs: 30_000 },
				{ outcome: 'failure', promptIncludes: 'melt', durationMs: 300_000 },
			],
		});
		const error = await runNode({
			parameters: generate({
				prompt: (i: number) => (i === 0 ? 'a quick calm lake' : 'the clock melts'),
			}),
			items: [await imageItem(), await imageItem()],
			credentials: credentials(),
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		const [finishedJob, failedJob] = fake.state().jobIds;
		const assetId = (await fakeJob(finishedJob!)).metadata.assetIds[0];
		expect((error as Error).message).toContain(failedJob!);
		const description = (error as NodeOperationError).description ?? '';
		expect(description).toContain(`${finishedJob} (Item 1, finished: asset ${assetId})`);
		expect(submitCount()).toBe(2);
	});

	it("delivers every item when items outnumber the team's limit and renders take minutes", async () => {
		// 3 items, Max Concurrent Jobs 3, a team limit of 1, 100 s renders: the second and third items
		// wait for a slot as long as the first ones keep finishing, never giving up after N refusals.
		await start({ teamConcurrencyLimit: 1, jobDurationMs: 100_000 });
		const run = await runNode({
			parameters: generate({
				prompt: (i: number) => `a lighthouse beam sweeps the fog, take ${i}`,
				options: { maxConcurrentJobs: 3 },
			}),
			items: [await imageItem(), await imageItem(), await imageItem()],
			credentials: credentials(),
		});
		expect(run.output.map((o) => o.json.error)).toEqual([undefined, undefined, undefined]);
		const state = fake.state();
		expect(state.jobIds).toHaveLength(3);
		// Refused submits wait for one of ours to end: a couple of 429s at first, never a storm.
		expect(state.submissions.filter((s) => s.status === 429).length).toBeLessThanOrEqual(4);
		expect(state.hazards).toEqual(NO_HAZARDS);
	});

	it("shares the team's slots between concurrent executions of one credential", async () => {
		await start({ teamConcurrencyLimit: 1, jobDurationMs: 100_000 });
		const execution = async (tag: string) =>
			runNode({
				parameters: generate({
					prompt: (i: number) => `waves on a pier, ${tag} ${i}`,
					options: { maxConcurrentJobs: 2 },
				}),
				items: [await imageItem(), await imageItem()],
				credentials: credentials(),
			});
		const runs = await Promise.all([execution('first'), execution('second')]);
		for (const run of runs)
			expect(run.output.map((o) => o.json.error)).toEqual([undefined, undefined]);
		const state = fake.state();
		expect(state.jobIds).toHaveLength(4);
		expect(state.submissions.filter((s) => s.status === 429).length).toBeLessThanOrEqual(3);
	});

	it('refuses invalid parameters before uploading or paying anything', async () => {
		await start();
		const error = await runNode({
			parameters: generate({ numFrames: 200 }),
			items: [await imageItem()],
			credentials: credentials(),
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect((error as Error).message).toMatch(/Number of Frames: Too big/);
		expect(fake.state().requests.createAsset).toBe(0);
		expect(submitCount()).toBe(0);
	});

	it('refuses wrong-typed Additional Options by name instead of dropping them', async () => {
		await start();
		const run = await runNode({
			parameters: generate({
				options: (i: number) => (i === 0 ? { seed: '42' } : { sampleSteps: 'many' }),
			}),
			items: [await imageItem(), await imageItem()],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(run.output.map((o) => [o.json.code, o.json.field])).toEqual([
			['invalid_input', 'seed'],
			['invalid_input', 'sampleSteps'],
		]);
		expect(fake.state().requests.createAsset).toBe(0);
		expect(submitCount()).toBe(0);
	});

	it('names a missing binary field and refuses a binary that is not an image, before uploading', async () => {
		await start();
		const text = await imageItem();
		text.binary!.data!.data = Buffer.from('not an image').toString('base64');
		text.binary!.data!.fileName = 'notes.png';
		const run = await runNode({
			parameters: generate({ imageBinaryProperty: (i: number) => (i === 0 ? 'photo' : 'data') }),
			items: [await imageItem(), text],
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(run.output[0]!.json).toMatchObject({
			code: 'invalid_input',
			field: 'imageBinaryProperty',
			error:
				'This item has no binary field "photo" (Input Binary Field); its binary fields are: data (Item 1)',
		});
		expect(run.output[1]!.json).toMatchObject({
			code: 'invalid_input',
			field: 'imageBinaryProperty',
			error: expect.stringContaining('The binary field "data" (notes.png, image/png) is not a PNG'),
		});
		expect(fake.state().requests.createAsset).toBe(0);
	});

	it('reports a wrong API secret as an API error without leaking it', async () => {
		await start();
		const error = await runNode({
			parameters: generate({ imageSource: 'assetId', imageAssetId: 'asset_x' }),
			credentials: { ...credentials(), apiSecret: WRONG },
		}).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(NodeApiError);
		expect((error as NodeApiError).httpCode).toBe('401');
		expect((error as NodeApiError).description).toContain('API key and secret');
		expect(JSON.stringify(error)).not.toContain(WRONG);
		expect(String((error as Error).message)).not.toContain(WRONG);
	});
});

describe('Video → Submit, Job → Wait / Get', () => {
	it('Submit returns the job at once; Job → Wait resumes it by id without paying again', async () => {
		await start();
		const submitted = await runNode({
			parameters: { resource: 'video', operation: 'submit', prompt: 'A paper boat drifts' },
			items: [await imageItem()],
			credentials: credentials(),
		});
		const jobId = submitted.output[0]!.json.jobId as string;
		expect(submitted.output[0]!.json).toMatchObject({
			status: 'submitted',
			creativeUnitsCost: 7.25,
		});
		expect(sleeps).toHaveLength(0); // nothing waited

		const got = await runNode({
			parameters: { resource: 'job', operation: 'get', jobId },
			credentials: credentials(),
		});
		expect(got.output[0]!.json).toMatchObject({ jobId, status: 'pending' });

		const waited = await runNode({
			parameters: { resource: 'job', operation: 'wait', jobId },
			credentials: credentials(),
		});
		const stored = waited.binaries.get(waited.output[0]!.binary!.data!.id!)!;
		expect(readFakeVideoIdentity(stored.bytes)?.jobId).toBe(jobId);
		expect(stored.streamed).toBe(false);
		expect(submitCount()).toBe(1);
		expect(fake.state().hazards).toEqual(NO_HAZARDS);
	});

	it('Job → Wait names an unknown job in the error JSON with Continue On Fail', async () => {
		await start();
		const run = await runNode({
			parameters: { resource: 'job', operation: 'wait', jobId: 'job_does_not_exist' },
			credentials: credentials(),
			continueOnFail: true,
		});
		expect(run.output[0]!.json).toMatchObject({ jobId: 'job_does_not_exist', status: 404 });
	});
});

describe('Video → Estimate Cost, Asset → Upload', () => {
	it('quotes with the dry run (query flag), creating no job', async () => {
		await start();
		const run = await runNode({
			parameters: {
				resource: 'video',
				operation: 'estimateCost',
				prompt: 'x',
				imageSource: 'binary',
			},
			items: [await imageItem()],
			credentials: credentials(),
		});
		expect(run.output[0]!.json).toMatchObject({
			creativeUnitsCost: 7.25,
			modelId: 'model_wan-2-2-i2v-a14b',
		});
		expect(fake.state().jobIds).toHaveLength(0);
		expect(fake.state().hazards).toEqual(NO_HAZARDS);
	});

	it('uploads an image from a binary field as an asset', async () => {
		await start();
		const run = await runNode({
			parameters: { resource: 'asset', operation: 'upload' },
			items: [await imageItem()],
			credentials: credentials(),
		});
		expect(run.output[0]!.json.assetId).toMatch(/^asset_/);
		expect(run.output[0]!.pairedItem).toEqual({ item: 0 });
	});
});

describe('the description', () => {
	const prop = (name: string): INodeProperties =>
		node.description.properties.find((p) => p.name === name)!;
	const option = (name: string): INodeProperties =>
		node.description.properties
			.flatMap((p) => (p.type === 'collection' ? (p.options as INodeProperties[]) : []))
			.find((o) => o.name === name)!;

	it("matches the core's Wan 2.2 table (defaults and ranges)", () => {
		for (const [name, spec] of Object.entries(WAN_PARAMS)) {
			const p = name === 'sampleSteps' || name === 'sampleShift' ? option(name) : prop(name);
			expect(p.default, name).toBe(spec.default);
			if ('min' in spec) {
				expect(p.typeOptions?.minValue, name).toBe(spec.min);
				expect(p.typeOptions?.maxValue, name).toBe(spec.max);
			} else {
				expect((p.options as Array<{ value: string }>).map((o) => o.value).sort()).toEqual(
					[...spec.values].sort(),
				);
			}
		}
	});

	it('hides parameters the way n8n does: a hidden parameter cannot be set or read', () => {
		expect(() =>
			createContext({
				parameters: generate({ imageUrl: 'https://x.test/a.png' }),
				credentials: {},
			}),
		).toThrow(/hidden/);
		const { ctx } = createContext({ parameters: generate({ output: 'url' }), credentials: {} });
		expect(() => ctx.getNodeParameter('binaryPropertyOutput', 0)).toThrow(/not shown/);
		expect(ctx.getNodeParameter('imageBinaryProperty', 0)).toBe('data');
	});

	it('is usable as a tool and pairs the credential', () => {
		expect(node.description.usableAsTool).toBe(true);
		expect(node.description.credentials).toEqual([{ name: 'scenarioApi', required: true }]);
	});
});
