/**
 * Where the contract suite points: our fake Scenario API (always, in `pnpm test`) or the real
 * Scenario API (read-only calls and dry runs only) when
 *   SCENARIO_CONTRACT_LIVE=1, SCENARIO_SDK_API_KEY and SCENARIO_SDK_API_SECRET are set
 * (base URL SCENARIO_API_URL, default https://api.cloud.scenario.com/v1).
 *
 * The kind is decided synchronously from the environment so that tests can be skipped at
 * collection time (`it.skipIf(LIVE)`); the fake itself is started in `contractTarget()`.
 * Credentials are never printed: the target only exposes a header builder.
 */
import { createManualClock, startFakeScenario } from '../../src/index.js';
import type { FakeScenario, FakeScenarioOptions, ManualClock } from '../../src/options.js';

export const DEFAULT_LIVE_URL = 'https://api.cloud.scenario.com/v1';

function liveRequested(): boolean {
  return process.env.SCENARIO_CONTRACT_LIVE === '1';
}

function liveKeysPresent(): boolean {
  return Boolean(process.env.SCENARIO_SDK_API_KEY) && Boolean(process.env.SCENARIO_SDK_API_SECRET);
}

export const TARGET_KIND: 'fake' | 'live' = liveRequested() && liveKeysPresent() ? 'live' : 'fake';
export const LIVE = TARGET_KIND === 'live';
export const FAKE = !LIVE;

if (liveRequested() && !liveKeysPresent()) {
  // Say so loudly: a green run here proves nothing about the real API.
  console.warn(
    '[contract] SCENARIO_CONTRACT_LIVE=1 but SCENARIO_SDK_API_KEY / SCENARIO_SDK_API_SECRET are not both set: ' +
      'running against the local fake instead.',
  );
}

/** Why a test does not run live. Put in test names so a live run lists what it did not check. */
export const SKIP_LIVE = {
  paid: '[fake only: creates a paid job]',
  upload: '[fake only: uploads]',
  control: '[fake only: needs fake control]',
} as const;

/**
 * An image asset that already exists in the live account (for live dry runs, which need an
 * `image`). Without it the live dry runs that need an image are skipped.
 */
export const LIVE_IMAGE_ASSET_ID = process.env.SCENARIO_CONTRACT_IMAGE_ASSET_ID || undefined;

/** The documented defaults of the fake, passed explicitly so every test can restore them. */
export const FAKE_DEFAULTS = {
  jobDurationMs: 6_000,
  teamConcurrencyLimit: 8,
  urlExpiryMs: 24 * 60 * 60 * 1000,
  uploadUrlExpiryMs: 60 * 60 * 1000,
  uploadPartSize: 5 * 1024 * 1024,
  cancelableJobTypes: ['inference'],
  uploadImportMs: 300,
  faults: [],
  outcomes: [],
  seed: 1,
} satisfies Partial<FakeScenarioOptions>;

export interface ContractTarget {
  kind: 'fake' | 'live';
  /** Like SCENARIO_API_URL, ending in `/v1`, no trailing slash. */
  baseUrl: string;
  /** `Basic base64(key:secret)` for the target's own credentials, or for the given ones. */
  authHeader(key?: string, secret?: string): string;
  /** Set in fake mode only. */
  fake?: FakeScenario;
  /** The fake's manual clock (fake mode only). */
  clock?: ManualClock;
  /** Origin of the fake's `/_fake/*` control API (fake mode only). */
  controlUrl?: string;
  close(): Promise<void>;
}

export function basicAuth(key: string, secret: string): string {
  return `Basic ${Buffer.from(`${key}:${secret}`, 'utf8').toString('base64')}`;
}

/** Start the target. In fake mode, a fresh fake on 127.0.0.1 with a manual clock. */
export async function contractTarget(options: Partial<FakeScenarioOptions> = {}): Promise<ContractTarget> {
  if (LIVE) {
    const key = process.env.SCENARIO_SDK_API_KEY ?? '';
    const secret = process.env.SCENARIO_SDK_API_SECRET ?? '';
    const baseUrl = (process.env.SCENARIO_API_URL || DEFAULT_LIVE_URL).replace(/\/+$/, '');
    return {
      kind: 'live',
      baseUrl,
      authHeader: (k, s) => basicAuth(k ?? key, s ?? secret),
      close: async () => {},
    };
  }
  const clock = createManualClock();
  const fake = await startFakeScenario({ port: 0, cdnPort: 0, clock, ...FAKE_DEFAULTS, ...options });
  const baseUrl = fake.url.replace(/\/+$/, '');
  for (const u of [fake.url, fake.cdnUrl]) {
    const host = new URL(u).hostname;
    if (host !== '127.0.0.1') throw new Error(`the fake must listen on 127.0.0.1 only, got ${u}`);
  }
  return {
    kind: 'fake',
    baseUrl,
    authHeader: (k, s) => basicAuth(k ?? fake.credentials.apiKey, s ?? fake.credentials.apiSecret),
    fake,
    clock,
    controlUrl: new URL(fake.url).origin,
    close: () => fake.close(),
  };
}

/** Bring a fake back to a known state between tests (no-op live). */
export function resetTarget(t: ContractTarget, options: Partial<FakeScenarioOptions> = {}): void {
  if (!t.fake) return;
  t.fake.reset();
  t.fake.setOptions({ ...FAKE_DEFAULTS, ...options });
}
