import { abandon, drain, type ApiContext, type Emit } from './api.js';
import { ScenarioError, abortedError } from './errors.js';
import { apiErrorFromResponse, describeUrl } from './http-errors.js';
import { getAsset, type ScenarioAsset } from './jobs.js';
import type { ByteSink, HttpResponse, SinkWriter } from './ports.js';
import { retryDelayMs, serverHintMs, type RetryPolicy } from './retry.js';
import { withRetries, type TryOutcome } from './retry-loop.js';

export interface DownloadOptions {
  signal?: AbortSignal;
  emit?: Emit;
  /** The job that produced the asset: named in events and errors. */
  jobId?: string;
  /** Output name handed to the sink (default: `baseName` plus an extension from the MIME type). */
  name?: string;
  /** Output name without extension (default: the asset id). */
  baseName?: string;
  /** Tries of the byte transfer, resumes included (default 6). */
  maxAttempts?: number;
  /** Fresh signed URLs fetched after a refusal (403) before giving up with `output_expired` (default 3). */
  maxRefreshes?: number;
  /** Timeout up to the response headers of each CDN request (default 60 s). */
  timeoutMs?: number;
  /** Minimum bytes between two `downloading` events (default 1 MiB). */
  progressEveryBytes?: number;
}

export interface DownloadResult {
  assetId: string;
  /** Where the sink put it (a path for the file sink). */
  file?: string;
  bytes: number;
  mimeType?: string;
}

/** Pauses between download attempts (the attempts themselves are bounded by `maxAttempts`). */
const DOWNLOAD_BACKOFF: RetryPolicy = {
  maxAttempts: Number.MAX_SAFE_INTEGER,
  maxElapsedMs: Number.MAX_SAFE_INTEGER,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxHintMs: 60_000,
};

const EXTENSIONS: Readonly<Record<string, string>> = {
  'video/mp4': '.mp4',
  'video/webm': '.webm',
  'video/quicktime': '.mov',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/webp': '.webp',
  'image/gif': '.gif',
};

/** A file name for an asset: `<base><ext>`, the extension from the MIME type (`.mp4` if unknown). */
export const outputName = (base: string, mimeType?: string): string =>
  `${base}${EXTENSIONS[(mimeType ?? '').split(';')[0]!.trim().toLowerCase()] ?? '.mp4'}`;

const intHeader = (v: string | undefined): number | undefined => {
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
};

/** `bytes 100-199/1000` → { start: 100, total: 1000 }; `*` totals become undefined. */
export const parseContentRange = (v: string | undefined): { start: number; total?: number } | undefined => {
  const m = /^bytes\s+(\d+)-(\d+)\/(\d+|\*)$/i.exec(v?.trim() ?? '');
  if (!m) return undefined;
  return { start: Number(m[1]), ...(m[3] !== '*' ? { total: Number(m[3]) } : {}) };
};

/**
 * Download an asset into a sink, safely:
 * - the asset is fetched right before downloading (signed URLs expire), and again for a fresh URL
 *   after a 401/403/404/410 from the CDN;
 * - the request never carries Scenario's credentials (`auth: false`);
 * - the body is streamed into the sink chunk by chunk (constant memory);
 * - the byte count is checked against `Content-Length` / `Content-Range` (else the asset's size);
 * - a truncated body is resumed with `Range: bytes=N-`; a server that ignores the range (200)
 *   restarts the output;
 * - bounded attempts; the partial output is discarded on failure.
 */
export const downloadAsset = async (
  ctx: ApiContext,
  assetId: string,
  sink: ByteSink,
  options: DownloadOptions = {},
): Promise<DownloadResult> => {
  const { signal, emit, jobId } = options;
  const maxAttempts = options.maxAttempts ?? 6;
  const maxRefreshes = options.maxRefreshes ?? 3;
  const every = options.progressEveryBytes ?? 1024 * 1024;
  const readOpts = {
    ...(signal !== undefined ? { signal } : {}),
    ...(emit !== undefined ? { emit } : {}),
    ...(jobId !== undefined ? { jobId } : {}),
  };
  const aborted = () => abortedError(jobId, signal?.reason);
  const fail = (code: 'download_incomplete' | 'output_expired', message: string, cause?: unknown) =>
    new ScenarioError({
      code,
      message: `${message} (asset ${assetId}${jobId ? `, job ${jobId}` : ''}); download it again by job id`,
      retryable: true,
      details: { assetId },
      ...(jobId !== undefined ? { jobId } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });

  let asset: ScenarioAsset | undefined;
  let writer: SinkWriter | undefined;
  let refreshes = 0;
  let committed = false;
  /** A try that ended short: what went wrong (the `retrying` event's cause) and the error behind it. */
  type Problem = { problem: string; cause?: unknown };
  const retry = (problem: string, cause?: unknown): { retry: Problem } => ({
    retry: { problem, ...(cause !== undefined ? { cause } : {}) },
  });

  /** One try of the byte transfer: done once the whole body is in the writer. */
  const transfer = async (): Promise<TryOutcome<SinkWriter, Problem>> => {
    if (signal?.aborted) throw aborted();
    if (asset === undefined) asset = await getAsset(ctx, assetId, readOpts);
    const url = asset.url;
    if (typeof url !== 'string' || url === '') {
      // Not ready yet (asset still `pending`): ask again next time.
      asset = undefined;
      return retry('the asset has no download URL yet');
    }
    writer ??= await sink.open(options.name ?? outputName(options.baseName ?? assetId, asset.mimeType));
    const offset = writer.bytesWritten;
    let res: HttpResponse;
    try {
      res = await ctx.ports.http.request({
        method: 'GET',
        url,
        auth: false,
        headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
        timeoutMs: options.timeoutMs ?? 60_000,
        ...(signal !== undefined ? { signal } : {}),
      });
    } catch (e) {
      if (signal?.aborted) throw aborted();
      return retry('network', e);
    }
    let total: number | undefined;
    if (res.status === 200) {
      if (offset > 0) await writer.reset(); // the server ignored the range: start over
      total = intHeader(res.headers['content-length']);
    } else if (res.status === 206) {
      const range = parseContentRange(res.headers['content-range']);
      if (range === undefined || range.start !== offset) {
        await abandon(res); // bytes from elsewhere in the video: not worth reading
        await writer.reset();
        return retry('download_incomplete');
      }
      total = range.total;
    } else if (res.status === 416 && offset > 0) {
      await drain(res);
      const size = parseContentRange(res.headers['content-range'])?.total ?? asset.properties?.size;
      if (size === offset) return { done: writer };
      await writer.reset();
      return retry('download_incomplete');
    } else if ([401, 403, 404, 410].includes(res.status)) {
      // Expired or revoked signature: get a fresh URL from the API.
      await drain(res);
      refreshes++;
      if (refreshes > maxRefreshes) {
        throw fail('output_expired', `The CDN kept refusing the asset's URL (HTTP ${res.status})`);
      }
      asset = undefined;
      return retry('output_expired');
    } else {
      const body = await res.text().catch(() => '');
      const err = apiErrorFromResponse({
        status: res.status,
        method: 'GET',
        url,
        bodyText: body,
        headers: res.headers,
      });
      if (!err.retryable)
        throw fail('download_incomplete', `The CDN answered ${res.status} to GET ${describeUrl(url)}`);
      return retry(err.code, err);
    }
    if (total === undefined && typeof asset.properties?.size === 'number') total = asset.properties.size;
    emit?.({
      type: 'downloading',
      bytes: writer.bytesWritten,
      assetId,
      ...(total !== undefined ? { total } : {}),
      ...(jobId !== undefined ? { jobId } : {}),
    });
    let reported = writer.bytesWritten;
    try {
      for await (const chunk of res.body) {
        if (signal?.aborted) throw aborted();
        await writer.write(chunk);
        if (writer.bytesWritten - reported >= every) {
          reported = writer.bytesWritten;
          emit?.({
            type: 'downloading',
            bytes: reported,
            assetId,
            ...(total !== undefined ? { total } : {}),
            ...(jobId !== undefined ? { jobId } : {}),
          });
        }
      }
    } catch (e) {
      if (signal?.aborted) throw aborted();
      if (e instanceof ScenarioError) throw e;
      return retry('download_incomplete', e); // resume from what arrived
    }
    if (total !== undefined && writer.bytesWritten < total) return retry('download_incomplete');
    if (total !== undefined && writer.bytesWritten > total) {
      await writer.reset();
      return retry('download_incomplete');
    }
    if (writer.bytesWritten !== reported || reported === 0) {
      emit?.({
        type: 'downloading',
        bytes: writer.bytesWritten,
        assetId,
        ...(total !== undefined ? { total } : {}),
        ...(jobId !== undefined ? { jobId } : {}),
      });
    }
    return { done: writer };
  };

  const gaveUp = (lastProblem: string, lastCause?: unknown) =>
    fail(
      lastProblem === 'output_expired' ? 'output_expired' : 'download_incomplete',
      `Download failed after ${maxAttempts} attempts (last problem: ${lastProblem})`,
      lastCause,
    );

  try {
    if (maxAttempts < 1) throw gaveUp('no attempt made');
    const written = await withRetries<SinkWriter, Problem>({
      ports: ctx.ports,
      ...readOpts,
      attempt: transfer,
      // Bounded by `maxAttempts` only; back off, honouring the CDN's Retry-After when it sent one (capped).
      next: ({ problem, cause }, attempt) => {
        if (attempt >= maxAttempts) return undefined;
        const hint = cause instanceof ScenarioError ? serverHintMs(cause) : undefined;
        const delayMs = retryDelayMs({
          attempt,
          policy: DOWNLOAD_BACKOFF,
          random: ctx.random,
          ...(hint !== undefined ? { hintMs: Math.min(hint, DOWNLOAD_BACKOFF.maxHintMs) } : {}),
        });
        return { delayMs, cause: problem };
      },
      giveUp: ({ problem, cause }) => gaveUp(problem, cause),
    });
    const output = await written.commit();
    committed = true;
    return {
      assetId,
      bytes: output.bytes,
      ...(output.file !== undefined ? { file: output.file } : {}),
      ...(asset?.mimeType !== undefined ? { mimeType: asset.mimeType } : {}),
    };
  } catch (e) {
    if (writer !== undefined && !committed) await writer.discard().catch(() => undefined);
    if (signal?.aborted) throw aborted();
    if (e instanceof ScenarioError) throw e.withJobId(jobId);
    throw fail('download_incomplete', `Could not write the output: ${e instanceof Error ? e.message : String(e)}`, e);
  }
};
