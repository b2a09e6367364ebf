import type {
	IBinaryKeyData,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
} from 'n8n-workflow';
import type { DownloadResult, ScenarioClient, ScenarioJob } from '../core';
import type { StoredOutput } from '../transport';

export type OutputMode = 'binary' | 'url';

export function outputMode(this: IExecuteFunctions, itemIndex: number): OutputMode {
	return this.getNodeParameter('output', itemIndex, 'binary') === 'url' ? 'url' : 'binary';
}

export function binaryField(this: IExecuteFunctions, itemIndex: number): string {
	const field = (this.getNodeParameter('binaryPropertyOutput', itemIndex, 'data') as string).trim();
	return field === '' ? 'data' : field;
}

/**
 * The output item's JSON: the node's own fields, after the input item's fields when "Include Input
 * Fields" is on (n8n users chain data through nodes; the node's fields win on a clash). Off by
 * default, like n8n's own nodes that answer with a new object.
 */
export function withInputFields(
	this: IExecuteFunctions,
	itemIndex: number,
	json: IDataObject,
): IDataObject {
	const include = this.getNodeParameter('options.includeInputFields', itemIndex, false);
	if (include !== true) return json;
	return { ...(this.getInputData()[itemIndex]?.json ?? {}), ...json };
}

/** The key of the n-th output: `data`, then `data_2`, `data_3`… (Wan 2.2 makes one video). */
const keyFor = (field: string, n: number): string => (n === 0 ? field : `${field}_${n + 1}`);

/** A finished job as JSON: what a workflow needs next, never a credential. */
export const jobSummary = (job: ScenarioJob): IDataObject => {
	const summary: IDataObject = {
		jobId: job.jobId,
		status: job.status,
		assetIds: job.metadata.assetIds,
	};
	const modelId = job.metadata.modelId ?? job.modelId;
	if (typeof modelId === 'string') summary.modelId = modelId;
	if (job.createdAt !== undefined) summary.createdAt = job.createdAt;
	if (typeof job.billing?.cuCost === 'number') summary.creativeUnitsCost = job.billing.cuCost;
	if (job.metadata.input !== undefined) summary.input = job.metadata.input as IDataObject;
	return summary;
};

/** Binary outputs already downloaded into the sink, as the item's binary and its `videos` JSON. */
export const binaryItem = (
	json: IDataObject,
	files: DownloadResult[],
	stored: (name: string) => StoredOutput | undefined,
	field: string,
	itemIndex: number,
): INodeExecutionData => {
	const binary: IBinaryKeyData = {};
	const videos: IDataObject[] = [];
	files.forEach((file, n) => {
		const out = file.file !== undefined ? stored(file.file) : undefined;
		if (out === undefined) return;
		const key = keyFor(field, n);
		binary[key] = out.binary;
		videos.push({
			assetId: file.assetId,
			binaryProperty: key,
			fileName: out.fileName,
			mimeType: out.binary.mimeType,
			bytes: file.bytes,
		});
	});
	return { json: { ...json, videos }, binary, pairedItem: { item: itemIndex } };
};

/** Signed download URLs of the job's outputs (fetched fresh; they expire). */
export async function urlItem(
	client: ScenarioClient,
	json: IDataObject,
	assetIds: string[],
	signal: AbortSignal,
	itemIndex: number,
): Promise<INodeExecutionData> {
	const videos: IDataObject[] = [];
	for (const assetId of assetIds) {
		const asset = await client.getAsset(assetId, { signal });
		videos.push({
			assetId,
			url: asset.url ?? null,
			mimeType: asset.mimeType ?? null,
			...(typeof asset.properties?.size === 'number' ? { bytes: asset.properties.size } : {}),
		});
	}
	return { json: { ...json, videos }, pairedItem: { item: itemIndex } };
}
