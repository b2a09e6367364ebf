import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as wait from './wait.operation';

export { get, wait };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get a job',
				description: 'Get the status, progress and outputs of a job',
			},
			{
				name: 'Wait',
				value: 'wait',
				action: 'Wait for a job',
				description: 'Wait for a submitted job to finish and return its video (never pays again)',
			},
		],
		default: 'wait',
	},
	...get.description,
	...wait.description,
];
