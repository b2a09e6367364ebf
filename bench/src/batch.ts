/**
 * Metric 1: a batch of renders under the team's concurrency limit. Wall time ÷ the ideal
 * ⌈n / limit⌉ × render time, for our batch renderer (the CLI's and the Action's) and for a loop
 * polling every 3 s like the official SDK's `job.wait`; requests per video from the fake's counters;
 * peak RSS of our process; and the fake's own overhead (its CPU time, and an oracle client that looks
 * exactly when each job ends: the floor the fake and HTTP put under any client).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { renderBatch } from '../../action/src/batch/render.js';
import { ourClient } from './clients.js';
import { FakeHandle, totalRequests, type FakeInfo } from './fake.js';
import { makePng } from './png.js';
import { peakRssMb, runRole } from './proc.js';
import { RawClient, pool } from './raw.js';

export interface BatchArgs {
  info: FakeInfo;
  n: number;
  /** Our renderer's concurrency, or the baseline's lanes (the team limit). */
  concurrency: number;
  jobMs: number;
  dir: string;
  /** The baseline's polling interval (3 s, like the SDK; shorter only in --quick). */
  sdkPollMs: number;
}

export interface BatchRun {
  wallMs: number;
  rendered: number;
  peakRssMb: number;
}

const prompt = (i: number) => `Benchmark video ${i + 1}: a paper boat drifts across a still pond at dawn`;

/** Child: our batch renderer over prompt files on disk, as `scenario-video render --concurrency N` runs it. */
export async function batchOursRole(a: BatchArgs): Promise<BatchRun> {
  const root = path.join(a.dir, 'repo');
  await mkdir(path.join(root, 'prompts'), { recursive: true });
  await writeFile(path.join(root, 'prompts', 'frame.png'), makePng());
  const videos = Array.from(
    { length: a.n },
    (_, i) => `  - name: v${String(i + 1).padStart(3, '0')}\n    prompt: ${JSON.stringify(prompt(i))}\n`,
  );
  await writeFile(
    path.join(root, 'prompts', 'batch.yml'),
    `defaults:\n  image: frame.png\n  resolution: 480p\nvideos:\n${videos.join('')}`,
  );
  const { client } = ourClient(a.info);
  const started = performance.now();
  const result = await renderBatch({
    root,
    patterns: ['prompts/**/*.yml'],
    outDir: 'out',
    client,
    concurrency: a.concurrency,
  });
  const wallMs = performance.now() - started;
  const rendered = result.manifest.videos.filter((v) => v.status === 'rendered').length;
  if (rendered !== a.n) {
    const failed = result.manifest.videos.find((v) => v.status !== 'rendered');
    const problem = failed?.error ?? result.manifest.issues[0];
    throw new Error(`only ${rendered}/${a.n} rendered; first problem: ${JSON.stringify(problem)}`);
  }
  return { wallMs, rendered, peakRssMb: peakRssMb() };
}

/** Child: the SDK-style loop (upload, submit, poll every 3 s, download) with `concurrency` lanes. */
export async function batchBaselineRole(a: BatchArgs): Promise<BatchRun> {
  const raw = new RawClient(a.info);
  const png = makePng();
  await mkdir(path.join(a.dir, 'out'), { recursive: true });
  let rendered = 0;
  const started = performance.now();
  await pool(
    Array.from({ length: a.n }, (_, i) => i),
    a.concurrency,
    async (i) => {
      const image = await raw.uploadImage(png);
      const job = await raw.submit({ prompt: prompt(i), image, resolution: '480p' }, a.sdkPollMs);
      const { job: done } = await raw.waitFixed(job.jobId, a.sdkPollMs);
      await raw.download(done.metadata!.assetIds![0]!, path.join(a.dir, 'out', `v${i}.mp4`));
      rendered++;
    },
  );
  return { wallMs: performance.now() - started, rendered, peakRssMb: peakRssMb() };
}

/** Child: knows each job's duration and looks exactly when it ends (the floor under any client). */
export async function batchOracleRole(a: BatchArgs): Promise<BatchRun> {
  const raw = new RawClient(a.info);
  const png = makePng();
  await mkdir(path.join(a.dir, 'out'), { recursive: true });
  let rendered = 0;
  const started = performance.now();
  await pool(
    Array.from({ length: a.n }, (_, i) => i),
    a.concurrency,
    async (i) => {
      const image = await raw.uploadImage(png);
      const job = await raw.submit({ prompt: prompt(i), image, resolution: '480p' }, 20);
      const endsAt = Date.parse(job.createdAt!) + a.jobMs;
      await sleep(Math.max(0, endsAt - Date.now() + 2));
      const { job: done } = await raw.waitFixed(job.jobId, 10);
      await raw.download(done.metadata!.assetIds![0]!, path.join(a.dir, 'out', `v${i}.mp4`));
      rendered++;
    },
  );
  return { wallMs: performance.now() - started, rendered, peakRssMb: peakRssMb() };
}

export interface BatchVariant {
  label: string;
  wallMs: number;
  ratio: number;
  requestsPerVideo: number;
  getJobPerVideo: number;
  peakRssMb: number;
  fakeCpuMs: number;
  requests: Record<string, number>;
}

export interface BatchMetric {
  n: number;
  limit: number;
  jobMs: number;
  idealMs: number;
  variants: BatchVariant[];
}

export async function measureBatch(o: {
  n: number;
  limit: number;
  jobMs: number;
  sdkPollMs: number;
  tmp: string;
}): Promise<BatchMetric> {
  const idealMs = Math.ceil(o.n / o.limit) * o.jobMs;
  const fake = await FakeHandle.start({ jobDurationMs: o.jobMs, teamConcurrencyLimit: o.limit });
  const variants: BatchVariant[] = [];
  try {
    const runs: Array<{ label: string; role: string; concurrency: number }> = [
      { label: `ours (concurrency ${o.limit})`, role: 'batch-ours', concurrency: o.limit },
      { label: 'baseline (3 s polling)', role: 'batch-baseline', concurrency: o.limit },
      { label: `ours (concurrency ${o.limit * 2}, over the limit)`, role: 'batch-ours', concurrency: o.limit * 2 },
      { label: 'oracle (looks exactly at the end)', role: 'batch-oracle', concurrency: o.limit },
    ];
    for (const [i, r] of runs.entries()) {
      await fake.reset();
      const dir = path.join(o.tmp, `batch-${i}`);
      const cpu0 = await fake.cpuMs();
      const run = await runRole<BatchRun>(
        r.role,
        {
          info: fake.info,
          n: o.n,
          concurrency: r.concurrency,
          jobMs: o.jobMs,
          dir,
          sdkPollMs: o.sdkPollMs,
        } satisfies BatchArgs,
        idealMs * 6 + 60_000,
      );
      const fakeCpuMs = (await fake.cpuMs()) - cpu0;
      const state = await fake.state();
      await rm(dir, { recursive: true, force: true });
      variants.push({
        label: r.label,
        wallMs: run.wallMs,
        ratio: run.wallMs / idealMs,
        requestsPerVideo: totalRequests(state) / o.n,
        getJobPerVideo: state.requests.getJob / o.n,
        peakRssMb: run.peakRssMb,
        fakeCpuMs,
        requests: Object.fromEntries(Object.entries(state.requests).filter(([, v]) => v > 0)),
      });
    }
  } finally {
    await fake.stop();
  }
  return { n: o.n, limit: o.limit, jobMs: o.jobMs, idealMs, variants };
}
