import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { includeInputFieldsOption, tuningOptions, videoInputFields } from '../fields';
import type { OperationExecute } from '../types';
import { readRenderInput, submitParams } from '../../helpers/input';
import { withInputFields } from '../../helpers/output';
import { runItems } from '../../helpers/run';

const properties: INodeProperties[] = [
	...videoInputFields,
	{
		displayName: 'Additional Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [includeInputFieldsOption, ...tuningOptions].sort((a, b) =>
			a.displayName.localeCompare(b.displayName),
		),
	},
];

export const description = updateDisplayOptions(
	{ show: { resource: ['video'], operation: ['estimateCost'] } },
	properties,
);

/**
 * Video → Estimate Cost: the same inputs as Generate, quoted by Scenario's dry run
 * (`?dryRun=true`), which creates no job and costs nothing. Images that are not assets yet are
 * uploaded first (uploads are free).
 */
export const execute: OperationExecute = async function (env) {
	const { client } = env;
	return await runItems.call(
		this,
		{ maxConcurrent: 2, continueOnFail: env.continueOnFail },
		async (itemIndex, item) => {
			const input = await readRenderInput.call(this, itemIndex);
			const request = await submitParams(client, input, item.signal);
			const estimate = await client.estimateCost(request, { signal: item.signal });
			const json: IDataObject = {
				modelId: request.modelId,
				creativeUnitsCost: estimate.creativeUnitsCost,
				...(estimate.creativeUnitsDiscount !== undefined
					? { creativeUnitsDiscount: estimate.creativeUnitsDiscount }
					: {}),
				...(estimate.details !== undefined ? { costDetails: estimate.details as IDataObject } : {}),
				input: request.params as IDataObject,
			};
			return [
				{ json: withInputFields.call(this, itemIndex, json), pairedItem: { item: itemIndex } },
			];
		},
	);
};
