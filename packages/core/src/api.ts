import { ScenarioError, abortedError } from './errors.js';
import type { RenderEvent } from './events.js';
import { apiErrorFromResponse, describeUrl } from './http-errors.js';
import { HttpTransportError, type CorePorts, type HttpMethod, type HttpResponse } from './ports.js';
import type { RetryPolicy } from './retry.js';
import { backoff, withRetries } from './retry-loop.js';

/** The retry loop's pause, where the request helpers have always exported it. */
export { pause } from './retry-loop.js';

/** Everything a request needs, built once by the client. */
export interface ApiContext {
  /** API base URL without a trailing slash, e.g. `https://api.cloud.scenario.com/v1`. */
  baseUrl: string;
  ports: CorePorts;
  random: () => number;
  retry: RetryPolicy;
  /** Timeout of one JSON request up to its response headers. */
  requestTimeoutMs: number;
  /** Uploads made through this client, by bytes object, so the same bytes are uploaded once. */
  uploads?: WeakMap<Uint8Array, Promise<{ assetId: string }>>;
}

/** Sends events to every listener of the current call (client-wide and per call). */
export type Emit = (event: RenderEvent) => void;

export interface ApiCall {
  method: HttpMethod;
  /** Path under the base URL, e.g. `/jobs/job_1`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  json?: unknown;
  /**
   * Repeat on 429, 5xx and transport errors with backoff. True only for requests that are safe to
   * repeat: reads, dry runs, and POSTs that cost nothing. Never for the paid submit.
   */
  retry: boolean;
  signal?: AbortSignal;
  /** Named in errors and `retrying` events. */
  jobId?: string;
  timeoutMs?: number;
  /** Absolute clock time after which no retry is started. */
  deadline?: number;
  emit?: Emit;
}

export interface ApiResult<T = unknown> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

const buildUrl = (baseUrl: string, path: string, query?: ApiCall['query']): string => {
  const url = `${baseUrl}${path.startsWith('/') ? path : `/${path}`}`;
  if (query === undefined) return url;
  const params = Object.entries(query)
    .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return params.length === 0 ? url : `${url}?${params.join('&')}`;
};

/** Normalise a base URL: no trailing slash; must be http(s). */
export const normalizeBaseUrl = (baseUrl: string): string => {
  let u: URL;
  try {
    u = new URL(baseUrl);
  } catch {
    throw new ScenarioError({ code: 'invalid_input', message: `Invalid base URL: ${baseUrl}`, retryable: false });
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') {
    throw new ScenarioError({ code: 'invalid_input', message: 'The base URL must be http(s)', retryable: false });
  }
  return `${u.origin}${u.pathname.replace(/\/+$/, '')}`;
};

/** A transport failure as a `network` error; `details.sent` says whether the request may have arrived. */
export const transportError = (e: unknown, method: string, url: string, jobId?: string): ScenarioError => {
  const sent = e instanceof HttpTransportError ? e.sent : true;
  const timedOut = e instanceof HttpTransportError ? e.timedOut : false;
  const detail = e instanceof HttpTransportError ? e.detail : undefined;
  const what = `${method} ${describeUrl(url)}`;
  return new ScenarioError({
    code: 'network',
    message: timedOut
      ? `Timed out waiting for an answer to ${what}${detail ? `: ${detail}` : ''}`
      : `No answer to ${what}: ${detail ?? 'connection failed'}`,
    retryable: true,
    details: { sent, timedOut },
    cause: e,
    ...(jobId !== undefined ? { jobId } : {}),
  });
};

const parseJson = (text: string, method: string, url: string, status: number, jobId?: string): unknown => {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ScenarioError({
      code: 'server',
      message: `Scenario API answered ${status} to ${method} ${describeUrl(url)} with a body that is not JSON`,
      status,
      retryable: true,
      details: { malformed: true },
      cause: e,
      ...(jobId !== undefined ? { jobId } : {}),
    });
  }
};

/** Read and drop a body we don't need, so the connection can be reused. Never throws. */
export const drain = async (response: HttpResponse): Promise<void> => {
  try {
    await response.text();
  } catch {
    // Nothing to do: the body was unreadable anyway.
  }
};

/**
 * Stop reading a response whose body is of no use and may be large (a video from the wrong
 * offset): the connection is closed after at most one chunk instead of being read to its end.
 */
export const abandon = async (response: HttpResponse): Promise<void> => {
  try {
    // Entering the loop starts the transport's reader; leaving it lets the transport close the connection.
    for await (const _ of response.body) break;
  } catch {
    // Nothing to do: the body was unreadable anyway.
  }
};

/**
 * One exchange with the API, no retry. Throws a ScenarioError: the mapped HTTP error, `network`
 * (with `details.sent`) when no answer came, `server` with `details.malformed` for a 2xx whose body
 * is not JSON, or `aborted`.
 */
export const sendOnce = async <T = unknown>(ctx: ApiContext, call: ApiCall): Promise<ApiResult<T>> => {
  const url = buildUrl(ctx.baseUrl, call.path, call.query);
  if (call.signal?.aborted) throw abortedError(call.jobId, call.signal.reason);
  let response: HttpResponse;
  try {
    response = await ctx.ports.http.request({
      method: call.method,
      url,
      headers: {
        accept: 'application/json',
        ...(call.json !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(call.json !== undefined ? { body: JSON.stringify(call.json) } : {}),
      auth: true,
      timeoutMs: call.timeoutMs ?? ctx.requestTimeoutMs,
      ...(call.signal !== undefined ? { signal: call.signal } : {}),
    });
  } catch (e) {
    if (call.signal?.aborted) throw abortedError(call.jobId, call.signal.reason);
    throw transportError(e, call.method, url, call.jobId);
  }
  let text: string;
  try {
    text = await response.text();
  } catch (e) {
    if (call.signal?.aborted) throw abortedError(call.jobId, call.signal.reason);
    // Headers arrived but the body was cut: the request certainly arrived.
    throw transportError(
      new HttpTransportError('body interrupted', { sent: true, cause: e }),
      call.method,
      url,
      call.jobId,
    );
  }
  if (response.status < 200 || response.status >= 300) {
    throw apiErrorFromResponse({
      status: response.status,
      method: call.method,
      url,
      bodyText: text,
      headers: response.headers,
      nowMs: ctx.ports.clock.now(),
      ...(call.jobId !== undefined ? { jobId: call.jobId } : {}),
    });
  }
  const data = parseJson(text, call.method, url, response.status, call.jobId) as T;
  return { status: response.status, headers: response.headers, data };
};

/**
 * A request with the retry policy applied when `call.retry` is set: 429, 5xx and transport errors
 * are retried with jittered backoff honouring `Retry-After` / `remainingSeconds`, within a bounded
 * number of attempts and time (and the call's deadline); other 4xx fail at once. Each retry is
 * announced with a `retrying` event.
 */
export const callApi = async <T = unknown>(ctx: ApiContext, call: ApiCall): Promise<ApiResult<T>> =>
  withRetries<ApiResult<T>, ScenarioError>({
    ports: ctx.ports,
    ...(call.signal !== undefined ? { signal: call.signal } : {}),
    ...(call.jobId !== undefined ? { jobId: call.jobId } : {}),
    ...(call.emit !== undefined ? { emit: call.emit } : {}),
    attempt: async () => {
      try {
        return { done: await sendOnce<T>(ctx, call) };
      } catch (e) {
        if (!(e instanceof ScenarioError) || !call.retry) throw e;
        return { retry: e };
      }
    },
    next: backoff({
      clock: ctx.ports.clock,
      policy: ctx.retry,
      random: ctx.random,
      ...(call.deadline !== undefined ? { deadline: call.deadline } : {}),
    }),
  });
