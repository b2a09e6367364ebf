import { ScenarioError, type ErrorCode } from './errors.js';
import { isRecord } from './json.js';

/**
 * What an error response said, read defensively: Scenario's bodies come in several shapes
 * (`{status, code, message}` in the docs; `reason` / `message` / `error` / `detail` with `trace_id`
 * or `traceId` from real servers; `details.actionLimit` and `remainingSeconds` on 429s).
 */
export interface ParsedApiError {
  /** The API's own explanation, when it gave one. */
  reason?: string;
  /** The API's machine code when present (for example `INVALID_PARAMETER`). */
  apiCode?: string;
  traceId?: string;
  details?: Record<string, unknown>;
  /** Cooldown from the body (`remainingSeconds`, top level or under `details`). */
  remainingSeconds?: number;
  /** Per-team concurrency ceiling from `details.actionLimit`. */
  actionLimit?: number;
  actionName?: string;
  /** `retry-after-ms` or `Retry-After` (seconds or an HTTP date), in milliseconds from now. */
  retryAfterMs?: number;
}

const nonEmptyString = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

const finiteNumber = (v: unknown): number | undefined => {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
};

/** Text of one of the many shapes an error explanation can take. */
const explain = (v: unknown): string | undefined => {
  const s = nonEmptyString(v);
  if (s !== undefined) return s;
  if (isRecord(v)) return nonEmptyString(v.message) ?? nonEmptyString(v.reason) ?? nonEmptyString(v.detail);
  if (Array.isArray(v)) {
    const parts = v.map(explain).filter((x): x is string => x !== undefined);
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  return undefined;
};

/**
 * Parse `Retry-After` (delta seconds or an HTTP date) and the non-standard `retry-after-ms`.
 * Returns milliseconds from `nowMs`, never negative; undefined when absent or unreadable.
 */
export const parseRetryAfter = (headers: Record<string, string>, nowMs: number): number | undefined => {
  const ms = finiteNumber(headers['retry-after-ms']);
  if (ms !== undefined && ms >= 0) return ms;
  const raw = headers['retry-after']?.trim();
  if (raw === undefined || raw === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return Number(raw) * 1000;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
};

const MAX_REASON_CHARS = 500;

/** Read an error response body (any shape, or not JSON at all) and its headers. */
export const parseApiError = (input: {
  bodyText?: string;
  headers?: Record<string, string>;
  nowMs?: number;
}): ParsedApiError => {
  const headers = input.headers ?? {};
  const out: ParsedApiError = {};
  let body: unknown;
  const text = input.bodyText ?? '';
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
    // Not JSON: keep a short plain-text explanation, but never an HTML error page.
    const plain = text.trim();
    if (plain !== '' && !plain.startsWith('<')) out.reason = plain.slice(0, MAX_REASON_CHARS);
  }
  if (isRecord(body)) {
    const reason =
      explain(body.reason) ??
      explain(body.message) ??
      explain(body.error) ??
      explain(body.detail) ??
      explain(body.errors);
    if (reason !== undefined) out.reason = reason.slice(0, MAX_REASON_CHARS);
    const apiCode = nonEmptyString(body.code) ?? (isRecord(body.error) ? nonEmptyString(body.error.code) : undefined);
    if (apiCode !== undefined) out.apiCode = apiCode;
    const traceId = nonEmptyString(body.trace_id) ?? nonEmptyString(body.traceId) ?? nonEmptyString(body.requestId);
    if (traceId !== undefined) out.traceId = traceId;
    if (isRecord(body.details)) out.details = body.details;
    const remaining = finiteNumber(body.remainingSeconds) ?? finiteNumber(out.details?.remainingSeconds);
    if (remaining !== undefined && remaining >= 0) out.remainingSeconds = remaining;
    const actionLimit = finiteNumber(out.details?.actionLimit) ?? finiteNumber(body.actionLimit);
    if (actionLimit !== undefined && actionLimit >= 0) out.actionLimit = Math.floor(actionLimit);
    const actionName = nonEmptyString(out.details?.actionName) ?? nonEmptyString(body.actionName);
    if (actionName !== undefined) out.actionName = actionName;
  }
  if (out.traceId === undefined) {
    const headerTrace = headers['x-trace-id'] ?? headers['x-request-id'] ?? headers['x-amzn-requestid'];
    if (headerTrace !== undefined && headerTrace !== '') out.traceId = headerTrace;
  }
  const retryAfterMs = parseRetryAfter(headers, input.nowMs ?? 0);
  if (retryAfterMs !== undefined) out.retryAfterMs = retryAfterMs;
  return out;
};

/** The error code for an HTTP status (SPEC.md error taxonomy). */
export const codeForStatus = (status: number): ErrorCode => {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 429) return 'rate_limited';
  if (status === 408) return 'network';
  if (status >= 500) return 'server';
  return 'invalid_input';
};

/** Only the path of a URL: signed query strings never reach a message or a log. */
export const describeUrl = (url: string): string => {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
};

/**
 * A ScenarioError for a non-2xx response. 404 means an unknown model, job or asset id here, so it
 * is `invalid_input`; 429, 408 and 5xx are retryable; any other 4xx is not.
 */
export const apiErrorFromResponse = (input: {
  status: number;
  method: string;
  url: string;
  bodyText?: string;
  headers?: Record<string, string>;
  nowMs?: number;
  jobId?: string;
}): ScenarioError => {
  const parsed = parseApiError(input);
  const code = codeForStatus(input.status);
  const retryable = code === 'rate_limited' || code === 'server' || code === 'network';
  const details: Record<string, unknown> = { ...(parsed.details ?? {}) };
  if (parsed.remainingSeconds !== undefined) details.remainingSeconds = parsed.remainingSeconds;
  if (parsed.retryAfterMs !== undefined) details.retryAfterMs = parsed.retryAfterMs;
  if (parsed.apiCode !== undefined) details.apiCode = parsed.apiCode;
  const what = `${input.method} ${describeUrl(input.url)}`;
  const message = `Scenario API answered ${input.status} to ${what}${parsed.reason ? `: ${parsed.reason}` : ''}`;
  return new ScenarioError({
    code,
    message,
    status: input.status,
    retryable,
    ...(input.jobId !== undefined ? { jobId: input.jobId } : {}),
    ...(parsed.reason !== undefined ? { reason: parsed.reason } : {}),
    ...(parsed.traceId !== undefined ? { traceId: parsed.traceId } : {}),
    ...(Object.keys(details).length > 0 ? { details } : {}),
  });
};
