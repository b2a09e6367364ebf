/** Our client on the Node ports, exactly as the CLI builds it for a real base URL. */
import { createScenarioClient, type HttpPort, type ScenarioClient } from '../../packages/core/src/index.js';
import { nodePorts } from '../../packages/core/src/node/index.js';
import type { FakeInfo } from './fake.js';

export interface CountingClient {
  client: ScenarioClient;
  /** GET /jobs/{id} requests per job id. */
  polls: Map<string, number>;
}

export function ourClient(info: FakeInfo): CountingClient {
  const ports = nodePorts({ apiKey: info.apiKey, apiSecret: info.apiSecret, baseUrl: info.url });
  const polls = new Map<string, number>();
  const inner = ports.http;
  const http: HttpPort = {
    request(req) {
      const m = req.method === 'GET' ? /\/jobs\/([^/?]+)$/.exec(new URL(req.url).pathname) : null;
      if (m) polls.set(m[1]!, (polls.get(m[1]!) ?? 0) + 1);
      return inner.request(req);
    },
  };
  return { client: createScenarioClient({ baseUrl: info.url, ports: { ...ports, http } }), polls };
}
