import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { requireOutputs, ScenarioError } from '../../core';
import {
	includeInputFieldsOption,
	maxConcurrentJobsOption,
	outputFields,
	waitTimeoutOption,
} from '../fields';
import type { OperationExecute } from '../types';
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
import { jobIdField, readJobId } from './fields';

const properties: INodeProperties[] = [
	jobIdField,
	...outputFields,
	{
		displayName: 'Additional Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [includeInputFieldsOption, maxConcurrentJobsOption, waitTimeoutOption],
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['wait'] } },
	properties,
);

/**
 * Job → Wait: resume a submitted job by id (never submits, never pays): wait for it with the
 * core's adaptive polling, then download its video like Generate. Safe to retry.
 */
export const execute: OperationExecute = async function (env) {
	const { client } = env;
	return await runItems.call(
		this,
		{ maxConcurrent: maxConcurrentJobs.call(this), continueOnFail: env.continueOnFail },
		async (itemIndex, item) => {
			const jobId = readJobId(this.getNodeParameter('jobId', itemIndex));
			if (jobId === '') {
				throw new ScenarioError({
					code: 'invalid_input',
					message: 'The job ID is empty',
					field: 'jobId',
					retryable: false,
				});
			}
			item.noteJob(jobId);
			const minutes = this.getNodeParameter('options.waitTimeoutMinutes', itemIndex, 30) as number;
			const job = await client.waitForJob(jobId, {
				signal: item.signal,
				timeoutMs: Math.max(1, minutes) * 60_000,
			});
			const assetIds = requireOutputs(job);
			const json = withInputFields.call(this, itemIndex, jobSummary(job));
			if (outputMode.call(this, itemIndex) === 'url') {
				return [await urlItem(client, json, assetIds, item.signal, itemIndex)];
			}
			const sink = createBinarySink(this);
			const files = await client.downloadOutputs(job, sink, { signal: item.signal });
			return [binaryItem(json, files, sink.stored, binaryField.call(this, itemIndex), itemIndex)];
		},
	);
};
