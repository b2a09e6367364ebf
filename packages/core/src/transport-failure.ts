/**
 * What a failed HTTP exchange tells about the request, whichever client failed (node:http in the
 * Node transport, axios inside n8n's helpers). The answer decides whether a paid submit may be
 * sent again, so both transports read error codes the same way.
 */

/** Codes that prove the request never left this machine: no connection was made. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Codes of a timeout after the request may have been sent. */
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** Every `code` in an error's cause chain, and in AggregateErrors (happy eyeballs tries several addresses). */
export const errorCodes = (e: unknown, seen = new Set<unknown>()): string[] => {
  if (typeof e !== 'object' || e === null || seen.has(e)) return [];
  seen.add(e);
  const o = e as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof o.code === 'string' ? [o.code] : [];
  const nested = Array.isArray(o.errors) ? o.errors.flatMap((x) => errorCodes(x, seen)) : [];
  return [...own, ...nested, ...errorCodes(o.cause, seen)];
};

export interface TransportFailure {
  codes: string[];
  /** False only when the request certainly never reached the server. */
  sent: boolean;
  timedOut: boolean;
}

export const classifyTransportFailure = (e: unknown): TransportFailure => {
  const codes = errorCodes(e);
  return {
    codes,
    sent: !codes.some((c) => NOT_SENT_CODES.has(c)),
    timedOut: codes.some((c) => TIMEOUT_CODES.has(c)),
  };
};
