import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { schedulerFor } from '../helpers/scheduler';
import { createNodeClient, getBaseUrl } from '../transport';
import * as asset from './asset';
import * as job from './job';
import type { OperationExecute } from './types';
import * as video from './video';

const operations: Record<string, Record<string, { execute: OperationExecute }>> = {
	asset: { upload: asset.upload },
	job: { get: job.get, wait: job.wait },
	video: {
		estimateCost: video.estimateCost,
		generate: video.generate,
		submit: video.submit,
	},
};

/** Picks the operation (resource + operation, the same for every item) and runs it. */
export async function router(
	this: IExecuteFunctions,
	settings: { continueOnFail: boolean },
): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = operations[resource]?.[operation];
	if (op === undefined) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	const baseUrl = await getBaseUrl.call(this);
	const env = {
		...createNodeClient(this, baseUrl),
		scheduler: schedulerFor.call(this, baseUrl),
		continueOnFail: settings.continueOnFail,
	};
	return [await op.execute.call(this, env)];
}
