// Fault matrix, n8n face: every fault kind × the n8n node's Video → Generate, run through
// nodes/test/harness.ts (a fake IExecuteFunctions built from the node's real description, n8n's
// HTTP helpers over real HTTP to the fake API). Time is virtual: the node's sleep and clock (its
// transport/time module) advance and read the fake's manual clock.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createVirtualTime } from '../../packages/core/src/testing/virtual-time.js';
import { createManualClock, startFakeScenario } from '../../packages/fake-api/src/index.js';
import type { FakeScenario, ManualClock } from '../../packages/fake-api/src/options.js';
import { imageItem, runNode } from '../../nodes/test/harness.js';
import { CELLS, cellName, type Cell } from './cells.js';
import { DEADLINE_MS, judge, type Delivered, type Verdict } from './judge.js';
import { API_KEY, API_SECRET, CREDENTIALS, START, keep, keepError, recordCounts } from './support.js';

const time = vi.hoisted(() => ({
  sleep: undefined as undefined | ((ms: number, signal?: AbortSignal) => Promise<void>),
  now: undefined as undefined | (() => number),
}));
vi.mock('../../nodes/nodes/ScenarioVideo/transport/time.ts', () => ({
  n8nSleep: (ms: number, signal?: AbortSignal) => time.sleep!(ms, signal),
  systemClock: { now: () => time.now!() },
}));

let clock: ManualClock;
let fake: FakeScenario | undefined;

beforeEach(() => {
  clock = createManualClock(START);
  const virtual = createVirtualTime(clock);
  time.sleep = virtual.sleep;
  time.now = () => clock.now();
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const tally = { cells: 0, videos: 0, errors: 0, errorsWithJobId: 0, unknownOutcomes: 0, authorizationToCdn: 0 };
afterAll(() => recordCounts('faults-n8n', tally));

const n8nCells = CELLS.map((c, i) => [cellName(c), c, i] as const).filter(([, c]) => c.skip?.n8n === undefined);

describe('n8n × faults: Video → Generate (Continue On Fail, two items)', () => {
  it.each(n8nCells)('%s', async (_name, cell: Cell, i) => {
    fake = await startFakeScenario({ clock, credentials: CREDENTIALS, jobDurationMs: 90_000, videoBytes: 200_000 });
    fake.setOptions({ faults: cell.faults });
    const prompts = [`n8n cell ${i} first: ${cell.kind}`, `n8n cell ${i} second: ${cell.kind}`];
    const started = clock.now();
    let output: Awaited<ReturnType<typeof runNode>>['output'];
    let binaries: Map<string, { bytes: Buffer }>;
    try {
      const run = await runNode({
        parameters: {
          resource: 'video',
          operation: 'generate',
          prompt: (item: number) => prompts[item],
          resolution: '480p',
          options: { maxConcurrentJobs: 2, waitTimeoutMinutes: 20 },
        },
        items: [await imageItem(), await imageItem()],
        credentials: { apiKey: API_KEY, apiSecret: API_SECRET, baseUrl: fake.url },
        continueOnFail: true,
      });
      output = run.output;
      binaries = run.binaries;
      // The credential went to the API only.
      for (const r of run.requests.filter((r) => r.url.startsWith(fake!.cdnUrl))) {
        expect(r.headers.authorization).toBeUndefined();
      }
    } catch (e) {
      keepError(`n8n-${i}`, e);
      throw e;
    }
    keep(`n8n-${i}.output`, JSON.stringify(output));
    expect(clock.now() - started, 'virtual time to settle').toBeLessThan(DEADLINE_MS);

    const delivered: Delivered[] = output.map((item, index) => {
      expect(item.pairedItem).toEqual({ item: index });
      const prompt = prompts[index]!;
      const json = item.json as { jobId?: string; error?: string; code?: string };
      if (json.error === undefined) {
        const stored = binaries.get(item.binary!.data!.id!)!;
        keep(`n8n-${i}-${index}.mp4`, stored.bytes);
        return { prompt, video: stored.bytes, jobId: json.jobId! };
      }
      expect(json.error).toMatch(new RegExp(` \\(Item ${index + 1}\\)$`));
      return { prompt, error: { code: json.code!, jobId: json.jobId, message: json.error } };
    });
    const v: Verdict = judge(fake, cell, delivered, 2);
    tally.cells++;
    tally.videos += v.videos;
    tally.errors += v.errors;
    tally.errorsWithJobId += v.errorsWithJobId;
    tally.unknownOutcomes += v.unknownOutcomes;
    tally.authorizationToCdn += fake.state().hazards.authorizationToCdn;
  });
});
