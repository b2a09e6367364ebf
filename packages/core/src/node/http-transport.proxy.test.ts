// The Node transport through an HTTP proxy (HTTPS_PROXY / HTTP_PROXY / NO_PROXY): every request in
// a CONNECT tunnel, the proxy's credentials only to the proxy, ours only inside the tunnel, and a
// proxy that refuses named in a "not sent" error. Servers and proxy listen on 127.0.0.1.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, startConnectProxy, type ConnectProxy } from '../../../../test/proxy/connect-proxy.js';
import { createNodeClient } from './index.js';
import { createHttpTransport } from './http-transport.js';
import { parseProxyUrl } from './proxy-env.js';
import { HttpsTunnelAgent } from './proxy-tunnel.js';

const KEY = 'key-proxy-7f3a';
const SECRET = 'secret-proxy-9c1e';
const BASIC = Buffer.from(`${KEY}:${SECRET}`).toString('base64');
const PROXY_PASSWORD = 'proxy-pw-5d2b';
const VIDEO = Buffer.from(Array.from({ length: 700_000 }, (_, i) => (i * 13 + 5) & 0xff));

const open: Array<Server | ConnectProxy> = [];
afterEach(async () => {
  for (const s of open.splice(0)) {
    if ('tunnels' in s) await s.close();
    else await new Promise<void>((r) => (s.closeAllConnections(), s.close(() => r())));
  }
});

/** An API (JSON at /v1/…) and CDN (the video elsewhere) on one loopback server, recording each request's headers. */
const target = async () => {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    req.resume();
    req.on('end', () => {
      if (req.url?.startsWith('/v1/')) res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      else res.writeHead(200, { 'content-length': String(VIDEO.length) }).end(VIDEO);
    });
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  return { origin: `http://127.0.0.1:${port}`, authority: `127.0.0.1:${port}`, port, seen };
};

const proxy = async (options?: Parameters<typeof startConnectProxy>[0]) => {
  const p = await startConnectProxy(options);
  open.push(p);
  return p;
};

const download = async (http: ReturnType<typeof createHttpTransport>, url: string) => {
  const res = await http.request({ method: 'GET', url, auth: false });
  const parts: Buffer[] = [];
  for await (const chunk of res.body) parts.push(Buffer.from(chunk));
  return Buffer.concat(parts);
};

describe('http transport through a proxy', () => {
  it('tunnels API calls, uploads and downloads with CONNECT; the proxy sees its own credentials and never ours', async () => {
    const api = await target();
    const cdn = await target();
    const p = await proxy({ credentials: { user: 'corp user', password: PROXY_PASSWORD } });
    const env = { HTTP_PROXY: `http://corp%20user:${PROXY_PASSWORD}@${p.name}` };
    const http = createHttpTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET, env });

    for (const url of [`${api.origin}/v1/jobs`, `${api.origin}/v1/jobs/job_1`]) {
      expect(await (await http.request({ method: 'GET', url, auth: true })).text()).toBe('{"ok":true}');
    }
    const post = await http.request({ method: 'POST', url: `${api.origin}/v1/assets`, auth: true, body: '{"a":1}' });
    expect(await post.text()).toBe('{"ok":true}');
    expect((await download(http, `${cdn.origin}/video.mp4`)).equals(VIDEO)).toBe(true);

    // GETs share a tunnel as they share a connection; the POST gets its own, as it gets a fresh connection.
    expect(p.connects).toEqual([api.authority, api.authority, cdn.authority]);
    expect(p.forwarded).toEqual([]);
    expect(api.seen.map((h) => h.authorization)).toEqual([`Basic ${BASIC}`, `Basic ${BASIC}`, `Basic ${BASIC}`]);
    expect(cdn.seen.map((h) => h.authorization)).toEqual([undefined]);
    // The download did not take the reused-buffer path (which sends `connection: close`).
    expect(cdn.seen[0]!.connection).toBe('keep-alive');
    const proxyBasic = `Basic ${Buffer.from(`corp user:${PROXY_PASSWORD}`).toString('base64')}`;
    for (const head of p.heads) {
      expect(head.toLowerCase()).toContain(`\r\nproxy-authorization: ${proxyBasic.toLowerCase()}`);
      expect(head.toLowerCase()).not.toContain('\r\nauthorization:');
      for (const secret of [KEY, SECRET, BASIC]) expect(head).not.toContain(secret);
    }
  });

  it('NO_PROXY bypasses it, by host or by host and port; a bypassed download takes the fast path again', async () => {
    const api = await target();
    const cdn = await target();
    const p = await proxy();
    const all = createHttpTransport({
      baseUrl: `${api.origin}/v1`,
      apiKey: KEY,
      apiSecret: SECRET,
      env: { HTTP_PROXY: p.url, NO_PROXY: 'localhost, 127.0.0.1' },
    });
    await (await all.request({ method: 'GET', url: `${api.origin}/v1/jobs`, auth: true })).text();
    expect((await download(all, `${cdn.origin}/video.mp4`)).equals(VIDEO)).toBe(true);
    expect(p.connects).toEqual([]);
    expect(cdn.seen[0]!.connection).toBe('close');

    const cdnOnly = createHttpTransport({
      baseUrl: `${api.origin}/v1`,
      apiKey: KEY,
      apiSecret: SECRET,
      env: { http_proxy: p.url, no_proxy: `127.0.0.1:${cdn.port}` },
    });
    await (await cdnOnly.request({ method: 'GET', url: `${api.origin}/v1/jobs`, auth: true })).text();
    expect((await download(cdnOnly, `${cdn.origin}/video.mp4`)).equals(VIDEO)).toBe(true);
    expect(p.connects).toEqual([api.authority]);

    // A bypassed download redirected to a host the proxy serves follows the redirect through the proxy.
    const redirect = createServer((_req, res) => res.writeHead(302, { location: `${api.origin}/video.mp4` }).end());
    open.push(redirect);
    await new Promise<void>((r) => redirect.listen(0, '127.0.0.1', () => r()));
    const redirectPort = (redirect.address() as AddressInfo).port;
    const viaRedirect = createHttpTransport({
      baseUrl: `${api.origin}/v1`,
      apiKey: KEY,
      apiSecret: SECRET,
      env: { HTTP_PROXY: p.url, NO_PROXY: `127.0.0.1:${redirectPort}` },
    });
    expect((await download(viaRedirect, `http://127.0.0.1:${redirectPort}/a.mp4`)).equals(VIDEO)).toBe(true);
    expect(p.connects).toEqual([api.authority, api.authority]);
    expect(api.seen.at(-1)!.authorization).toBeUndefined();
  });

  it('a proxy that refuses (407, 403) or is down fails the request as "not sent", naming the proxy and no credential', async () => {
    const api = await target();
    const strict = await proxy({ credentials: { user: 'u', password: PROXY_PASSWORD } });
    const forbidding = await proxy({ refuse: 403 });
    const down = `127.0.0.1:${await closedPort()}`;
    const cases = [
      [
        `http://u:wrong-pw-3e8f@${strict.name}`,
        strict.name,
        /refused the tunnel to 127\.0\.0\.1:\d+ \(407 Proxy Authentication Required\): check the user and password in the proxy URL$/,
      ],
      [
        forbidding.url,
        forbidding.name,
        /refused the tunnel to 127\.0\.0\.1:\d+ \(403 Forbidden\): the proxy does not allow this destination/,
      ],
      [`http://u:wrong-pw-3e8f@${down}`, down, /could not be reached \(ECONNREFUSED\)$/],
    ] as const;
    for (const [proxyUrl, name, what] of cases) {
      const http = createHttpTransport({
        baseUrl: `${api.origin}/v1`,
        apiKey: KEY,
        apiSecret: SECRET,
        env: { HTTP_PROXY: proxyUrl },
      });
      for (const method of ['GET', 'POST'] as const) {
        const error = await http
          .request({ method, url: `${api.origin}/v1/generate`, auth: true, body: method === 'POST' ? '{}' : undefined })
          .catch((e: unknown) => e);
        expect(error).toMatchObject({ name: 'HttpTransportError', sent: false, timedOut: false });
        expect((error as { detail: string }).detail).toMatch(new RegExp(`^the proxy ${name.replace(/\./g, '\\.')} `));
        expect((error as { detail: string }).detail).toMatch(what);
        const everything = `${String(error)} ${JSON.stringify(error)} ${(error as Error).stack} ${String((error as Error).cause)}`;
        for (const secret of [KEY, SECRET, BASIC, PROXY_PASSWORD, 'wrong-pw-3e8f'])
          expect(everything).not.toContain(secret);
      }
    }
    expect(api.seen).toEqual([]);

    // Through the client, the same failure is a `network` error that says which proxy did what.
    const client = createNodeClient({
      apiKey: KEY,
      apiSecret: SECRET,
      baseUrl: `${api.origin}/v1`,
      env: { HTTP_PROXY: forbidding.url },
      retry: { maxAttempts: 1 },
    });
    const failure = await client.getJob('job_1').catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'network', details: { sent: false } });
    expect((failure as Error).message).toMatch(
      new RegExp(
        `^No answer to GET .*/v1/jobs/job_1: the proxy ${forbidding.name.replace(/\./g, '\\.')} refused the tunnel`,
      ),
    );
  });

  it('a target certificate Node does not trust, through a proxy, says a TLS-inspecting proxy needs its CA', async () => {
    const cert = readFileSync(new URL('./testdata/localhost-cert.pem', import.meta.url), 'utf8');
    const key = readFileSync(new URL('./testdata/localhost-key.pem', import.meta.url), 'utf8');
    const server = createHttpsServer({ key, cert }, (_req, res) => res.end('never'));
    open.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const p = await proxy();
    const http = createHttpTransport({
      baseUrl: 'https://localhost/v1',
      apiKey: KEY,
      apiSecret: SECRET,
      env: { HTTPS_PROXY: p.url },
    });
    const url = `https://localhost:${(server.address() as AddressInfo).port}/v1/jobs`;
    const error = await http.request({ method: 'GET', url, auth: true }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpTransportError', sent: false });
    expect((error as { detail: string }).detail).toMatch(
      new RegExp(
        `^through the proxy ${p.name}, the server's certificate is not trusted \\([A-Z_]+\\): a proxy that inspects TLS needs its CA in NODE_EXTRA_CA_CERTS$`,
      ),
    );
  });

  it('an https target gets TLS end to end inside the tunnel, its certificate checked for its own name', async () => {
    const cert = readFileSync(new URL('./testdata/localhost-cert.pem', import.meta.url), 'utf8');
    const key = readFileSync(new URL('./testdata/localhost-key.pem', import.meta.url), 'utf8');
    const server = createHttpsServer({ key, cert }, (req, res) => res.end(`tls ${req.headers.host}`));
    open.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    const p = await proxy();
    const agent = new HttpsTunnelAgent(parseProxyUrl(p.url, 'HTTPS_PROXY'), { ca: cert });
    const get = (host: string) =>
      new Promise<string>((resolve, reject) => {
        httpsRequest({ host, port, path: '/', agent }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
    expect(await get('localhost')).toBe(`tls localhost:${port}`);
    // The proxy resolves cdn.test to the same server, but that name is not on its certificate: refused.
    await expect(get('cdn.test')).rejects.toThrow(/Host: cdn\.test\. is not in the cert's altnames/);
    expect(p.connects).toEqual([`localhost:${port}`, `cdn.test:${port}`]);
    agent.destroy();
  });
});
