/**
 * A plain client written the way a user of the official SDK would (fetch, `job.wait` polling every
 * 3 s): the baseline of every comparison. Also the "oracle" client used to show the fake's own
 * overhead: it knows exactly when a job will end and looks once, right then.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeInfo } from './fake.js';

export const WAN = 'model_wan-2-2-i2v-a14b';
/** The official SDK's `job.wait` polls every 3000 ms (scenario-api.md §6). */
export const SDK_POLL_MS = 3000;

export interface RawJob {
  jobId: string;
  status: string;
  progress?: number;
  createdAt?: string;
  metadata?: { assetIds?: string[] };
}

export class RawClient {
  private readonly auth: string;
  constructor(private readonly info: FakeInfo) {
    this.auth = `Basic ${Buffer.from(`${info.apiKey}:${info.apiSecret}`).toString('base64')}`;
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; data: Record<string, unknown> }> {
    const res = await fetch(`${this.info.url}${path}`, {
      method,
      headers: { authorization: this.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, data: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  }

  async uploadImage(png: Uint8Array, name = 'frame.png'): Promise<string> {
    const { status, data } = await this.call('POST', '/assets', {
      image: `data:image/png;base64,${Buffer.from(png).toString('base64')}`,
      name,
    });
    if (status !== 200) throw new Error(`upload: HTTP ${status}`);
    return (data.asset as { id: string }).id;
  }

  /** Submit; a 429 (team at its limit) is retried every `retryMs`, as a simple loop would. */
  async submit(params: Record<string, unknown>, retryMs = SDK_POLL_MS, maxTries = 1000): Promise<RawJob> {
    for (let i = 0; i < maxTries; i++) {
      const { status, data } = await this.call('POST', `/generate/custom/${WAN}`, params);
      if (status === 200) return data.job as RawJob;
      if (status !== 429) throw new Error(`submit: HTTP ${status} ${JSON.stringify(data)}`);
      await sleep(retryMs);
    }
    throw new Error('submit: still refused');
  }

  async getJob(jobId: string): Promise<RawJob> {
    const { status, data } = await this.call('GET', `/jobs/${jobId}`);
    if (status !== 200) throw new Error(`getJob: HTTP ${status}`);
    return data.job as RawJob;
  }

  /** Poll every `everyMs` until the job ends (bounded). */
  async waitFixed(jobId: string, everyMs = SDK_POLL_MS, maxPolls = 10_000): Promise<{ job: RawJob; polls: number }> {
    for (let polls = 1; polls <= maxPolls; polls++) {
      const job = await this.getJob(jobId);
      if (job.status === 'success') return { job, polls };
      if (job.status === 'failure' || job.status === 'canceled') throw new Error(`job ${jobId} ${job.status}`);
      await sleep(everyMs);
    }
    throw new Error(`job ${jobId}: too many polls`);
  }

  /** GET the asset for its signed URL, then stream it to `file` without credentials. */
  async download(assetId: string, file: string): Promise<number> {
    const { status, data } = await this.call('GET', `/assets/${assetId}`);
    if (status !== 200) throw new Error(`getAsset: HTTP ${status}`);
    const url = (data.asset as { url: string }).url;
    const res = await fetch(url);
    if (res.status !== 200 || res.body === null) throw new Error(`cdn: HTTP ${res.status}`);
    let bytes = 0;
    const counted = Readable.fromWeb(res.body as never).on('data', (c: Buffer) => (bytes += c.length));
    await pipeline(counted, createWriteStream(file));
    return bytes;
  }

  async assetUrl(assetId: string): Promise<string> {
    const { data } = await this.call('GET', `/assets/${assetId}`);
    return (data.asset as { url: string }).url;
  }
}

/** Run `worker` over `items` with at most `limit` at once. */
export async function pool<T>(items: T[], limit: number, worker: (item: T, index: number) => Promise<void>) {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await worker(items[i]!, i);
    }
  });
  await Promise.all(lanes);
}
