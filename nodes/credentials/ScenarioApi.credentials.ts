import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Scenario API key + secret, sent as HTTP Basic auth (key as the user name, secret as the
 * password) by n8n itself through `authenticate`: the node never builds an Authorization header.
 */
export class ScenarioApi implements ICredentialType {
	name = 'scenarioApi';

	displayName = 'Scenario API';

	icon: Icon = { light: 'file:../icons/scenario.svg', dark: 'file:../icons/scenario.dark.svg' };

	documentationUrl = 'https://github.com/scenario-video/scenario-video/tree/main/nodes#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The key of a Scenario API key pair (Scenario web app → Settings → API)',
		},
		{
			displayName: 'API Secret',
			name: 'apiSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The secret shown once when the API key pair was created',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.cloud.scenario.com/v1',
			description: 'Scenario API address. Change it only for a proxy or a local test server.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			auth: {
				username: '={{$credentials.apiKey}}',
				password: '={{$credentials.apiSecret}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/jobs',
			method: 'GET',
			qs: { pageSize: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Scenario did not accept this API key and secret. Copy both again from Scenario (Settings → API).',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'This API key may not read jobs. Check its permissions in Scenario.',
				},
			},
		],
	};
}
