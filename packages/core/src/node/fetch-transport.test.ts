import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransportError } from '../ports.js';
import { createFetchTransport } from './fetch-transport.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Seen {
  method: string;
  url: string;
  authorization?: string;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((r) => {
          s.closeAllConnections();
          s.close(() => r());
        }),
    ),
  );
});

const serve = async (handler: Handler): Promise<{ origin: string; seen: Seen[] }> => {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
    });
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
};

const ok: Handler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"ok":true}');
};

const KEY = 'key-123';
const SECRET = 'very-secret-456';
const BASIC = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString('base64')}`;

describe('fetch transport: credentials', () => {
  it('sends Basic auth to the API origin only, and only when asked', async () => {
    const api = await serve(ok);
    const cdn = await serve(ok);
    const http = createFetchTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
    for (const [url, auth] of [
      [`${api.origin}/v1/jobs`, true],
      [`${api.origin}/v1/jobs`, false],
      [`${cdn.origin}/assets/a.mp4`, true],
      [`${cdn.origin}/assets/a.mp4`, false],
    ] as const) {
      const res = await http.request({ method: 'GET', url, auth });
      expect(await res.text()).toBe('{"ok":true}');
    }
    expect(api.seen.map((s) => s.authorization)).toEqual([BASIC, undefined]);
    expect(cdn.seen.map((s) => s.authorization)).toEqual([undefined, undefined]);
  });

  it('never forwards credentials on a redirect, even back to the API origin', async () => {
    const cdn = await serve(ok);
    const api = await serve((req, res) => {
      if (req.url === '/v1/elsewhere') return ok(req, res);
      if (req.url === '/v1/same') {
        res.writeHead(302, { location: '/v1/elsewhere' });
        return res.end();
      }
      res.writeHead(307, { location: `${cdn.origin}/assets/x` });
      res.end();
    });
    const http = createFetchTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
    const a = await http.request({ method: 'GET', url: `${api.origin}/v1/same`, auth: true });
    expect(a.status).toBe(200);
    await a.text();
    const b = await http.request({ method: 'GET', url: `${api.origin}/v1/away`, auth: true });
    expect(b.status).toBe(200);
    await b.text();
    expect(api.seen.map((s) => [s.url, s.authorization])).toEqual([
      ['/v1/same', BASIC],
      ['/v1/elsewhere', undefined],
      ['/v1/away', BASIC],
    ]);
    expect(cdn.seen.map((s) => s.authorization)).toEqual([undefined]);
  });

  it('does not follow a redirect of a POST, and a caller cannot smuggle an Authorization header', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(307, { location: '/v1/other' });
      res.end();
    });
    const other = await serve(ok);
    const http = createFetchTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'POST', url: `${api.origin}/v1/generate`, body: '{}', auth: true });
    expect(res.status).toBe(307);
    await res.text();
    expect(api.seen).toHaveLength(1);
    const cdnRes = await http.request({
      method: 'GET',
      url: `${other.origin}/x`,
      auth: false,
      headers: { authorization: 'Basic stolen' },
    });
    await cdnRes.text();
    expect(other.seen[0]?.authorization).toBeUndefined();
  });
});

describe('fetch transport: failures', () => {
  it('a refused connection is "not sent"; the credentials never appear in the error', async () => {
    const gone = await serve(ok);
    const url = `${gone.origin}/v1/jobs`;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const http = createFetchTransport({ baseUrl: gone.origin, apiKey: KEY, apiSecret: SECRET });
    const err = await http.request({ method: 'POST', url, auth: true, body: '{}' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTransportError);
    expect(err).toMatchObject({ sent: false, timedOut: false });
    expect(String((err as Error).message)).not.toContain(SECRET);
    expect(JSON.stringify(err)).not.toContain(SECRET);
  });

  it('a connection reset after the request was sent is "sent" (ambiguous)', async () => {
    const api = await serve((req) => {
      req.resume();
      req.on('end', () => req.socket.destroy());
    });
    const http = createFetchTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    const err = await http
      .request({ method: 'POST', url: `${api.origin}/v1/generate`, auth: true, body: '{"a":1}' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTransportError);
    expect(err).toMatchObject({ sent: true, timedOut: false });
  });

  it('times out waiting for headers (sent, timedOut), and a stalled body too', async () => {
    const api = await serve((req, res) => {
      if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('x'.repeat(10));
        return; // never finishes
      }
      // never answers
    });
    const http = createFetchTransport({
      baseUrl: api.origin,
      apiKey: KEY,
      apiSecret: SECRET,
      bodyIdleTimeoutMs: 100,
    });
    const err = await http
      .request({ method: 'GET', url: `${api.origin}/hang`, auth: true, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpTransportError', sent: true, timedOut: true });

    const res = await http.request({ method: 'GET', url: `${api.origin}/stall-body`, auth: false });
    let got = 0;
    const bodyErr = await (async () => {
      for await (const chunk of res.body) got += chunk.length;
    })().catch((e: unknown) => e);
    expect(got).toBe(10);
    expect(bodyErr).toMatchObject({ name: 'HttpTransportError', sent: true, timedOut: true });
  });

  it("an aborted caller gets the signal's reason, not a transport error", async () => {
    const api = await serve(() => undefined);
    const http = createFetchTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    const ac = new AbortController();
    const p = http.request({ method: 'GET', url: `${api.origin}/x`, auth: true, signal: ac.signal });
    const reason = new Error('stop');
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);
    await expect(
      http.request({ method: 'GET', url: `${api.origin}/x`, auth: true, signal: AbortSignal.abort(reason) }),
    ).rejects.toBe(reason);
  });

  it('streams a body in chunks with lower-case headers', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'X-Thing': 'y' });
      let n = 0;
      const tick = () => {
        if (n++ === 5) return res.end();
        res.write(Buffer.alloc(1000, n));
        setImmediate(tick);
      };
      tick();
    });
    const http = createFetchTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'GET', url: `${api.origin}/v`, auth: false });
    expect(res.headers['content-type']).toBe('video/mp4');
    expect(res.headers['x-thing']).toBe('y');
    let total = 0;
    let chunks = 0;
    for await (const c of res.body) {
      total += c.length;
      chunks++;
    }
    expect(total).toBe(5000);
    expect(chunks).toBeGreaterThan(1);
  });
});

describe('fetch transport: downloads (GET without credentials, over node:http)', () => {
  it('follows redirects, drops a caller-supplied Authorization header, and streams Buffers', async () => {
    const cdn = await serve((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: '/video' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '3000' });
      res.end(Buffer.alloc(3000, 7));
    });
    const http = createFetchTransport({ baseUrl: 'https://api.example.test/v1', apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({
      method: 'GET',
      url: `${cdn.origin}/start`,
      auth: false,
      headers: { authorization: BASIC, range: 'bytes=0-' },
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('video/mp4');
    let total = 0;
    for await (const c of res.body) total += c.length;
    expect(total).toBe(3000);
    expect(cdn.seen.map((s) => s.url)).toEqual(['/start', '/video']);
    expect(cdn.seen.every((s) => s.authorization === undefined)).toBe(true);
  });

  it('a body cut short is "response body interrupted" (sent), so the download resumes', async () => {
    const cdn = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(100));
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const http = createFetchTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'GET', url: `${cdn.origin}/v`, auth: false });
    let got = 0;
    const err = await (async () => {
      for await (const c of res.body) got += c.length;
    })().catch((e: unknown) => e);
    expect(got).toBe(100);
    expect(err).toMatchObject({ name: 'HttpTransportError', sent: true, timedOut: false });
  });

  it('times out waiting for headers, refuses as "not sent", and an aborted caller gets its reason', async () => {
    const hang = await serve(() => undefined);
    const http = createFetchTransport({ baseUrl: hang.origin, apiKey: KEY, apiSecret: SECRET });
    const timedOut = await http
      .request({ method: 'GET', url: `${hang.origin}/x`, auth: false, timeoutMs: 100 })
      .catch((e: unknown) => e);
    expect(timedOut).toMatchObject({ name: 'HttpTransportError', sent: true, timedOut: true });

    const reason = new Error('stop');
    const ac = new AbortController();
    const p = http.request({ method: 'GET', url: `${hang.origin}/y`, auth: false, signal: ac.signal });
    ac.abort(reason);
    await expect(p).rejects.toBe(reason);

    const gone = await serve(ok);
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const refused = await http
      .request({ method: 'GET', url: `${gone.origin}/z`, auth: false })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ name: 'HttpTransportError', sent: false });
  });
});
