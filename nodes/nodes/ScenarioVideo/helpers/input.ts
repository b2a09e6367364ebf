import { createHash } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { fieldLabel } from '../actions/fields';
import {
	ScenarioError,
	WAN_MODEL_ID,
	planRender,
	sniffImageType,
	toScenarioError,
	type ImageBytes,
	type ImageInput,
	type RenderInput,
	type ScenarioClient,
} from '../core';

const invalid = (message: string, field: string): ScenarioError =>
	new ScenarioError({ code: 'invalid_input', message, field, retryable: false });

/** The image a `<prefix>Source` parameter points at, or undefined for "None". */
export async function readImage(
	this: IExecuteFunctions,
	itemIndex: number,
	prefix: 'image' | 'lastFrame',
): Promise<ImageInput | undefined> {
	const source = this.getNodeParameter(`${prefix}Source`, itemIndex, 'none') as string;
	if (source === 'none') return undefined;
	if (source === 'assetId') {
		const assetId = (this.getNodeParameter(`${prefix}AssetId`, itemIndex, '') as string).trim();
		if (assetId === '')
			throw invalid(`${fieldLabel(`${prefix}AssetId`)} is empty`, `${prefix}AssetId`);
		return { assetId };
	}
	if (source === 'url') {
		const url = (this.getNodeParameter(`${prefix}Url`, itemIndex, '') as string).trim();
		if (url === '') throw invalid(`${fieldLabel(`${prefix}Url`)} is empty`, `${prefix}Url`);
		return { url };
	}
	const parameter = `${prefix}BinaryProperty`;
	const label = fieldLabel(parameter);
	const field = this.getNodeParameter(parameter, itemIndex, 'data') as string;
	const present = Object.keys(this.getInputData()[itemIndex]?.binary ?? {});
	if (!present.includes(field)) {
		throw invalid(
			`This item has no binary field "${field}" (${label}); ${
				present.length > 0
					? `its binary fields are: ${present.join(', ')}`
					: 'it has no binary data: add the image to the item first (e.g. with a Read/Write Files from Disk or HTTP Request node)'
			}`,
			parameter,
		);
	}
	const meta = this.helpers.assertBinaryData(itemIndex, field);
	const buffer = await this.helpers.getBinaryDataBuffer(itemIndex, field);
	const image: ImageBytes = {
		bytes: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
		fileName: meta.fileName ?? `${field}.${meta.fileExtension ?? 'png'}`,
	};
	// Caught here, the error names the field; Scenario would only answer "Unhandled image format".
	if (sniffImageType(image.bytes) === undefined) {
		throw invalid(
			`The binary field "${field}" (${image.fileName}${meta.mimeType ? `, ${meta.mimeType}` : ''}) is not a PNG, JPEG, GIF, WebP, AVIF, HEIF, TIFF or SVG image`,
			parameter,
		);
	}
	if (meta.mimeType?.startsWith('image/')) image.mimeType = meta.mimeType;
	return image;
}

const parseJsonParams = (value: unknown): Record<string, unknown> => {
	let parsed: unknown = value;
	if (typeof value === 'string') {
		if (value.trim() === '') return {};
		try {
			parsed = JSON.parse(value);
		} catch {
			throw invalid('Model Parameters (JSON) is not valid JSON', 'modelParams');
		}
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw invalid('Model Parameters (JSON) must be a JSON object', 'modelParams');
	}
	return parsed as Record<string, unknown>;
};

/**
 * A render as the core takes it, from the node's parameters: prompt, images and, for Wan 2.2, the
 * typed parameters (the rare ones from Additional Options); for another model ID, the raw JSON
 * parameters instead. Validated by the core (`planRender`) before anything is uploaded or paid.
 */
export async function readRenderInput(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<RenderInput> {
	const options = this.getNodeParameter('options', itemIndex, {}) as IDataObject;
	const modelId =
		typeof options.modelId === 'string' && options.modelId.trim() !== ''
			? options.modelId.trim()
			: WAN_MODEL_ID;
	const params = parseJsonParams(options.modelParams ?? {});
	const input: RenderInput = {
		prompt: this.getNodeParameter('prompt', itemIndex) as string,
		image: await readImage.call(this, itemIndex, 'image'),
		...(Object.keys(params).length > 0 ? { params } : {}),
	};
	const lastFrameImage = await readImage.call(this, itemIndex, 'lastFrame');
	if (lastFrameImage !== undefined) input.lastFrameImage = lastFrameImage;
	if (modelId !== WAN_MODEL_ID) {
		input.modelId = modelId;
		return input;
	}
	input.resolution = this.getNodeParameter('resolution', itemIndex) as '720p' | '480p';
	input.numFrames = this.getNodeParameter('numFrames', itemIndex) as number;
	input.framesPerSecond = this.getNodeParameter('framesPerSecond', itemIndex) as number;
	// Set options go to the core's validation as they are: a wrong type (an expression giving
	// "42") is refused naming the option, never silently dropped.
	for (const key of ['sampleSteps', 'sampleShift', 'seed'] as const) {
		const value = options[key];
		if (value !== undefined && value !== null && value !== '') input[key] = value as number;
	}
	return input;
}

/**
 * Uploads of this execution by content: the SHA-256 of an image's bytes (or its URL) → its asset id.
 *
 * The core's client shares an upload only for the same bytes *object*, and n8n hands every item
 * its own Buffer (`getBinaryDataBuffer` reads the binary data anew, even when ten items carry one
 * image), so without this each item uploaded the same picture again. Keyed by the client, which the
 * router makes once per execution: the map lives as long as the execution and holds only ids, never
 * image bytes. A failed upload is forgotten, and an item that was waiting for it uploads on its own.
 */
const uploadsByClient = new WeakMap<ScenarioClient, Map<string, Promise<string>>>();

const contentKey = (image: ImageInput): string | undefined => {
	if ('bytes' in image) return `sha256:${createHash('sha256').update(image.bytes).digest('hex')}`;
	if ('url' in image) return `url:${image.url}`;
	return undefined;
};

/** `shared`, unless `signal` aborts first: an item waiting for another's upload still stops when told. */
const untilAborted = async <T>(shared: Promise<T>, signal: AbortSignal): Promise<T> =>
	await new Promise<T>((resolve, reject) => {
		if (signal.aborted) {
			reject(toScenarioError(signal.reason, { signal }));
			return;
		}
		const onAbort = () => reject(toScenarioError(signal.reason, { signal }));
		signal.addEventListener('abort', onAbort, { once: true });
		shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
	});

/** An image as a Scenario asset id: uploaded (after downloading it, for a URL) once per execution. */
export async function toAssetId(
	client: ScenarioClient,
	image: ImageInput,
	field: string,
	signal: AbortSignal,
): Promise<string> {
	const key = contentKey(image);
	if (key === undefined) return (await client.resolveImage(image, { field, signal })).assetId;
	let uploads = uploadsByClient.get(client);
	if (uploads === undefined) {
		uploads = new Map();
		uploadsByClient.set(client, uploads);
	}
	const shared = uploads.get(key);
	if (shared !== undefined) {
		const outcome = await untilAborted(shared, signal).then(
			(assetId) => ({ assetId }),
			(error: unknown) => ({ error }),
		);
		if ('assetId' in outcome) return outcome.assetId;
		// Stopped: the item ends here (the runner reports it). Otherwise the first upload failed, and
		// this item tries on its own below.
		if (signal.aborted) throw toScenarioError(outcome.error, { signal });
	}
	const upload = client.resolveImage(image, { field, signal }).then((r) => r.assetId);
	if (!uploads.has(key)) {
		uploads.set(key, upload);
		upload.catch(() => {
			if (uploads.get(key) === upload) uploads.delete(key);
		});
	}
	return await upload;
}

/**
 * The render with its images as asset ids, each distinct image uploaded once per execution
 * (`toAssetId`). Validated first (`planRender`, offline), so a bad parameter uploads nothing.
 */
export async function withUploadedImages(
	client: ScenarioClient,
	input: RenderInput,
	signal: AbortSignal,
): Promise<RenderInput> {
	planRender(input);
	const out: RenderInput = { ...input };
	if (input.image !== undefined)
		out.image = { assetId: await toAssetId(client, input.image, 'image', signal) };
	if (input.lastFrameImage !== undefined) {
		out.lastFrameImage = {
			assetId: await toAssetId(client, input.lastFrameImage, 'lastFrameImage', signal),
		};
	}
	return out;
}

/**
 * The parameters to submit (or quote) for a render: validated first, then the images uploaded
 * (uploads are free, and each distinct image goes once per execution), so a bad parameter never
 * costs anything.
 */
export async function submitParams(
	client: ScenarioClient,
	input: RenderInput,
	signal: AbortSignal,
): Promise<{ modelId: string; params: Record<string, unknown> }> {
	return await client.prepareRender(await withUploadedImages(client, input, signal), { signal });
}
