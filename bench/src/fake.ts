/**
 * The fake Scenario API in its own process on the real clock (these are wall-clock measurements),
 * so it never competes with the measured client for an event loop. The parent drives it over IPC
 * and reads its CPU time: that is the fake's own overhead, reported beside each figure.
 */
import { startFakeScenario, type FakeScenarioOptions, type FakeState } from '../../packages/fake-api/src/index.js';
import { RoleServer } from './proc.js';

export interface FakeInfo {
  url: string;
  cdnUrl: string;
  apiKey: string;
  apiSecret: string;
}

export interface FakeCpu {
  /** CPU time (user + system) the fake process has used, in ms. */
  cpuMs: number;
}

/** Child side: serve the fake until told to stop. */
export async function fakeRole(options: FakeScenarioOptions): Promise<void> {
  const fake = await startFakeScenario({ ...options });
  const hello: FakeInfo = {
    url: fake.url,
    cdnUrl: fake.cdnUrl,
    apiKey: fake.credentials.apiKey,
    apiSecret: fake.credentials.apiSecret,
  };
  process.on('message', (m: { id: number; cmd: string; arg?: unknown }) => {
    const answer = (result: unknown) => process.send!({ id: m.id, ok: true, result });
    try {
      switch (m.cmd) {
        case 'state':
          return answer(fake.state());
        case 'reset':
          fake.reset();
          return answer(null);
        case 'options':
          fake.setOptions(m.arg as Partial<FakeScenarioOptions>);
          return answer(null);
        case 'cpu': {
          const u = process.cpuUsage();
          return answer({ cpuMs: (u.user + u.system) / 1000 } satisfies FakeCpu);
        }
        default:
          return process.send!({ id: m.id, ok: false, error: `unknown command ${m.cmd}` });
      }
    } catch (e) {
      process.send!({ id: m.id, ok: false, error: String(e) });
    }
  });
  const stop = () => {
    void fake.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  process.send!({ hello });
}

/** Parent side. */
export class FakeHandle {
  private constructor(
    private readonly server: RoleServer,
    readonly info: FakeInfo,
  ) {}

  static async start(options: FakeScenarioOptions): Promise<FakeHandle> {
    const { server, hello } = await RoleServer.start('fake', options);
    return new FakeHandle(server, hello as FakeInfo);
  }

  state(): Promise<FakeState> {
    return this.server.call('state');
  }
  reset(): Promise<void> {
    return this.server.call('reset');
  }
  setOptions(options: Partial<FakeScenarioOptions>): Promise<void> {
    return this.server.call('options', options);
  }
  async cpuMs(): Promise<number> {
    return (await this.server.call<FakeCpu>('cpu')).cpuMs;
  }
  stop(): Promise<void> {
    return this.server.stop();
  }
}

/** Total requests the fake served, all routes. */
export const totalRequests = (state: FakeState): number => Object.values(state.requests).reduce((sum, n) => sum + n, 0);
