import http, { type ClientRequestArgs } from 'node:http';
import https from 'node:https';
import { isIPv6, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { ProxyServer } from './proxy-env.js';

/**
 * Requests through an HTTP proxy, always in a CONNECT tunnel: for https targets (TLS runs inside
 * the tunnel, end to end with the target) and for plain-http targets too. A forward proxy would
 * get a plain-http request in absolute form, our API's `Authorization` header with it; in a tunnel
 * the proxy sees only `CONNECT host:port` and its own `Proxy-Authorization`, never our credentials,
 * whatever the target's scheme. The price: a proxy that allows CONNECT only to port 443 (squid's
 * default) refuses plain-http targets on other ports, and says so (a 403 naming the proxy), which
 * only a self-hosted http:// API meets; list it in NO_PROXY.
 *
 * The tunnel is opened by the agent when node:http asks it for a connection, so everything above
 * it (keep-alive pooling of GETs, TLS session reuse, the transport's timeouts and its rule for
 * whether a request was sent) stays as it is without a proxy. A failure while opening the tunnel
 * is a `ProxyError`: the request never left for the target.
 */

/** A proxy could not be reached, or would not open the tunnel. Names the proxy by host:port only. */
export class ProxyError extends Error {
  /** The proxy's host:port. */
  readonly proxy: string;
  /** The CONNECT answer's status, when the proxy answered. */
  readonly status: number | undefined;
  constructor(message: string, options: { proxy: string; status?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'ProxyError';
    this.proxy = options.proxy;
    this.status = options.status;
  }
}

/**
 * A request option the transport sets on a proxied request: aborting it gives up opening the
 * tunnel (the exchange failed or timed out meanwhile). Node passes request options through to
 * the agent's createConnection.
 */
export const TUNNEL_SIGNAL: unique symbol = Symbol('scenario-video.tunnelSignal');
export type TunnelRequestOptions = https.RequestOptions & { [TUNNEL_SIGNAL]?: AbortSignal };

/** Error codes of a TLS certificate Node does not trust (unknown CA, self-signed, wrong name). */
export const UNTRUSTED_CERTIFICATE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

const PROXY_STATUS_HINTS: Record<number, string> = {
  407: 'check the user and password in the proxy URL',
  403: 'the proxy does not allow this destination; list the host in NO_PROXY if it should be reached directly',
};

/** Opens `CONNECT authority` on `proxy`; resolves with the tunnel's socket once the proxy answered 2xx. */
const openTunnel = (proxy: ProxyServer, authority: string, signal?: AbortSignal): Promise<Socket> =>
  new Promise<Socket>((resolve, reject) => {
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization !== undefined) headers['proxy-authorization'] = proxy.authorization;
    const request = (proxy.secure ? https : http).request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    });
    let settled = false;
    const settle = (error: ProxyError | undefined, socket?: Socket) => {
      if (settled) {
        socket?.destroy();
        return;
      }
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined && socket !== undefined) resolve(socket);
      else {
        socket?.destroy();
        request.destroy();
        reject(error);
      }
    };
    const refused = (status: number, text: string | undefined) => {
      const hint = PROXY_STATUS_HINTS[status];
      return new ProxyError(
        `the proxy ${proxy.name} refused the tunnel to ${authority} (${status}${text ? ` ${text}` : ''})${hint ? `: ${hint}` : ''}`,
        { proxy: proxy.name, status },
      );
    };
    const onAbort = () => settle(new ProxyError(`gave up on the proxy ${proxy.name}`, { proxy: proxy.name }));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    request.once('connect', (res, socket: Socket, head: Buffer) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) return settle(refused(status, res.statusMessage), socket);
      if (head.length > 0) socket.unshift(head);
      settle(undefined, socket);
    });
    // Node reads any answer to CONNECT as a 'connect'; a plain response here would be a bug.
    request.once('response', (res) => {
      res.destroy();
      settle(refused(res.statusCode ?? 0, res.statusMessage));
    });
    request.once('error', (e: NodeJS.ErrnoException) => {
      const code = typeof e.code === 'string' ? e.code : '';
      const what =
        proxy.secure && UNTRUSTED_CERTIFICATE.test(code)
          ? `presented a certificate Node does not trust (${code}): add its CA with NODE_EXTRA_CA_CERTS`
          : `could not be reached${code ? ` (${code})` : ''}`;
      settle(new ProxyError(`the proxy ${proxy.name} ${what}`, { proxy: proxy.name, cause: e }));
    });
    request.end();
  });

/** `host:port` for CONNECT, IPv6 in brackets. */
const authorityOf = (options: ClientRequestArgs, defaultPort: number): string => {
  const host = options.host ?? options.hostname ?? 'localhost';
  return `${isIPv6(host) ? `[${host}]` : host}:${options.port ?? defaultPort}`;
};

type Created = (err: Error | null, stream: Duplex) => void;

/**
 * An agent's createConnection through `proxy`: opens the tunnel, then hands node:http `over(tunnel)`
 * (the tunnel itself, or TLS over it), or the failure. Returns undefined: the connection comes later.
 */
const connectThrough = (
  proxy: ProxyServer,
  options: TunnelRequestOptions,
  defaultPort: number,
  callback: Created | undefined,
  over: (tunnel: Socket) => Duplex,
): undefined => {
  const failed = (e: unknown) =>
    callback?.(e instanceof Error ? e : new Error(String(e)), undefined as unknown as Duplex);
  openTunnel(proxy, authorityOf(options, defaultPort), options[TUNNEL_SIGNAL]).then((tunnel) => {
    let stream: Duplex;
    try {
      stream = over(tunnel);
    } catch (e) {
      tunnel.destroy();
      return failed(e);
    }
    callback?.(null, stream);
  }, failed);
  return undefined;
};

/** An agent for http:// targets whose connections are tunnels through `proxy`. */
export class HttpTunnelAgent extends http.Agent {
  constructor(
    private readonly proxy: ProxyServer,
    options: http.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: TunnelRequestOptions, callback?: Created): undefined {
    return connectThrough(this.proxy, options, 80, callback, (tunnel) => tunnel);
  }
}

/** An agent for https:// targets: TLS with the target (its name checked) inside a tunnel through `proxy`. */
export class HttpsTunnelAgent extends https.Agent {
  constructor(
    private readonly proxy: ProxyServer,
    options: https.AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: TunnelRequestOptions, callback?: Created): undefined {
    // https.Agent's own TLS connection (servername, session reuse), over the tunnel.
    return connectThrough(
      this.proxy,
      options,
      443,
      callback,
      (tunnel) => super.createConnection({ ...options, socket: tunnel } as https.RequestOptions) as Duplex,
    );
  }
}
