// Node adapters for the core's ports: node:http transport, timer sleep, file sink, JSON-file ledger.
import { DEFAULT_BASE_URL, createScenarioClient, type ScenarioClient, type ScenarioClientOptions } from '../client.js';
import type { CorePorts } from '../ports.js';
import { envCredentials, type ScenarioCredentials } from './env.js';
import { createHttpTransport, type HttpTransportOptions } from './http-transport.js';
import { systemClock, timerSleep } from './sleep.js';

export { createHttpTransport, type HttpTransportOptions } from './http-transport.js';
export { timerSleep, systemClock } from './sleep.js';
export { createFileSink, safeFileName } from './file-sink.js';
export { createJsonFileLedger } from './ledger.js';
export { envCredentials, missingCredentialVariables, type ScenarioCredentials } from './env.js';

/** Real ports for Node: node:http with Basic auth, setTimeout sleeps, the system clock. */
export const nodePorts = (
  credentials: ScenarioCredentials & Omit<HttpTransportOptions, 'baseUrl' | 'apiKey' | 'apiSecret'>,
): CorePorts => ({
  http: createHttpTransport(credentials),
  sleep: timerSleep,
  clock: systemClock,
  random: Math.random,
});

/**
 * A client on the Node ports; credentials from the environment (`env`, default process.env) unless
 * given, and the proxy settings from that environment.
 */
export const createNodeClient = (
  options: Partial<ScenarioCredentials> &
    Omit<ScenarioClientOptions, 'ports' | 'baseUrl'> & { env?: Record<string, string | undefined> } = {},
): ScenarioClient => {
  const { apiKey, apiSecret, baseUrl, env, ...rest } = options;
  const credentials =
    apiKey !== undefined && apiSecret !== undefined
      ? { apiKey, apiSecret, baseUrl: baseUrl ?? DEFAULT_BASE_URL }
      : { ...envCredentials(env), ...(baseUrl !== undefined ? { baseUrl } : {}) };
  return createScenarioClient({
    ...rest,
    baseUrl: credentials.baseUrl,
    ports: nodePorts({ ...credentials, ...(env !== undefined ? { env } : {}) }),
  });
};
