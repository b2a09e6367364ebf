import type { INodeProperties } from 'n8n-workflow';
import * as estimateCost from './estimateCost.operation';
import * as generate from './generate.operation';
import * as submit from './submit.operation';

export { estimateCost, generate, submit };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['video'] } },
		options: [
			{
				name: 'Estimate Cost',
				value: 'estimateCost',
				action: 'Estimate the cost of a video',
				description: 'Quote a video in Creative Units without paying (dry run)',
			},
			{
				name: 'Generate',
				value: 'generate',
				action: 'Generate a video',
				description: 'Make a video from an image and a prompt, wait for it and return the MP4',
			},
			{
				name: 'Submit',
				value: 'submit',
				action: 'Submit a video job',
				description: 'Start a video and return its job at once (get it later with Job → Wait)',
			},
		],
		default: 'generate',
	},
	...generate.description,
	...submit.description,
	...estimateCost.description,
];
