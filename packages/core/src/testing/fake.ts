/**
 * Test harness: the fake Scenario API on a manual clock, and our client on real HTTP to it with
 * virtual sleeps. (The fake is imported by path: a workspace devDependency would form a build
 * cycle, since the fake itself depends on the core for the Wan parameter table.)
 */
import { createScenarioClient, type ScenarioClient, type ScenarioClientOptions } from '../client.js';
import type { RenderEvent } from '../events.js';
import { createHttpTransport } from '../node/http-transport.js';
import type { CorePorts } from '../ports.js';
import { createManualClock, readFakeVideoIdentity, startFakeScenario } from '../../../fake-api/src/index.js';
import type { FakeScenario, FakeScenarioOptions, ManualClock } from '../../../fake-api/src/options.js';
import { makePng } from '../../../fake-api/src/testing/helpers.js';
import { createVirtualTime, seededRandom, type VirtualTime } from './virtual-time.js';

export { createManualClock, readFakeVideoIdentity, startFakeScenario, makePng };
export type { FakeScenario, FakeScenarioOptions, ManualClock };

export interface Harness {
  fake: FakeScenario;
  clock: ManualClock;
  time: VirtualTime;
  ports: CorePorts;
  client: ScenarioClient;
  /** Every event the client emitted. */
  events: RenderEvent[];
  close(): Promise<void>;
}

export const START = Date.UTC(2026, 10, 1, 12, 0, 0);

/** A 32×18 PNG the fake accepts as an image. */
export const FRAME_PNG: Uint8Array = new Uint8Array(makePng(32, 18));

export const startHarness = async (
  options: FakeScenarioOptions = {},
  clientOptions: Partial<Omit<ScenarioClientOptions, 'ports' | 'baseUrl' | 'onEvent'>> = {},
): Promise<Harness> => {
  const clock = createManualClock(START);
  const fake = await startFakeScenario({ clock, ...options });
  const time = createVirtualTime(clock);
  const http = createHttpTransport({
    baseUrl: fake.url,
    apiKey: fake.credentials.apiKey,
    apiSecret: fake.credentials.apiSecret,
    defaultTimeoutMs: 10_000,
    bodyIdleTimeoutMs: 10_000,
  });
  const ports: CorePorts = { http, sleep: time.sleep, clock, random: seededRandom(7) };
  const events: RenderEvent[] = [];
  const client = createScenarioClient({
    baseUrl: fake.url,
    ports,
    onEvent: (e) => events.push(e),
    requestTimeoutMs: 10_000,
    ...clientOptions,
  });
  return { fake, clock, time, ports, client, events, close: () => fake.close() };
};

/** The fake's hazard counters, all of which must stay 0. */
export const NO_HAZARDS = { authorizationToCdn: 0, dryRunInBody: 0, duplicateSubmitAfterAmbiguous: 0 };
