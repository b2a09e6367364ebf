import type { INodeProperties } from 'n8n-workflow';
import * as upload from './upload.operation';

export { upload };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['asset'] } },
		options: [
			{
				name: 'Upload',
				value: 'upload',
				action: 'Upload an image',
				description: 'Upload an image as a Scenario asset to reuse in videos',
			},
		],
		default: 'upload',
	},
	...upload.description,
];
