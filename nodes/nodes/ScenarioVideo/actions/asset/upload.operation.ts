import type { INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';
import { ScenarioError } from '../../core';
import { imageFields, includeInputFieldsOption } from '../fields';
import type { OperationExecute } from '../types';
import { readImage, toAssetId } from '../../helpers/input';
import { withInputFields } from '../../helpers/output';
import { runItems } from '../../helpers/run';

export const description = updateDisplayOptions(
	{ show: { resource: ['asset'], operation: ['upload'] } },
	[
		{
			displayName: 'Image Source',
			name: 'imageSource',
			type: 'options',
			options: [
				{ name: 'Binary File', value: 'binary', description: 'A binary file of the input item' },
				{ name: 'URL', value: 'url', description: 'Downloaded from a URL (without credentials)' },
			],
			default: 'binary',
			description: 'Where the image comes from',
		},
		...imageFields.filter((f) => f.name !== 'imageAssetId'),
		{
			displayName: 'Additional Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [includeInputFieldsOption],
		},
	] as INodeProperties[],
);

/**
 * Asset → Upload: an image from a binary field or a URL becomes a Scenario asset (free), reusable
 * as "Asset ID" in any number of videos.
 */
export const execute: OperationExecute = async function (env) {
	const { client } = env;
	return await runItems.call(
		this,
		{ maxConcurrent: 2, continueOnFail: env.continueOnFail },
		async (itemIndex, item) => {
			const image = await readImage.call(this, itemIndex, 'image');
			if (image === undefined) {
				throw new ScenarioError({
					code: 'invalid_input',
					message: 'No image to upload',
					field: 'imageSource',
					retryable: false,
				});
			}
			const assetId = await toAssetId(client, image, 'image', item.signal);
			const fileName =
				'fileName' in image ? image.fileName : 'url' in image ? image.url : undefined;
			return [
				{
					json: withInputFields.call(this, itemIndex, {
						assetId,
						...(fileName !== undefined ? { source: fileName } : {}),
					}),
					pairedItem: { item: itemIndex },
				},
			];
		},
	);
};
