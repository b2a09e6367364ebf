/**
 * Metric 3: streaming a large video to disk. The fake pads its MP4 to `bytes` (streamed from its
 * CDN origin); our client (core `downloadAsset` + the Node file sink: temp file, atomic rename)
 * and `curl -o` fetch the same asset in turn, each in its own process. Throughput ratio per pair
 * (median over pairs, alternating who goes first) and our process's peak RSS. Ours runs in a process
 * holding the whole client (as in the CLI and the Action); the same download in a process with the
 * core alone is reported beside it.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { FakeHandle } from './fake.js';
import { makePng } from './png.js';
import type { DownloadArgs, DownloadRun } from './download-role.js';
import { runRole } from './proc.js';
import { RawClient } from './raw.js';

export const CURL = '/usr/bin/curl';

export const SYNC = '/usr/bin/sync';

/**
 * `curl -o` of the same (freshly signed) URL; curl's own total time. With `durable`, then
 * `sync FILE` (fsync), timed too: what forcing the data to disk would cost.
 */
async function curlOnce(url: string, file: string, durable = false): Promise<DownloadRun> {
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn(CURL, ['-sS', '-o', file, '-w', '%{time_total} %{size_download} %{http_code}', url], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (c: Buffer) => (text += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`curl exited ${code}`))));
  });
  let syncMs = 0;
  if (durable) {
    const started = performance.now();
    await new Promise<void>((resolve, reject) =>
      spawn(SYNC, [file], { stdio: 'ignore' })
        .on('error', reject)
        .on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sync exited ${code}`)))),
    );
    syncMs = performance.now() - started;
  }
  await rm(file, { force: true });
  const [seconds, bytes, status] = out.trim().split(' ');
  if (status !== '200') throw new Error(`curl: HTTP ${status}`);
  return { ms: Number(seconds) * 1000 + syncMs, bytes: Number(bytes), peakRssMb: Number.NaN };
}

export interface DownloadMetric {
  bytes: number;
  pairs: Array<{ ours: DownloadRun; curl: DownloadRun; curlSync: DownloadRun; alone: DownloadRun; ratio: number }>;
  /** Median of (our throughput ÷ curl's). */
  ratio: number;
  oursMBps: number;
  curlMBps: number;
  /** `curl -o` then `sync FILE`: what forcing the data to disk costs. */
  curlSyncMBps: number;
  /** The same download in a process with the core alone loaded (no batch renderer). */
  aloneMBps: number;
  peakRssMb: number;
  /** RSS before the download started (the process with our code loaded), max over runs. */
  startRssMb: number;
  /** The fake's CPU time ÷ the download's wall time, in % (median): how close it is to being the bottleneck. */
  fakeCpuPctOurs: number;
  fakeCpuPctCurl: number;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function measureDownload(o: { bytes: number; pairs: number; tmp: string }): Promise<DownloadMetric> {
  const fake = await FakeHandle.start({ jobDurationMs: 100, teamConcurrencyLimit: 0, videoBytes: o.bytes });
  const dir = path.join(o.tmp, 'download');
  await mkdir(dir, { recursive: true });
  try {
    const raw = new RawClient(fake.info);
    const image = await raw.uploadImage(makePng());
    const job = await raw.submit({ prompt: 'Download benchmark: waves roll onto a beach', image });
    const { job: done } = await raw.waitFixed(job.jobId, 50);
    const assetId = done.metadata!.assetIds![0]!;
    const pairs: DownloadMetric['pairs'] = [];
    /** The fake's CPU share while serving `run`'s download (its other requests are tiny). */
    const withFakeCpu = async (run: () => Promise<DownloadRun>): Promise<DownloadRun> => {
      const before = await fake.cpuMs();
      const result = await run();
      return { ...result, fakeCpuPct: (((await fake.cpuMs()) - before) / result.ms) * 100 };
    };
    for (let i = 0; i < o.pairs; i++) {
      const args = { info: fake.info, assetId, dir } satisfies DownloadArgs;
      const ours = async () => withFakeCpu(() => runRole<DownloadRun>('download-ours', args, 600_000));
      const alone = async () => runRole<DownloadRun>('download-client', args, 600_000);
      const curl = async () =>
        withFakeCpu(async () => curlOnce(await raw.assetUrl(assetId), path.join(dir, 'curl.mp4')));
      const curlSync = async () => curlOnce(await raw.assetUrl(assetId), path.join(dir, 'curl.mp4'), true);
      let o1: DownloadRun;
      let c1: DownloadRun;
      let s1: DownloadRun;
      let a1: DownloadRun;
      if (i % 2 === 0) {
        o1 = await ours();
        c1 = await curl();
        a1 = await alone();
        s1 = await curlSync();
      } else {
        s1 = await curlSync();
        a1 = await alone();
        c1 = await curl();
        o1 = await ours();
      }
      if (o1.bytes !== c1.bytes || o1.bytes < o.bytes) throw new Error(`sizes differ: ${o1.bytes} vs ${c1.bytes}`);
      pairs.push({ ours: o1, curl: c1, curlSync: s1, alone: a1, ratio: c1.ms / o1.ms });
    }
    const mb = (run: DownloadRun) => run.bytes / 1e6 / (run.ms / 1000);
    return {
      bytes: o.bytes,
      pairs,
      ratio: median(pairs.map((p) => p.ratio)),
      oursMBps: median(pairs.map((p) => mb(p.ours))),
      curlMBps: median(pairs.map((p) => mb(p.curl))),
      curlSyncMBps: median(pairs.map((p) => mb(p.curlSync))),
      aloneMBps: median(pairs.map((p) => mb(p.alone))),
      peakRssMb: Math.max(...pairs.map((p) => p.ours.peakRssMb)),
      startRssMb: Math.max(...pairs.map((p) => p.ours.startRssMb ?? 0)),
      fakeCpuPctOurs: median(pairs.map((p) => p.ours.fakeCpuPct ?? Number.NaN)),
      fakeCpuPctCurl: median(pairs.map((p) => p.curl.fakeCpuPct ?? Number.NaN)),
    };
  } finally {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
