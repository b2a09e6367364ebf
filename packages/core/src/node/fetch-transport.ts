import { Buffer } from 'node:buffer';
import { HttpTransportError, type HttpPort, type HttpRequest, type HttpResponse } from '../ports.js';
import { classifyTransportFailure } from '../transport-failure.js';
import { plainGet } from './http-get.js';

export interface FetchTransportOptions {
  /** The API base URL: credentials go to this origin only. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Timeout up to the response headers when the request names none (default 60 s). */
  defaultTimeoutMs?: number;
  /** A body that sends nothing for this long is abandoned (default 60 s). */
  bodyIdleTimeoutMs?: number;
  /** Redirects followed for GET (without credentials); default 5. */
  maxRedirects?: number;
  userAgent?: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * The HTTP port over `fetch`:
 * - Basic auth only when the request asks for it AND goes to the base URL's origin; never on a
 *   redirect (redirects are followed by hand, for GET only, without credentials);
 * - a timeout up to the response headers, then an idle timeout while the body streams;
 * - errors become HttpTransportError, `sent: false` only when no connection was ever made.
 * Credentials never appear in an error or a message.
 */
export const createFetchTransport = (options: FetchTransportOptions): HttpPort => {
  const apiOrigin = originOf(options.baseUrl);
  if (apiOrigin === undefined) throw new TypeError('createFetchTransport: invalid baseUrl');
  const authorization = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`, 'utf8').toString('base64')}`;
  const doFetch = options.fetch ?? globalThis.fetch;
  const idleMs = options.bodyIdleTimeoutMs ?? 60_000;
  const maxRedirects = options.maxRedirects ?? 5;

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      // Downloads (GET, no credentials) skip fetch's web streams: see plainGet.
      if (req.method === 'GET' && !req.auth && req.body === undefined && options.fetch === undefined) {
        return plainGet(req, {
          userAgent: options.userAgent ?? 'scenario-video',
          defaultTimeoutMs: options.defaultTimeoutMs ?? 60_000,
          idleMs,
          maxRedirects,
        });
      }
      const caller = req.signal;
      if (caller?.aborted) throw caller.reason;
      const controller = new AbortController();
      const onCallerAbort = () => controller.abort(caller?.reason);
      caller?.addEventListener('abort', onCallerAbort, { once: true });
      const detach = () => caller?.removeEventListener('abort', onCallerAbort);
      let timedOut = false;
      const timer = setTimeout(
        () => {
          timedOut = true;
          controller.abort(new HttpTransportError('timed out', { sent: true, timedOut: true }));
        },
        req.timeoutMs ?? options.defaultTimeoutMs ?? 60_000,
      );

      let response: Response;
      try {
        let url = req.url;
        let withAuth = req.auth && originOf(url) === apiOrigin;
        for (let hop = 0; ; hop++) {
          const headers: Record<string, string> = {
            'user-agent': options.userAgent ?? 'scenario-video',
            ...(req.headers ?? {}),
          };
          delete headers.authorization;
          if (withAuth) headers.authorization = authorization;
          response = await doFetch(url, {
            method: req.method,
            headers,
            redirect: 'manual',
            signal: controller.signal,
            ...(req.body !== undefined ? { body: req.body } : {}),
          });
          const location = response.headers.get('location');
          if (!REDIRECTS.has(response.status) || location === null || req.method !== 'GET' || hop >= maxRedirects) {
            break;
          }
          await response.body?.cancel().catch(() => undefined);
          url = new URL(location, url).toString();
          withAuth = false; // never forward credentials on a redirect, even to the same origin
        }
      } catch (e) {
        clearTimeout(timer);
        detach();
        if (caller?.aborted) throw caller.reason;
        if (timedOut)
          throw new HttpTransportError('timed out waiting for the response', { sent: true, timedOut: true });
        const { codes, sent } = classifyTransportFailure(e);
        throw new HttpTransportError(`request failed${codes[0] ? ` (${codes[0]})` : ''}`, { sent, cause: e });
      }
      clearTimeout(timer);

      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      const failure = (e: unknown): unknown => {
        if (caller?.aborted) return caller.reason;
        if (e instanceof HttpTransportError) return e;
        const reason: unknown = controller.signal.reason;
        if (reason instanceof HttpTransportError) return reason;
        return new HttpTransportError('response body interrupted', { sent: true, cause: e });
      };
      const idle = () =>
        setTimeout(
          () => controller.abort(new HttpTransportError('response body stalled', { sent: true, timedOut: true })),
          idleMs,
        );
      const res = response;
      return {
        status: res.status,
        headers,
        async text() {
          const t = idle();
          try {
            return await res.text();
          } catch (e) {
            throw failure(e);
          } finally {
            clearTimeout(t);
            detach();
          }
        },
        body: {
          async *[Symbol.asyncIterator]() {
            if (res.body === null) {
              detach();
              return;
            }
            const reader = res.body.getReader();
            let finished = false;
            try {
              for (;;) {
                const t = idle();
                let chunk: Awaited<ReturnType<typeof reader.read>>;
                try {
                  chunk = await reader.read();
                } catch (e) {
                  throw failure(e);
                } finally {
                  clearTimeout(t);
                }
                if (chunk.done) {
                  finished = true;
                  return;
                }
                yield chunk.value;
              }
            } finally {
              if (!finished) await reader.cancel().catch(() => undefined);
              detach();
            }
          },
        },
      };
    },
  };
};
