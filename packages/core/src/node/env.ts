import { DEFAULT_BASE_URL } from '../client.js';
import { ScenarioError } from '../errors.js';

export interface ScenarioCredentials {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
}

/**
 * Credentials from the environment: `SCENARIO_SDK_API_KEY`, `SCENARIO_SDK_API_SECRET` (the official
 * SDKs' names) and `SCENARIO_API_URL` (default https://api.cloud.scenario.com/v1). Throws an
 * `unauthorized` error naming the missing variables, never their values.
 */
export const envCredentials = (env: Record<string, string | undefined> = process.env): ScenarioCredentials => {
  const apiKey = env.SCENARIO_SDK_API_KEY?.trim() ?? '';
  const apiSecret = env.SCENARIO_SDK_API_SECRET?.trim() ?? '';
  const missing = [
    ...(apiKey === '' ? ['SCENARIO_SDK_API_KEY'] : []),
    ...(apiSecret === '' ? ['SCENARIO_SDK_API_SECRET'] : []),
  ];
  if (missing.length > 0) {
    throw new ScenarioError({
      code: 'unauthorized',
      message: `Set ${missing.join(' and ')} to your Scenario API key and secret`,
      retryable: false,
      details: { missing },
    });
  }
  const baseUrl = env.SCENARIO_API_URL?.trim() || DEFAULT_BASE_URL;
  return { apiKey, apiSecret, baseUrl };
};
