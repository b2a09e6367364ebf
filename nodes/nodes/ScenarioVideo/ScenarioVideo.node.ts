import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';
import * as asset from './actions/asset';
import * as job from './actions/job';
import * as video from './actions/video';
import { router } from './actions/router';

/**
 * Scenario Video: Wan 2.2 image-to-video from n8n. Every operation runs the input items through
 * the shared core (`./core`), concurrently up to "Max Concurrent Jobs", paid submits through the
 * team's scheduler, with "Continue On Fail" turning a failed item into an error item that names its
 * job (see helpers/run.ts).
 */
export class ScenarioVideo implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Scenario Video',
		name: 'scenarioVideo',
		icon: { light: 'file:../../icons/scenario.svg', dark: 'file:../../icons/scenario.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			"Generate videos from an image and a prompt with Scenario's Wan 2.2 image-to-video model",
		defaults: { name: 'Scenario Video' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'scenarioApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Asset', value: 'asset' },
					{ name: 'Job', value: 'job' },
					{ name: 'Video', value: 'video' },
				],
				default: 'video',
			},
			...video.description,
			...job.description,
			...asset.description,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		// Read here, in the node's own execute, as n8n's rules ask; the item runner acts on it.
		const continueOnFail = this.continueOnFail();
		return await router.call(this, { continueOnFail });
	}
}
