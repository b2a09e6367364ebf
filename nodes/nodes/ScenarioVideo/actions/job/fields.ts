import type { INodeProperties } from 'n8n-workflow';

export const jobIdField: INodeProperties = {
	displayName: 'Job ID',
	name: 'jobId',
	type: 'string',
	default: '',
	required: true,
	placeholder: 'e.g. job_xYz12AbC',
	description: 'ID of a Scenario job, as returned by Video → Submit or named in an error',
};

export const readJobId = (value: unknown): string =>
	typeof value === 'string' ? value.trim() : '';
