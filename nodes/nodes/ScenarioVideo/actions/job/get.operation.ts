import type { IDataObject } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { ScenarioError } from '../../core';
import type { OperationExecute } from '../types';
import { includeInputFieldsOption } from '../fields';
import { withInputFields } from '../../helpers/output';
import { runItems } from '../../helpers/run';
import { jobIdField, readJobId } from './fields';
import { nextCheck } from './next-check';

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['get'] } },
	[
		jobIdField,
		{
			displayName: 'Additional Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [includeInputFieldsOption],
		},
	],
);

/**
 * Job → Get: the job as Scenario reports it now (status, progress, outputs, billing), plus `done`
 * and `nextWaitSeconds` (see next-check.ts) for a loop of n8n Wait nodes around a long render.
 */
export const execute: OperationExecute = async function (env) {
	const { client } = env;
	return await runItems.call(
		this,
		{ maxConcurrent: 4, continueOnFail: env.continueOnFail },
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
			const job = await client.getJob(jobId, { signal: item.signal });
			const json: IDataObject = {
				...(job as unknown as IDataObject),
				...nextCheck(job, Date.now()),
			};
			return [
				{ json: withInputFields.call(this, itemIndex, json), pairedItem: { item: itemIndex } },
			];
		},
	);
};
