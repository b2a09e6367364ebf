import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import {
	ScenarioError,
	WAN_MODEL_ID,
	sniffImageType,
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
		if (assetId === '') throw invalid(`The ${prefix} asset ID is empty`, `${prefix}AssetId`);
		return { assetId };
	}
	if (source === 'url') {
		const url = (this.getNodeParameter(`${prefix}Url`, itemIndex, '') as string).trim();
		if (url === '') throw invalid(`The ${prefix} URL is empty`, `${prefix}Url`);
		return { url };
	}
	const parameter = `${prefix}BinaryProperty`;
	const label = prefix === 'image' ? 'Input Binary Field' : 'Last Frame Binary Field';
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

/** An image as a Scenario asset id: uploaded (after downloading it, for a URL) when needed. */
export async function toAssetId(
	client: ScenarioClient,
	image: ImageInput,
	field: string,
	signal: AbortSignal,
): Promise<string> {
	return (await client.resolveImage(image, { field, signal })).assetId;
}

/**
 * The parameters to submit (or quote) for a render: validated first, then the images uploaded
 * (uploads are free), so a bad parameter never costs anything.
 */
export async function submitParams(
	client: ScenarioClient,
	input: RenderInput,
	signal: AbortSignal,
): Promise<{ modelId: string; params: Record<string, unknown> }> {
	return await client.prepareRender(input, { signal });
}
