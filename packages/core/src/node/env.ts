import { DEFAULT_BASE_URL } from '../client.js';
import { ScenarioError } from '../errors.js';

export interface ScenarioCredentials {
  apiKey: string;
  apiSecret: string;
  baseUrl: string;
}

const CREDENTIAL_VARIABLES = ['SCENARIO_SDK_API_KEY', 'SCENARIO_SDK_API_SECRET'] as const;

/** The credential variables that are unset or blank in `env` (a face that words its own message asks this first). */
export const missingCredentialVariables = (env: Record<string, string | undefined> = process.env): string[] =>
  CREDENTIAL_VARIABLES.filter((name) => (env[name]?.trim() ?? '') === '');

/**
 * Credentials from the environment: `SCENARIO_SDK_API_KEY`, `SCENARIO_SDK_API_SECRET` (the official
 * SDKs' names) and `SCENARIO_API_URL` (default https://api.cloud.scenario.com/v1). Throws an
 * `unauthorized` error naming the missing variables, never their values.
 */
export const envCredentials = (env: Record<string, string | undefined> = process.env): ScenarioCredentials => {
  const apiKey = env.SCENARIO_SDK_API_KEY?.trim() ?? '';
  const apiSecret = env.SCENARIO_SDK_API_SECRET?.trim() ?? '';
  const missing = missingCredentialVariables(env);
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
