// A loopback HTTP proxy for tests, as company proxies behave: CONNECT tunnels (what our transport
// uses for every target) and absolute-form forwarding (what some other clients in the same process
// use for plain-http targets, e.g. the Azure blob client of @actions/artifact). It reaches only
// 127.0.0.1 and localhost, and resolves names under `.test` (reserved for testing) to 127.0.0.1, as
// a company proxy resolves names the client cannot. It records what it was asked, so a test can
// prove which requests went through it and that none of them showed it a credential but its own.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxyOptions {
  /** Demand `Proxy-Authorization: Basic base64(user:password)`; 407 otherwise. */
  credentials?: { user: string; password: string };
  /** Refuse every request with this status (403: destination not allowed). */
  refuse?: number;
  /** Speak TLS to clients (an `https://` proxy) with this key and certificate, for the name localhost. */
  tls?: { key: string; cert: string };
}

export interface ConnectProxy {
  /** `http://127.0.0.1:port` (`https://localhost:port` with `tls`), without credentials. */
  url: string;
  /** `host:port` of `url`, as messages name it. */
  name: string;
  /** Every CONNECT target (`host:port`), in order, tunnelled or refused. */
  connects: string[];
  /** Every absolute-form request's URL, in order. */
  forwarded: string[];
  /** The raw head of every request the proxy received (CONNECT or forwarded), for leak checks. */
  heads: string[];
  /** Tunnels that were opened (answered 200). */
  tunnels: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Where the proxy connects for `host`, or undefined when it will not. */
const resolve = (host: string): string | undefined =>
  host.endsWith('.test') ? '127.0.0.1' : LOOPBACK.has(host) ? host.replace(/^\[(.*)\]$/, '$1') : undefined;

/** The request's head as the proxy received it (method, target and every header line). */
const headOf = (req: IncomingMessage): string => {
  const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join('\r\n');
};

export async function startConnectProxy(options: ProxyOptions = {}): Promise<ConnectProxy> {
  const expected =
    options.credentials &&
    `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`;
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };

  /** Why the proxy will not serve this request (status and reason), or undefined. */
  const refusal = (req: IncomingMessage, host: string): [number, string] | undefined => {
    if (options.refuse !== undefined) return [options.refuse, 'Forbidden'];
    if (expected !== undefined && req.headers['proxy-authorization'] !== expected) {
      return [407, 'Proxy Authentication Required'];
    }
    if (resolve(host) === undefined) return [502, 'Bad Gateway'];
    return undefined;
  };

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    state.heads.push(headOf(req));
    state.forwarded.push(req.url ?? '');
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end();
      return;
    }
    const refused = refusal(req, target.hostname);
    if (refused) {
      res.writeHead(refused[0], refused[1], { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = http.request(
      {
        host: resolve(target.hostname),
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };
  const server = options.tls ? https.createServer(options.tls, serve) : http.createServer(serve);

  server.on(options.tls ? 'secureConnection' : 'connection', track);
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    state.heads.push(headOf(req));
    const authority = req.url ?? '';
    state.connects.push(authority);
    const colon = authority.lastIndexOf(':');
    const host = authority.slice(0, colon);
    const port = Number(authority.slice(colon + 1));
    const refused = refusal(req, host);
    if (refused) {
      client.end(
        `HTTP/1.1 ${refused[0]} ${refused[1]}\r\nproxy-authenticate: Basic realm="test"\r\ncontent-length: 0\r\n\r\n`,
      );
      return;
    }
    const upstream = connect(port, resolve(host)!);
    track(upstream);
    upstream.once('connect', () => {
      state.tunnels++;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => {
      if (!client.destroyed) client.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n');
    });
    client.on('error', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const name = options.tls ? `localhost:${port}` : `127.0.0.1:${port}`;
  const state: ConnectProxy = {
    url: `${options.tls ? 'https' : 'http'}://${name}`,
    name,
    connects: [],
    forwarded: [],
    heads: [],
    tunnels: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return state;
}

/** A port on 127.0.0.1 where nothing listens (a proxy that is down). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
