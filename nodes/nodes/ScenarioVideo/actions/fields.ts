import type { INodeProperties } from 'n8n-workflow';

// Defaults and ranges are literals (n8n's lint reads them statically), the one place the Wan 2.2
// table is written again: tests check them against the core's WAN_PARAMS so they cannot drift
// (defaults, ranges and options in test/execute.test.ts, the ranges in the descriptions in
// test/fields.test.ts). The cross-field rule (a last frame needs an image) is the core's
// `planRender` (helpers/input.ts calls it before any upload); nothing here restates it.

const sourceOptions = {
	assetId: { name: 'Asset ID', value: 'assetId', description: 'An existing Scenario asset' },
	binary: { name: 'Binary File', value: 'binary', description: 'A binary file of the input item' },
	none: { name: 'None', value: 'none', description: 'No last frame' },
	noImage: {
		name: 'None',
		value: 'none',
		description:
			"No image: a prompt-only video (Scenario's reference marks the image optional; Scenario decides)",
	},
	url: {
		name: 'URL',
		value: 'url',
		description: 'Downloaded from a URL (without credentials), then uploaded to Scenario',
	},
};

export const imageSourceField: INodeProperties = {
	displayName: 'Image Source',
	name: 'imageSource',
	type: 'options',
	options: [sourceOptions.assetId, sourceOptions.binary, sourceOptions.noImage, sourceOptions.url],
	default: 'binary',
	description: 'Where the first frame of the video comes from',
};

export const imageFields: INodeProperties[] = [
	{
		displayName: 'Input Binary Field',
		name: 'imageBinaryProperty',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the input binary field containing the image',
		displayOptions: { show: { imageSource: ['binary'] } },
	},
	{
		displayName: 'Image Asset ID',
		name: 'imageAssetId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. asset_GTrL3mq4SXWyMxkOHRxlpw',
		description: 'ID of the Scenario asset to use as the image',
		displayOptions: { show: { imageSource: ['assetId'] } },
	},
	{
		displayName: 'Image URL',
		name: 'imageUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/frame.png',
		description: 'Public http(s) URL of the image',
		displayOptions: { show: { imageSource: ['url'] } },
	},
];

const lastFrameFields: INodeProperties[] = [
	{
		displayName: 'Last Frame Source',
		name: 'lastFrameSource',
		type: 'options',
		options: [sourceOptions.assetId, sourceOptions.binary, sourceOptions.none, sourceOptions.url],
		default: 'none',
		description: 'Optionally, where the last frame of the video comes from',
	},
	{
		displayName: 'Last Frame Binary Field',
		name: 'lastFrameBinaryProperty',
		type: 'string',
		default: 'lastFrame',
		required: true,
		hint: 'The name of the input binary field containing the last frame',
		displayOptions: { show: { lastFrameSource: ['binary'] } },
	},
	{
		displayName: 'Last Frame Asset ID',
		name: 'lastFrameAssetId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. asset_GTrL3mq4SXWyMxkOHRxlpw',
		description: 'ID of the Scenario asset to use as the last frame',
		displayOptions: { show: { lastFrameSource: ['assetId'] } },
	},
	{
		displayName: 'Last Frame URL',
		name: 'lastFrameUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. https://example.com/last-frame.png',
		description: 'Public http(s) URL of the last frame',
		displayOptions: { show: { lastFrameSource: ['url'] } },
	},
];

/** Prompt, images and the common Wan 2.2 parameters. */
export const videoInputFields: INodeProperties[] = [
	{
		displayName: 'Prompt',
		name: 'prompt',
		type: 'string',
		typeOptions: { rows: 3 },
		default: '',
		required: true,
		placeholder: 'e.g. The fox turns its head as snow begins to fall',
		description: 'What should happen in the video',
	},
	imageSourceField,
	...imageFields,
	...lastFrameFields,
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: [
			{ name: '480p', value: '480p' },
			{ name: '720p', value: '720p' },
		],
		default: '720p',
		description: 'Resolution of the video',
	},
	{
		displayName: 'Number of Frames',
		name: 'numFrames',
		type: 'number',
		typeOptions: { minValue: 81, maxValue: 100 },
		default: 81,
		description: 'Length of the video in frames (81–100)',
	},
	{
		displayName: 'Frames per Second',
		name: 'framesPerSecond',
		type: 'number',
		typeOptions: { minValue: 5, maxValue: 24 },
		default: 16,
		description: 'Playback speed (5–24)',
	},
];

export const maxConcurrentJobsOption: INodeProperties = {
	displayName: 'Max Concurrent Jobs',
	name: 'maxConcurrentJobs',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 32 },
	default: 4,
	description: 'How many input items are worked on at the same time',
};

export const waitTimeoutOption: INodeProperties = {
	displayName: 'Wait Timeout (Minutes)',
	name: 'waitTimeoutMinutes',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 1440 },
	default: 30,
	description:
		'How long to wait for the video. The job keeps running after that; get it later with Job → Wait.',
};

/** The rare Wan 2.2 parameters and the model override (Additional Options), sorted by name. */
export const tuningOptions: INodeProperties[] = [
	{
		displayName: 'Model ID',
		name: 'modelId',
		type: 'string',
		default: 'model_wan-2-2-i2v-a14b',
		description:
			'Another Scenario model to run instead of Wan 2.2. Its parameters go in Model Parameters (JSON); the Wan 2.2 fields are then ignored.',
	},
	{
		displayName: 'Model Parameters (JSON)',
		name: 'modelParams',
		type: 'json',
		default: '{}',
		description:
			'Raw parameters sent to the model, checked by Scenario only. With Wan 2.2 they are added to the fields above.',
	},
	{
		displayName: 'Sample Shift',
		name: 'sampleShift',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20, numberPrecision: 2 },
		default: 5,
		description: 'Sampling shift (1–20)',
	},
	{
		displayName: 'Sample Steps',
		name: 'sampleSteps',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 50 },
		default: 30,
		description: 'Denoising steps: more is slower and finer (1–50)',
	},
	{
		displayName: 'Seed',
		name: 'seed',
		type: 'number',
		default: 0,
		description: 'Fixed seed for a reproducible video. Leave this option out for a random seed.',
	},
];

/** How the finished video is returned (Generate, Job → Wait). */
export const outputFields: INodeProperties[] = [
	{
		displayName: 'Output',
		name: 'output',
		type: 'options',
		options: [
			{
				name: 'Binary File',
				value: 'binary',
				description: 'Download the MP4 into a binary field of the output item',
			},
			{
				name: 'URL',
				value: 'url',
				description: 'Return signed download URLs (they expire) without downloading',
			},
		],
		default: 'binary',
		description: 'How to return the finished video',
	},
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyOutput',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the output binary field to put the video in',
		displayOptions: { show: { output: ['binary'] } },
	},
];

export const includeInputFieldsOption: INodeProperties = {
	displayName: 'Include Input Fields',
	name: 'includeInputFields',
	type: 'boolean',
	default: false,
	description:
		"Whether to keep the input item's JSON fields in the output item (the node's own fields win on a clash)",
};

/**
 * Names as the UI shows them, for messages: every parameter of this node by its display name, and
 * the core's own field names (the request's keys, `image.url`…) by the parameter they come from.
 */
const LABELS: ReadonlyMap<string, string> = new Map([
	...[
		...videoInputFields,
		...imageFields,
		...lastFrameFields,
		...tuningOptions,
		...outputFields,
		maxConcurrentJobsOption,
		waitTimeoutOption,
		includeInputFieldsOption,
		{ name: 'jobId', displayName: 'Job ID' },
	].map((p): [string, string] => [p.name, p.displayName]),
	['image', 'Image Source'],
	['image.assetId', 'Image Asset ID'],
	['image.url', 'Image URL'],
	['lastFrameImage', 'Last Frame Source'],
	['lastFrameImage.assetId', 'Last Frame Asset ID'],
	['lastFrameImage.url', 'Last Frame URL'],
]);

/** A field's name as the UI shows it ("Number of Frames" for `numFrames`); unknown names as they are. */
export const fieldLabel = (field: string): string => LABELS.get(field) ?? field;

/** Longest first, so `lastFrameImage.url` is replaced whole before `lastFrameImage`. */
const CODE_NAMES = [...LABELS.keys()]
	.filter((k) => /[A-Z.]/.test(k))
	.sort((a, b) => b.length - a.length);
const CODE_NAME = new RegExp(
	`(?<![\\w.])(${CODE_NAMES.map((k) => k.replace(/\./g, '\\.')).join('|')})(?![\\w])`,
	'g',
);

/**
 * A message with the code names of parameters (`numFrames`, `image.url`…) replaced by their labels.
 * Plain words such as "image" or "prompt" are left alone: they read as English already.
 */
export const labelFieldNames = (message: string): string =>
	message.replace(CODE_NAME, (name) => fieldLabel(name));
