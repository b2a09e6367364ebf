import { describe, expect, it } from 'vitest';
import { DEFAULT_BASE_URL } from '../client.js';
import { createNodeClient, envCredentials, missingCredentialVariables } from './index.js';

describe('envCredentials', () => {
  it('reads the official SDK variable names and the base URL', () => {
    expect(
      envCredentials({
        SCENARIO_SDK_API_KEY: ' k ',
        SCENARIO_SDK_API_SECRET: 's',
        SCENARIO_API_URL: 'http://127.0.0.1:9/v1',
      }),
    ).toEqual({ apiKey: 'k', apiSecret: 's', baseUrl: 'http://127.0.0.1:9/v1' });
    expect(envCredentials({ SCENARIO_SDK_API_KEY: 'k', SCENARIO_SDK_API_SECRET: 's' }).baseUrl).toBe(DEFAULT_BASE_URL);
  });

  it('names what is missing, never a value', () => {
    const err = (() => {
      try {
        envCredentials({ SCENARIO_SDK_API_KEY: 'secret-key-value' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toMatchObject({ code: 'unauthorized', details: { missing: ['SCENARIO_SDK_API_SECRET'] } });
    expect(JSON.stringify(err)).not.toContain('secret-key-value');
    expect((err as Error).message).not.toContain('secret-key-value');
  });

  it('says which variables are unset or blank, for a face that words its own message', () => {
    expect(missingCredentialVariables({ SCENARIO_SDK_API_KEY: ' ', SCENARIO_SDK_API_SECRET: 's' })).toEqual([
      'SCENARIO_SDK_API_KEY',
    ]);
    expect(missingCredentialVariables({})).toEqual(['SCENARIO_SDK_API_KEY', 'SCENARIO_SDK_API_SECRET']);
    expect(missingCredentialVariables({ SCENARIO_SDK_API_KEY: 'k', SCENARIO_SDK_API_SECRET: 's' })).toEqual([]);
  });

  it('createNodeClient takes explicit credentials or the environment', () => {
    expect(createNodeClient({ apiKey: 'k', apiSecret: 's', baseUrl: 'http://127.0.0.1:9/v1/' }).baseUrl).toBe(
      'http://127.0.0.1:9/v1',
    );
    expect(() => createNodeClient({ apiKey: 'only-key', env: {} })).toThrow(/SCENARIO_SDK_API_KEY/);
    const fromEnv = createNodeClient({ env: { SCENARIO_SDK_API_KEY: 'k', SCENARIO_SDK_API_SECRET: 's' } });
    expect(fromEnv.baseUrl).toBe(DEFAULT_BASE_URL);
  });
});
