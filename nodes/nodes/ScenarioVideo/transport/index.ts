import type { IExecuteFunctions } from 'n8n-workflow';
import { createScenarioClient, DEFAULT_BASE_URL, type ScenarioClient } from '../core';
import { createHttpPort } from './http';
import { n8nSleep, systemClock } from './time';

export { createBinarySink, type StoredOutput } from './binary';

/**
 * The credential's base URL. Only the base URL is read here: the key and secret are applied by
 * n8n itself (`httpRequestWithAuthentication`), and this function makes no HTTP request.
 */
export async function getBaseUrl(this: IExecuteFunctions): Promise<string> {
	const credentials = await this.getCredentials<{ baseUrl?: string }>('scenarioApi');
	const baseUrl = typeof credentials.baseUrl === 'string' ? credentials.baseUrl.trim() : '';
	return baseUrl === '' ? DEFAULT_BASE_URL : baseUrl;
}

export interface NodeClient {
	client: ScenarioClient;
}

/**
 * A Scenario client whose ports are n8n's: HTTP through n8n's request helpers, waiting with
 * n8n-workflow's `sleep` and the execution's cancel signal, the clock `Date.now`.
 */
export function createNodeClient(ctx: IExecuteFunctions, baseUrl: string): NodeClient {
	const client = createScenarioClient({
		baseUrl,
		ports: { http: createHttpPort(ctx, baseUrl), sleep: n8nSleep, clock: systemClock },
		requestTimeoutMs: 60_000,
	});
	return { client };
}
