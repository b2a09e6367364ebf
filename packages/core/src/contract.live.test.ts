/**
 * `pnpm test:live`: the live-safe contract (read-only calls and dry runs, never a paid job, never
 * an upload) through our client against the REAL Scenario API. Needs SCENARIO_SDK_API_KEY and
 * SCENARIO_SDK_API_SECRET (base URL SCENARIO_API_URL); the dry run also needs
 * SCENARIO_CONTRACT_IMAGE_ASSET_ID, an image asset already in the account. Without the keys every
 * test is skipped and says why.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createScenarioClient } from './client.js';
import { createHttpTransport, envCredentials, nodePorts } from './node/index.js';
import { defineLiveSafeContract, type ContractContext } from './testing/contract-suite.js';

const hasKeys = Boolean(process.env.SCENARIO_SDK_API_KEY?.trim() && process.env.SCENARIO_SDK_API_SECRET?.trim());
const imageAssetId = process.env.SCENARIO_CONTRACT_IMAGE_ASSET_ID?.trim() || undefined;
const SKIP_REASON =
  'live contract skipped: set SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET to run the read-only and dry-run checks against the real Scenario API';

if (!hasKeys) {
  console.warn(`[core] ${SKIP_REASON}`);
  describe('live contract', () => {
    it.skip(SKIP_REASON, () => undefined);
  });
} else {
  if (imageAssetId === undefined) {
    console.warn('[core] live dry run skipped: set SCENARIO_CONTRACT_IMAGE_ASSET_ID to an image asset in the account');
  }
  let ctx: ContractContext;
  beforeAll(() => {
    const creds = envCredentials();
    const client = createScenarioClient({ baseUrl: creds.baseUrl, ports: nodePorts(creds) });
    const badClient = createScenarioClient({
      baseUrl: creds.baseUrl,
      ports: {
        ...nodePorts(creds),
        http: createHttpTransport({ ...creds, apiKey: 'bad-key', apiSecret: 'bad-secret' }),
      },
      retry: { maxAttempts: 1 },
    });
    ctx = {
      kind: 'live',
      client,
      badClient,
      http: nodePorts(creds).http,
      ...(imageAssetId !== undefined ? { imageAssetId } : {}),
    };
  });
  afterAll(() => undefined);
  defineLiveSafeContract(() => ctx, { imageAssetId: imageAssetId !== undefined });
}
