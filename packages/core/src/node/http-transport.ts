import { Buffer } from 'node:buffer';
import http, { type ClientRequest, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { TLSSocket } from 'node:tls';
import { HttpTransportError, type HttpPort, type HttpRequest, type HttpResponse } from '../ports.js';
import { proxyFor, proxySettingsFromEnv, type ProxyServer } from './proxy-env.js';
import { HttpTunnelAgent, HttpsTunnelAgent, TUNNEL_SIGNAL, type TunnelRequestOptions } from './proxy-tunnel.js';
import { getWithReusedBuffer } from './reused-buffer-get.js';
import { headTimeoutError, requestFailedError } from './transport-errors.js';

export interface HttpTransportOptions {
  /** The API base URL: credentials go to this origin only. */
  baseUrl: string;
  apiKey: string;
  apiSecret: string;
  /** Timeout up to the response headers when the request names none (default 60 s). */
  defaultTimeoutMs?: number;
  /** A body that sends nothing for this long is abandoned (default 60 s). */
  bodyIdleTimeoutMs?: number;
  /** Redirects followed for GET (without credentials); default 5. */
  maxRedirects?: number;
  userAgent?: string;
  /**
   * The timers behind the timeout up to the response headers of an API request (the submit's
   * included); default the host's `setTimeout`. A host whose time is not the wall clock (a
   * discrete-event virtual time in tests, where a submit answer can be held for minutes on the
   * fake API's clock) passes its own, so the timeout fires on the same clock the answer waits on.
   */
  timers?: TransportTimers;
  /**
   * The environment whose `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` (and lower-case) apply;
   * default `process.env`. Rules in proxy-env.ts; an unusable proxy URL throws `invalid_input` here.
   */
  env?: Record<string, string | undefined>;
  /**
   * Read GETs without credentials (downloads from the CDN) into reused buffers where safe; default
   * true. False sends them through node:http like every other request.
   */
  reusedBufferDownloads?: boolean;
}

/** setTimeout/clearTimeout, as a port. */
export interface TransportTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const hostTimers: TransportTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * An idle keep-alive socket is closed after this long, or sooner when the server's `Keep-Alive:
 * timeout=N` says so (Node then keeps a 1 s margin), so a GET rarely meets a socket the server
 * has just closed. The same figure as undici's default.
 */
const KEEP_ALIVE_IDLE_MS = 4_000;

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
};

/**
 * The HTTP port over node:http(s), for every request (API calls, uploads, CDN downloads). Nothing
 * here uses `fetch`, so undici never loads: having called `fetch` once raises the peak memory of a
 * large download, and fetch's web streams cost more CPU per byte (`pnpm bench`'s download rows;
 * figures in bench/README.md).
 *
 * The contract (HttpPort in ../ports.ts):
 * - Basic auth only when the request asks for it AND goes to the base URL's origin; a caller's
 *   own Authorization header is always dropped; credentials are never sent on a redirect (GET
 *   redirects are followed by hand, at most `maxRedirects`; other methods get the 3xx) and never
 *   appear in an error;
 * - one timeout up to the response headers (across redirects), then an idle timeout while the
 *   body streams, both `HttpTransportError` with `timedOut: true` and `sent: true` (false when the
 *   connection had not even opened: the request cannot have left);
 * - the caller's abort rejects with its `signal.reason`, at any point; no listener outlives the
 *   exchange;
 * - a failure before any response is an `HttpTransportError` whose `sent` is false only when the
 *   request certainly never reached the server (refused, unresolved, or the connection never
 *   opened); a body cut short is `sent: true`.
 *
 * Only GETs reuse keep-alive connections. Every other request (a paid submit, an upload) opens a
 * fresh one: on a pooled socket the server may have closed a moment before, the request fails
 * after it may have been written, which turns a submit into "outcome unknown" for nothing. Idle
 * pooled sockets are unreferenced, so they never keep the process alive.
 *
 * A GET without credentials (a video download from the CDN) skips node:http: it reads its body
 * into reused buffers over a fresh connection (reused-buffer-get.ts), under the same rules; the
 * caller sees ordinary chunks of its own (finished-chunks.ts says how the memory is reused). Only
 * where that is safe: not through a proxy, and not from an origin whose response it once could not
 * read (see `unreadable`); those go through node:http, and a download cut short there resumes with
 * Range as anywhere.
 *
 * Proxies: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` of `env` (proxy-env.ts), every proxied request
 * in a CONNECT tunnel (proxy-tunnel.ts), so the proxy never sees our Authorization header.
 */
export const createHttpTransport = (options: HttpTransportOptions): HttpPort => {
  const apiOrigin = originOf(options.baseUrl);
  if (apiOrigin === undefined) throw new TypeError('createHttpTransport: invalid baseUrl');
  const authorization = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`, 'utf8').toString('base64')}`;
  const userAgent = options.userAgent ?? 'scenario-video';
  const idleMs = options.bodyIdleTimeoutMs ?? 60_000;
  const maxRedirects = options.maxRedirects ?? 5;
  const timers = options.timers ?? hostTimers;
  const proxies = proxySettingsFromEnv(options.env ?? process.env);
  const reusedBuffers = options.reusedBufferDownloads ?? true;
  const pools = {
    http: new http.Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS }),
    https: new https.Agent({ keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS }),
  };
  /**
   * Agents that tunnel through a proxy, by proxy, target scheme and keep-alive (GETs share
   * tunnels as they share connections; other requests get a fresh one): a handful at most.
   */
  const tunnels = new Map<string, http.Agent>();
  const tunnelAgent = (proxy: ProxyServer, secure: boolean, keepAlive: boolean): http.Agent => {
    const key = `${proxy.secure}|${proxy.name}|${proxy.authorization ?? ''}|${secure}|${keepAlive}`;
    let agent = tunnels.get(key);
    if (agent === undefined) {
      const agentOptions = keepAlive ? { keepAlive, timeout: KEEP_ALIVE_IDLE_MS } : {};
      agent = secure ? new HttpsTunnelAgent(proxy, agentOptions) : new HttpTunnelAgent(proxy, agentOptions);
      tunnels.set(key, agent);
    }
    return agent;
  };
  /**
   * Origins whose response the reused-buffer reader could not read (malformed by its strict
   * reading, not cut short): their downloads go through node:http from then on. CDN origins are few.
   */
  const unreadable = new Set<string>();

  /** The headers of one hop: ours, the caller's (never its Authorization), credentials when allowed. */
  const requestHeaders = (req: HttpRequest, withAuth: boolean, body: Buffer | undefined): Record<string, string> => {
    const headers: Record<string, string> = { 'user-agent': userAgent };
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      const lower = name.toLowerCase();
      if (lower !== 'authorization' && lower !== 'content-length') headers[lower] = value;
    }
    if (withAuth) headers.authorization = authorization;
    if (body !== undefined) headers['content-length'] = String(body.length);
    return headers;
  };

  /** One hop, up to its response headers; `tunnel` gives up opening a proxy tunnel for it. */
  const open = (
    url: URL,
    req: HttpRequest,
    withAuth: boolean,
    body: Buffer | undefined,
    proxy: ProxyServer | undefined,
    tunnel: AbortSignal,
  ): ClientRequest => {
    const headers = requestHeaders(req, withAuth, body);
    const secure = url.protocol === 'https:';
    const keepAlive = req.method === 'GET';
    const agent =
      proxy !== undefined
        ? tunnelAgent(proxy, secure, keepAlive)
        : keepAlive
          ? secure
            ? pools.https
            : pools.http
          : false;
    const requestOptions: TunnelRequestOptions = { method: req.method, headers, agent, [TUNNEL_SIGNAL]: tunnel };
    return (secure ? https : http).request(url, requestOptions);
  };

  /** A request through node:http, its body streamed. */
  const viaNodeHttp = async (req: HttpRequest): Promise<HttpResponse> =>
    streamed(await exchange(req), req.signal, idleMs);

  /**
   * A GET whose caller lets chunks be reused: read over fresh connections into reused buffers
   * (reused-buffer-get.ts), redirects followed by hand as in `exchange`, one timeout up to the
   * last hop's head.
   */
  const reusedGet = async (req: HttpRequest): Promise<HttpResponse> => {
    const deadline = Date.now() + (req.timeoutMs ?? options.defaultTimeoutMs ?? 60_000);
    let url = req.url;
    let withAuth = req.auth && originOf(url) === apiOrigin;
    for (let hop = 0; ; hop++) {
      const target = httpUrl(url);
      if (target === undefined) throw new HttpTransportError('request failed (invalid URL)', { sent: false });
      /** The rest of the exchange (this hop on) through node:http, within the same deadline. */
      const rest = () => viaNodeHttp({ ...req, url, auth: withAuth, timeoutMs: Math.max(1, deadline - Date.now()) });
      if (!fastPathFor(target)) return await rest();
      let unread = false;
      let hopResult: Awaited<ReturnType<typeof getWithReusedBuffer>>;
      try {
        hopResult = await getWithReusedBuffer(target, {
          headers: requestHeaders(req, withAuth, undefined),
          timeoutMs: Math.max(1, deadline - Date.now()),
          idleMs,
          ...(req.signal !== undefined ? { signal: req.signal } : {}),
          onUnreadable: () => {
            unread = true;
            unreadable.add(target.origin);
          },
        });
      } catch (e) {
        // A head it could not read: ask again through node:http at once (a GET may be repeated).
        if (unread && !req.signal?.aborted) return await rest();
        throw e;
      }
      const { head, response, close } = hopResult;
      const location = head.headers.location;
      const next = location === undefined ? undefined : resolveUrl(location, url);
      if (!REDIRECTS.has(head.status) || next === undefined || hop >= maxRedirects) return response;
      close();
      url = next;
      withAuth = false; // never forward credentials on a redirect, even to the same origin
    }
  };

  /** The response headers of the last hop; rejects as the HttpPort contract says. */
  const exchange = (req: HttpRequest): Promise<IncomingMessage> =>
    new Promise<IncomingMessage>((resolve, reject) => {
      const caller = req.signal;
      const body =
        req.body === undefined
          ? undefined
          : typeof req.body === 'string'
            ? Buffer.from(req.body, 'utf8')
            : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
      let current: ClientRequest | undefined;
      /** The current hop's connection opened (a reused one counts): its bytes may reach the server. */
      let connected = false;
      /** The current hop's proxy, if any, and the means to give up opening its tunnel. */
      let proxy: ProxyServer | undefined;
      let tunnel = new AbortController();
      let settled = false;
      const settle = (): boolean => {
        if (settled) return false;
        settled = true;
        timers.clearTimeout(timer);
        caller?.removeEventListener('abort', onAbort);
        return true;
      };
      const fail = (error: unknown) => {
        if (!settle()) return;
        tunnel.abort();
        current?.destroy();
        reject(error);
      };
      const timer = timers.setTimeout(
        () => fail(headTimeoutError(connected, proxy?.name)),
        req.timeoutMs ?? options.defaultTimeoutMs ?? 60_000,
      );
      const onAbort = () => fail(caller?.reason);
      caller?.addEventListener('abort', onAbort, { once: true });

      const send = (url: string, withAuth: boolean, hop: number) => {
        let request: ClientRequest;
        try {
          const target = new URL(url);
          proxy = proxyFor(proxies, target);
          tunnel = new AbortController();
          request = open(target, req, withAuth, hop === 0 ? body : undefined, proxy, tunnel.signal);
        } catch (e) {
          fail(new HttpTransportError('request failed (invalid URL)', { sent: false, cause: e }));
          return;
        }
        current = request;
        connected = false;
        const isCurrent = () => !settled && current === request;
        request.on('socket', (socket) => {
          // A new socket carries nothing before it connects (TLS: before its handshake ends).
          if (request.reusedSocket || (!(socket instanceof TLSSocket) && !socket.connecting)) connected = true;
          else
            socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => {
              if (current === request) connected = true;
            });
        });
        request.on('error', (e) => {
          if (!isCurrent()) return;
          fail(requestFailedError(e, connected, proxy?.name));
        });
        request.on('response', (res) => {
          if (!isCurrent()) {
            res.destroy();
            return;
          }
          const location = res.headers.location;
          const next = location === undefined ? undefined : resolveUrl(location, url);
          if (req.method === 'GET' && REDIRECTS.has(res.statusCode ?? 0) && next !== undefined && hop < maxRedirects) {
            res.destroy();
            send(next, false, hop + 1); // never forward credentials on a redirect, even to the same origin
            return;
          }
          if (settle()) resolve(res);
          else res.destroy();
        });
        request.end(hop === 0 ? body : undefined);
      };

      send(req.url, req.auth && originOf(req.url) === apiOrigin, 0);
    });

  /** Whether a download from `target` may read into reused buffers: no proxy, and a server it can read. */
  const fastPathFor = (target: URL): boolean =>
    proxyFor(proxies, target) === undefined && !unreadable.has(target.origin);

  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const caller = req.signal;
      if (caller?.aborted) throw caller.reason;
      if (req.method === 'GET' && !req.auth && reusedBuffers) return await reusedGet(req);
      return await viaNodeHttp(req);
    },
  };
};

/** `url` parsed, when it is an http(s) URL. */
const httpUrl = (url: string): URL | undefined => {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
};

/** `location` against `base`, or undefined when it is no URL (the 3xx then goes to the caller as is). */
const resolveUrl = (location: string, base: string): string | undefined => {
  try {
    return new URL(location, base).toString();
  } catch {
    return undefined;
  }
};

/**
 * The response over its IncomingMessage: chunks are the socket's Buffers, read with backpressure
 * (constant memory however large the body). One idle timer for the whole body, pushed back on every
 * chunk; the caller's abort ends the body with its reason.
 */
const streamed = (response: IncomingMessage, caller: AbortSignal | undefined, idleMs: number): HttpResponse => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }

  let stalled: HttpTransportError | undefined;
  const onAbort = () => response.destroy(caller?.reason instanceof Error ? caller.reason : new Error('aborted'));
  const detach = () => caller?.removeEventListener('abort', onAbort);
  caller?.addEventListener('abort', onAbort, { once: true });
  response.once('close', detach);
  if (caller?.aborted) onAbort(); // aborted between the headers and now
  const failure = (e: unknown): unknown => {
    if (caller?.aborted) return caller.reason;
    if (stalled !== undefined) return stalled;
    if (e instanceof HttpTransportError) return e;
    return new HttpTransportError('response body interrupted', { sent: true, cause: e });
  };

  async function* chunks(): AsyncGenerator<Uint8Array> {
    const timer = setTimeout(() => {
      stalled = new HttpTransportError('response body stalled', { sent: true, timedOut: true });
      response.destroy(stalled);
    }, idleMs);
    let finished = false;
    try {
      for await (const chunk of response) {
        timer.refresh();
        yield chunk as Buffer;
      }
      if (stalled !== undefined || caller?.aborted) throw stalled ?? caller?.reason;
      finished = true;
    } catch (e) {
      throw failure(e);
    } finally {
      clearTimeout(timer);
      if (!finished) response.destroy();
      detach();
    }
  }

  return {
    status: response.statusCode ?? 0,
    headers,
    async text() {
      const parts: Buffer[] = [];
      for await (const chunk of chunks()) parts.push(chunk as Buffer);
      return Buffer.concat(parts).toString('utf8');
    },
    body: { [Symbol.asyncIterator]: chunks },
  };
};
