/**
 * Metric 2: waiting for long renders. Jobs of `jobMs` (60 s) are submitted at staggered moments and
 * waited for by our client (the core's adaptive schedule) and, at the same time on the same fake, by
 * a loop polling every 3 s like the official SDK. Per job: the polls it took, and how late its end
 * was noticed (resolved − the moment the fake finished it: createdAt + duration, same machine clock).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ourClient } from './clients.js';
import { FakeHandle, type FakeInfo } from './fake.js';
import { makePng } from './png.js';
import { runRole } from './proc.js';
import { RawClient } from './raw.js';

export interface WaitArgs {
  info: FakeInfo;
  assetId: string;
  /** Prompt tag: each job's duration is scripted on the fake by `${tag}-${i}:` in its prompt. */
  tag: string;
  /** Duration of job i. */
  durations: number[];
  staggerMs: number;
  /** The fixed loop's interval (3 s, like the SDK; shorter only in --quick). */
  sdkPollMs: number;
}

export interface WaitSample {
  polls: number;
  lateMs: number;
}

const params = (a: WaitArgs, i: number) => ({
  prompt: `Polling benchmark ${a.tag}-${i}: rain streaks down a window at night`,
  image: a.assetId,
  resolution: '480p',
});

/** Start `jobs` jobs spread over `staggerMs` (evenly, so the phases relative to the polls vary). */
async function staggered(a: WaitArgs, one: (i: number) => Promise<WaitSample>): Promise<WaitSample[]> {
  return Promise.all(
    a.durations.map(async (_, i) => {
      await sleep((a.staggerMs * i) / a.durations.length);
      return one(i);
    }),
  );
}

export async function waitOursRole(a: WaitArgs): Promise<WaitSample[]> {
  const { client, polls } = ourClient(a.info);
  return staggered(a, async (i) => {
    const handle = await client.submit({ params: params(a, i) });
    const job = await client.waitForJob(handle);
    const noticed = Date.now();
    return { polls: polls.get(handle.jobId) ?? 0, lateMs: noticed - (Date.parse(job.createdAt!) + a.durations[i]!) };
  });
}

export async function waitFixedRole(a: WaitArgs): Promise<WaitSample[]> {
  const raw = new RawClient(a.info);
  return staggered(a, async (i) => {
    const job = await raw.submit(params(a, i));
    const { polls } = await raw.waitFixed(job.jobId, a.sdkPollMs);
    const noticed = Date.now();
    return { polls, lateMs: noticed - (Date.parse(job.createdAt!) + a.durations[i]!) };
  });
}

const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
};
const mean = (values: number[]) => values.reduce((s, v) => s + v, 0) / values.length;

export interface WaitSummary {
  jobs: number;
  pollsMean: number;
  pollsMax: number;
  lateMeanMs: number;
  lateP95Ms: number;
  lateMaxMs: number;
  samples: WaitSample[];
}

const summarize = (samples: WaitSample[]): WaitSummary => ({
  jobs: samples.length,
  pollsMean: mean(samples.map((s) => s.polls)),
  pollsMax: Math.max(...samples.map((s) => s.polls)),
  lateMeanMs: mean(samples.map((s) => s.lateMs)),
  lateP95Ms: quantile(
    samples.map((s) => s.lateMs),
    0.95,
  ),
  lateMaxMs: Math.max(...samples.map((s) => s.lateMs)),
  samples,
});

export interface PollingMetric {
  jobMs: number;
  ours: WaitSummary;
  fixed: WaitSummary;
  fakeCpuMs: number;
  wallMs: number;
}

export async function measurePolling(o: {
  jobs: number;
  jobMs: number;
  staggerMs: number;
  sdkPollMs: number;
}): Promise<PollingMetric> {
  const fake = await FakeHandle.start({ jobDurationMs: o.jobMs, teamConcurrencyLimit: 0 });
  try {
    const assetId = await new RawClient(fake.info).uploadImage(makePng());
    // Durations spread evenly over [jobMs, jobMs + 3 s): a real render's end has no fixed phase
    // relative to a 3 s polling grid (a render of exactly 20 × 3 s would flatter the fixed loop).
    const durations = Array.from({ length: o.jobs }, (_, i) =>
      Math.round(o.jobMs + (o.sdkPollMs * (i + 0.5)) / o.jobs),
    );
    await fake.setOptions({
      outcomes: ['ours', 'fixed'].flatMap((tag) =>
        durations.map((durationMs, i) => ({
          outcome: 'success' as const,
          promptIncludes: `${tag}-${i}:`,
          durationMs,
          times: 1,
        })),
      ),
    });
    const base = { info: fake.info, assetId, durations, staggerMs: o.staggerMs, sdkPollMs: o.sdkPollMs };
    const timeout = o.jobMs * 3 + o.staggerMs + 60_000;
    const cpu0 = await fake.cpuMs();
    const started = performance.now();
    const [ours, fixed] = await Promise.all([
      runRole<WaitSample[]>('wait-ours', { ...base, tag: 'ours' } satisfies WaitArgs, timeout),
      runRole<WaitSample[]>('wait-fixed', { ...base, tag: 'fixed' } satisfies WaitArgs, timeout),
    ]);
    const wallMs = performance.now() - started;
    return {
      jobMs: o.jobMs,
      ours: summarize(ours),
      fixed: summarize(fixed),
      fakeCpuMs: (await fake.cpuMs()) - cpu0,
      wallMs,
    };
  } finally {
    await fake.stop();
  }
}
