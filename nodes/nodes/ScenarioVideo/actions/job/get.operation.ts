import type { IDataObject } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { ScenarioError } from '../../core';
import type { OperationExecute } from '../types';
import { runItems } from '../../helpers/run';
import { jobIdField, readJobId } from './fields';
import { nextCheck } from './next-check';

export const description = updateDisplayOptions(
	{ show: { resource: ['job'], operation: ['get'] } },
	[jobIdField],
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
			return [{ json, pairedItem: { item: itemIndex } }];
		},
	);
};
