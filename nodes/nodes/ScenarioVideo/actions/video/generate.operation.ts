import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import {
	includeInputFieldsOption,
	maxConcurrentJobsOption,
	outputFields,
	tuningOptions,
	videoInputFields,
	waitTimeoutOption,
} from '../fields';
import type { OperationExecute } from '../types';
import { readRenderInput, withUploadedImages } from '../../helpers/input';
import {
	binaryField,
	binaryItem,
	jobSummary,
	outputMode,
	urlItem,
	withInputFields,
} from '../../helpers/output';
import { maxConcurrentJobs, runItems } from '../../helpers/run';
import { createBinarySink } from '../../transport';

const properties: INodeProperties[] = [
	...videoInputFields,
	...outputFields,
	{
		displayName: 'Additional Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			includeInputFieldsOption,
			maxConcurrentJobsOption,
			...tuningOptions,
			waitTimeoutOption,
		].sort((a, b) => a.displayName.localeCompare(b.displayName)),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['generate'] } },
	properties,
);

/**
 * Video → Generate: the core's whole render per item (validate, upload the images, submit once,
 * wait adaptively, download into n8n's binary data). The job id is noted as soon as the
 * job is accepted, so any later failure names it.
 */
export const execute: OperationExecute = async function (env) {
	const { client } = env;
	return await runItems.call(
		this,
		{ maxConcurrent: maxConcurrentJobs.call(this), continueOnFail: env.continueOnFail },
		async (itemIndex, item) => {
			// Each distinct image is uploaded once per execution, however many items carry it.
			const input = await withUploadedImages(
				client,
				await readRenderInput.call(this, itemIndex),
				item.signal,
			);
			const mode = outputMode.call(this, itemIndex);
			const minutes = this.getNodeParameter('options.waitTimeoutMinutes', itemIndex, 30) as number;
			const sink = mode === 'binary' ? createBinarySink(this) : undefined;
			const result = await client.renderVideo(input, {
				signal: item.signal,
				scheduler: env.scheduler,
				timeoutMs: Math.max(1, minutes) * 60_000,
				...(sink !== undefined ? { sink } : {}),
				onEvent: (event) => {
					if (event.type === 'submitted') item.noteJob(event.jobId);
				},
			});
			item.noteDelivered(result.jobId, result.assetIds);
			const json = withInputFields.call(this, itemIndex, {
				...jobSummary(result.job),
				modelId: result.handle.modelId,
				...(result.creativeUnitsCost !== undefined
					? { creativeUnitsCost: result.creativeUnitsCost }
					: {}),
				// The submit got no answer and its job was found among the recent ones (adopted, not paid again).
				...(result.handle.recovered === true ? { recovered: true } : {}),
			});
			if (sink === undefined) {
				return [await urlItem(client, json, result.assetIds, item.signal, itemIndex)];
			}
			return [
				binaryItem(json, result.files, sink.stored, binaryField.call(this, itemIndex), itemIndex),
			];
		},
	);
};
