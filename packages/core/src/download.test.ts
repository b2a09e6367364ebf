import { afterEach, describe, expect, it } from 'vitest';
import { createScenarioClient } from './client.js';
import { parseContentRange, outputName } from './download.js';
import type { HttpPort } from './ports.js';
import { FRAME_PNG, NO_HAZARDS, readFakeVideoIdentity, startHarness, type Harness } from './testing/fake.js';
import { createMemorySink } from './testing/memory.js';

const VIDEO_BYTES = 2 * 1024 * 1024 + 12_345;

/** Byte equality without a deep-equality diff over millions of elements. */
const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** A finished job's first output asset id. */
const finishedAsset = async () => {
  const { assetId: image } = await h.client.uploadImage({ bytes: FRAME_PNG, fileName: 'f.png' });
  const handle = await h.client.submit({ params: { prompt: 'download me', image } });
  const job = await h.client.waitForJob(handle);
  return { jobId: handle.jobId, assetId: job.metadata.assetIds[0]! };
};

describe('downloadAsset against the fake CDN', () => {
  it('streams into the sink chunk by chunk, checks the size, and never sends credentials to the CDN', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: VIDEO_BYTES });
    const { jobId, assetId } = await finishedAsset();
    const sink = createMemorySink();
    const result = await h.client.downloadAsset(assetId, sink, { jobId });
    const out = sink.committed()[0]!;
    expect(result.bytes).toBe(out.bytes().length);
    expect(result.bytes).toBeGreaterThanOrEqual(VIDEO_BYTES);
    expect(result.mimeType).toBe('video/mp4');
    expect(out.name).toBe(`${assetId}.mp4`);
    // Constant memory: the body arrives and is written in many small pieces, never as one buffer.
    expect(out.chunks).toBeGreaterThan(4);
    expect(out.largestChunk).toBeLessThan(result.bytes / 4);
    expect(readFakeVideoIdentity(out.bytes())).toMatchObject({ jobId });
    const progress = h.events.filter((e) => e.type === 'downloading');
    expect(progress.at(-1)).toMatchObject({ bytes: result.bytes, total: result.bytes, jobId, assetId });
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it('resumes a truncated body with Range and ends with the exact bytes', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: VIDEO_BYTES });
    const { jobId, assetId } = await finishedAsset();
    const whole = createMemorySink();
    await h.client.downloadAsset(assetId, whole);
    h.fake.setOptions({ faults: [{ route: 'cdn', kind: 'truncate', truncateFraction: 0.3, times: 2 }] });
    const sink = createMemorySink();
    const result = await h.client.downloadAsset(assetId, sink, { jobId });
    const out = sink.committed()[0]!;
    expect(sameBytes(out.bytes(), whole.committed()[0]!.bytes())).toBe(true);
    expect(out.resets).toBe(0);
    expect(result.bytes).toBe(whole.committed()[0]!.bytes().length);
    expect(h.fake.state().requests.cdn).toBe(1 + 3);
    const retries = h.events.filter((e) => e.type === 'retrying');
    expect(retries).toHaveLength(2);
    expect(retries.every((e) => e.type === 'retrying' && e.cause === 'download_incomplete' && e.jobId === jobId)).toBe(
      true,
    );
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it('restarts the output when the server ignores the Range request (200 instead of 206)', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: VIDEO_BYTES });
    const { assetId } = await finishedAsset();
    const whole = createMemorySink();
    await h.client.downloadAsset(assetId, whole);
    h.fake.setOptions({ faults: [{ route: 'cdn', kind: 'truncate', times: 1 }] });
    // A CDN that drops Range headers: answers the whole body again.
    const noRange: HttpPort = {
      request: (req) => {
        const { range: _drop, ...headers } = req.headers ?? {};
        return h.ports.http.request({ ...req, headers });
      },
    };
    const client = createScenarioClient({ baseUrl: h.fake.url, ports: { ...h.ports, http: noRange } });
    const sink = createMemorySink();
    await client.downloadAsset(assetId, sink);
    const out = sink.committed()[0]!;
    expect(out.resets).toBe(1);
    expect(sameBytes(out.bytes(), whole.committed()[0]!.bytes())).toBe(true);
  });

  it('drops a resumed answer from the wrong offset after one chunk, and starts over', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: VIDEO_BYTES });
    const { assetId } = await finishedAsset();
    const whole = createMemorySink();
    await h.client.downloadAsset(assetId, whole);
    h.fake.setOptions({ faults: [{ route: 'cdn', kind: 'truncate', times: 1 }] });
    // A CDN that answers the resumed request with bytes from the start of the video, saying so.
    let pulled = 0;
    let lied = false;
    const wrongOffset: HttpPort = {
      request: async (req) => {
        const res = await h.ports.http.request(req);
        if (lied || req.headers?.range === undefined) return res;
        lied = true;
        const body = {
          async *[Symbol.asyncIterator]() {
            for await (const chunk of res.body) {
              pulled++;
              yield chunk;
            }
          },
        };
        const text = async () => {
          for await (const _ of body);
          return '';
        };
        const contentRange = `bytes 0-${VIDEO_BYTES - 1}/${VIDEO_BYTES}`;
        return { status: 206, headers: { ...res.headers, 'content-range': contentRange }, body, text };
      },
    };
    const client = createScenarioClient({ baseUrl: h.fake.url, ports: { ...h.ports, http: wrongOffset } });
    const sink = createMemorySink();
    await client.downloadAsset(assetId, sink);
    expect(lied).toBe(true);
    expect(pulled).toBeLessThanOrEqual(1);
    expect(sink.committed()[0]!.resets).toBe(1);
    expect(sameBytes(sink.committed()[0]!.bytes(), whole.committed()[0]!.bytes())).toBe(true);
  });

  it('fetches the asset again for a fresh signed URL after the CDN refuses an expired one (403)', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: 100_000 });
    const { assetId } = await finishedAsset();
    h.fake.setOptions({ faults: [{ route: 'getAsset', kind: 'expired-url', times: 1 }] });
    const before = h.fake.state().requests.getAsset;
    const sink = createMemorySink();
    const result = await h.client.downloadAsset(assetId, sink);
    expect(result.bytes).toBeGreaterThan(0);
    expect(h.fake.state().requests.getAsset - before).toBe(2);
    expect(h.fake.state().hazards).toEqual(NO_HAZARDS);
  });

  it('a URL that really expired (signed long ago) is refreshed too', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: 100_000, urlExpiryMs: 60_000 });
    const { assetId } = await finishedAsset();
    const asset = await h.client.getAsset(assetId);
    h.clock.advance(2 * 60_000);
    // The old URL is refused now; downloadAsset never trusts a stored URL.
    const stale = await h.ports.http.request({ method: 'GET', url: asset.url!, auth: false });
    expect(stale.status).toBe(403);
    await stale.text();
    const sink = createMemorySink();
    await expect(h.client.downloadAsset(assetId, sink)).resolves.toMatchObject({ assetId });
  });

  it('retries CDN 5xx, then reports download_incomplete with the job id when truncation never stops', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: 200_000 });
    const { jobId, assetId } = await finishedAsset();
    h.fake.setOptions({ faults: [{ route: 'cdn', kind: 'http-5xx', times: 1 }] });
    await expect(h.client.downloadAsset(assetId, createMemorySink())).resolves.toMatchObject({ assetId });
    h.fake.setOptions({ faults: [{ route: 'cdn', kind: 'truncate', truncateFraction: 0, rate: 1 }] });
    const sink = createMemorySink();
    const err = await h.client.downloadAsset(assetId, sink, { jobId, maxAttempts: 4 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'download_incomplete', jobId, retryable: true });
    expect(sink.outputs[0]?.state).toBe('discarded');
  });

  it('reports output_expired when the CDN keeps refusing fresh URLs', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: 100_000 });
    const { jobId, assetId } = await finishedAsset();
    h.fake.setOptions({ faults: [{ route: 'getAsset', kind: 'expired-url', rate: 1 }] });
    const sink = createMemorySink();
    const err = await h.client.downloadAsset(assetId, sink, { jobId }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'output_expired', jobId });
    expect(sink.outputs[0]?.state).toBe('discarded');
  });

  it('an abort mid-download stops it, discards the partial output and names the job', async () => {
    h = await startHarness({ jobDurationMs: 10_000, videoBytes: 4 * 1024 * 1024 });
    const { jobId, assetId } = await finishedAsset();
    const ac = new AbortController();
    const sink = createMemorySink();
    const err = await h.client
      .downloadAsset(assetId, sink, {
        jobId,
        signal: ac.signal,
        progressEveryBytes: 256 * 1024,
        onEvent: (e) => {
          if (e.type === 'downloading' && e.bytes > 0) ac.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'aborted', jobId });
    expect(sink.outputs[0]?.state).toBe('discarded');
    expect(sink.committed()).toHaveLength(0);
    expect(sink.outputs[0]!.bytes().length).toBeLessThan(4 * 1024 * 1024);
  });
});

describe('download helpers', () => {
  it('parses Content-Range and names outputs by MIME type', () => {
    expect(parseContentRange('bytes 100-199/1000')).toEqual({ start: 100, total: 1000 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0 });
    expect(parseContentRange('nonsense')).toBeUndefined();
    expect(outputName('job_1', 'video/mp4')).toBe('job_1.mp4');
    expect(outputName('job_1', 'video/webm; codecs=vp9')).toBe('job_1.webm');
    expect(outputName('job_1')).toBe('job_1.mp4');
  });
});
