/**
 * The measured side of the download metric: our client fetching one asset into the file sink.
 * Imported by ours.ts (a process with the whole client: core, batch renderer, prompt parser) and by
 * ours-client.ts (the core alone), so the two can be compared: how much loaded code costs a
 * large download (see README, "Performance").
 */
import { rm } from 'node:fs/promises';
import { createFileSink } from '../../packages/core/src/node/index.js';
import { ourClient } from './clients.js';
import type { FakeInfo } from './fake.js';
import { peakRssMb } from './proc.js';

export interface DownloadArgs {
  info: FakeInfo;
  assetId: string;
  dir: string;
}

export interface DownloadRun {
  ms: number;
  bytes: number;
  peakRssMb: number;
  /** Our process's RSS just before the download (Node with our code loaded). */
  startRssMb?: number;
  /** The fake's CPU time ÷ this download's wall time, in % (set by the parent). */
  fakeCpuPct?: number;
}

export async function downloadOursRole(a: DownloadArgs): Promise<DownloadRun> {
  const { client } = ourClient(a.info);
  const startRssMb = process.memoryUsage().rss / 1024 / 1024;
  const started = performance.now();
  const result = await client.downloadAsset(a.assetId, createFileSink(a.dir), { name: 'ours.mp4' });
  const ms = performance.now() - started;
  await rm(result.file!, { force: true });
  return { ms, bytes: result.bytes, peakRssMb: peakRssMb(), startRssMb };
}
