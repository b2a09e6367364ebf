import { randomBytes } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpTransportError } from '../ports.js';
import { createHttpTransport } from './http-transport.js';
import { finishedWith } from './finished-chunks.js';
import { getWithReusedBuffer } from './reused-buffer-get.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface Seen {
  method: string;
  url: string;
  authorization?: string;
  /** The client's port: one per connection. */
  clientPort?: number;
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
      clientPort: req.socket.remotePort,
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

describe('http transport: credentials', () => {
  it('sends Basic auth to the API origin only, and only when asked', async () => {
    const api = await serve(ok);
    const cdn = await serve(ok);
    const http = createHttpTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
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
    const http = createHttpTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
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
    const http = createHttpTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
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

  it("replaces a caller's Authorization header (any case) with ours on the API origin, and drops it elsewhere", async () => {
    const api = await serve(ok);
    const http = createHttpTransport({ baseUrl: `${api.origin}/v1`, apiKey: KEY, apiSecret: SECRET });
    for (const auth of [true, false]) {
      const res = await http.request({
        method: 'GET',
        url: `${api.origin}/v1/jobs`,
        auth,
        headers: { Authorization: 'Basic stolen', AUTHORIZATION: 'Bearer stolen' },
      });
      await res.text();
    }
    expect(api.seen.map((s) => s.authorization)).toEqual([BASIC, undefined]);
  });

  it('follows at most maxRedirects, then hands the 3xx to the caller', async () => {
    const api = await serve((req, res) => {
      const n = Number(req.url?.slice(1));
      res.writeHead(301, { location: `/${n + 1}` });
      res.end();
    });
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET, maxRedirects: 2 });
    const res = await http.request({ method: 'GET', url: `${api.origin}/0`, auth: true });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/3');
    await res.text();
    expect(api.seen.map((s) => [s.url, s.authorization])).toEqual([
      ['/0', BASIC],
      ['/1', undefined],
      ['/2', undefined],
    ]);
  });
});

describe('http transport: requests', () => {
  const echo: Handler = (req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          contentLength: req.headers['content-length'] ?? null,
          contentType: req.headers['content-type'] ?? null,
          userAgent: req.headers['user-agent'] ?? null,
          body: Buffer.concat(parts).toString('base64'),
        }),
      );
    });
  };

  it('sends a string body as UTF-8 and bytes as they are, each with its Content-Length', async () => {
    const api = await serve(echo);
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET, userAgent: 'ua/1' });
    const text = '{"prompt":"café au lait ☕"}';
    const a = await http.request({
      method: 'POST',
      url: `${api.origin}/v1/generate`,
      auth: true,
      headers: { 'content-type': 'application/json', 'Content-Length': '3' },
      body: text,
    });
    expect(JSON.parse(await a.text())).toEqual({
      contentLength: String(Buffer.byteLength(text, 'utf8')),
      contentType: 'application/json',
      userAgent: 'ua/1',
      body: Buffer.from(text, 'utf8').toString('base64'),
    });
    const bytes = new Uint8Array(new ArrayBuffer(64), 8, 40).map((_, i) => i * 5);
    const b = await http.request({ method: 'PUT', url: `${api.origin}/upload`, auth: false, body: bytes });
    expect(JSON.parse(await b.text())).toMatchObject({
      contentLength: '40',
      body: Buffer.from(bytes).toString('base64'),
    });
  });

  it('opens a fresh connection for every non-GET request; GETs share a keep-alive one', async () => {
    const api = await serve(echo);
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    for (const method of ['GET', 'GET', 'POST', 'GET', 'PUT', 'DELETE', 'POST', 'GET'] as const) {
      const res = await http.request({
        method,
        url: `${api.origin}/v1/x`,
        auth: true,
        ...(method === 'GET' ? {} : { body: '{}' }),
      });
      await res.text();
    }
    const gets = api.seen.filter((s) => s.method === 'GET').map((s) => s.clientPort);
    const others = api.seen.filter((s) => s.method !== 'GET').map((s) => s.clientPort);
    expect(new Set(gets).size).toBe(1);
    expect(new Set(others).size).toBe(others.length);
    expect(others).not.toContain(gets[0]);
  });

  it('an idle keep-alive connection does not keep the process alive', async () => {
    const api = await serve(ok);
    const server = servers.at(-1)!;
    // The server's end of each connection must not count: only the client's may hold the process.
    server.on('connection', (socket: Socket) => socket.unref());
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await new Promise((r) => setTimeout(r, 50)); // earlier tests' connections finish closing
    const before = sockets();
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'GET', url: `${api.origin}/v1/jobs`, auth: true });
    expect(sockets()).toBeGreaterThan(before); // in use, it does
    await res.text();
    await new Promise((r) => setTimeout(r, 20));
    expect(sockets()).toBe(before);
    // ...and it is still reused.
    await (await http.request({ method: 'GET', url: `${api.origin}/v1/jobs`, auth: true })).text();
    expect(new Set(api.seen.map((s) => s.clientPort)).size).toBe(1);
  });

  it("leaves no listener on the caller's signal, however the exchange ends", async () => {
    const api = await serve((req, res) => {
      if (req.url === '/redirect') {
        res.writeHead(302, { location: '/ok' });
        return res.end();
      }
      if (req.url === '/hang') return;
      ok(req, res);
    });
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    const signal = new AbortController().signal;
    for (let i = 0; i < 20; i++) {
      await (await http.request({ method: 'GET', url: `${api.origin}/ok`, auth: true, signal })).text();
      const streamed = await http.request({ method: 'GET', url: `${api.origin}/redirect`, auth: false, signal });
      for await (const chunk of streamed.body) expect(chunk.length).toBeGreaterThan(0);
      await (await http.request({ method: 'POST', url: `${api.origin}/ok`, auth: true, body: '{}', signal })).text();
      const partial = await http.request({ method: 'GET', url: `${api.origin}/ok`, auth: false, signal });
      for await (const chunk of partial.body) if (chunk.length > 0) break; // stops early
    }
    await http
      .request({ method: 'GET', url: `${api.origin}/hang`, auth: true, signal, timeoutMs: 50 })
      .catch(() => undefined);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});

describe('http transport: failures', () => {
  it('a refused connection is "not sent"; the credentials never appear in the error', async () => {
    const gone = await serve(ok);
    const url = `${gone.origin}/v1/jobs`;
    await new Promise<void>((r) => servers.pop()!.close(() => r()));
    const http = createHttpTransport({ baseUrl: gone.origin, apiKey: KEY, apiSecret: SECRET });
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
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
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
    const http = createHttpTransport({
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

  it('an abort while the body streams rejects with the reason, and no more bytes are read', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100000' });
      res.write(Buffer.alloc(1000)); // then nothing: only the abort can end it
    });
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
    const ac = new AbortController();
    const reason = new Error('cancelled by the user');
    const res = await http.request({ method: 'GET', url: `${api.origin}/v`, auth: false, signal: ac.signal });
    let got = 0;
    const err = await (async () => {
      for await (const chunk of res.body) {
        got += chunk.length;
        ac.abort(reason);
      }
    })().catch((e: unknown) => e);
    expect(got).toBe(1000);
    expect(err).toBe(reason);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);

    // Aborted after the headers, before the body is read: text() rejects with the reason too.
    const ac2 = new AbortController();
    const res2 = await http.request({ method: 'GET', url: `${api.origin}/w`, auth: false, signal: ac2.signal });
    ac2.abort(reason);
    await expect(res2.text()).rejects.toBe(reason);
  });

  it('a stalled body fails text() as "response body stalled"', async () => {
    const api = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
    });
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET, bodyIdleTimeoutMs: 100 });
    const res = await http.request({ method: 'GET', url: `${api.origin}/v1/jobs/x`, auth: true });
    const err = await res.text().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTransportError);
    expect(err).toMatchObject({ message: 'response body stalled', sent: true, timedOut: true });
  });

  it('a connection that never opens is "not sent", whether it times out or is reset', async () => {
    // A TCP server that accepts, then says nothing (or resets): the TLS handshake of an https
    // request never ends, so no byte of the request can have left this machine.
    const sockets: Socket[] = [];
    const tcp = createTcpServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => {
        if (reset) socket.resetAndDestroy();
      });
    });
    let reset = false;
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', () => r()));
    const origin = `https://127.0.0.1:${(tcp.address() as AddressInfo).port}`;
    try {
      const http = createHttpTransport({ baseUrl: origin, apiKey: KEY, apiSecret: SECRET });
      const submit = () =>
        http
          .request({ method: 'POST', url: `${origin}/v1/generate`, auth: true, body: '{}', timeoutMs: 150 })
          .catch((e: unknown) => e);
      const silent = await submit();
      expect(silent).toBeInstanceOf(HttpTransportError);
      expect(silent).toMatchObject({ sent: false, timedOut: true });
      reset = true;
      const refused = await submit();
      expect(refused).toBeInstanceOf(HttpTransportError);
      expect(refused).toMatchObject({ message: 'request failed (ECONNRESET)', sent: false, timedOut: false });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => tcp.close(() => r()));
    }
  });

  it('an invalid URL is "not sent"', async () => {
    const http = createHttpTransport({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: KEY, apiSecret: SECRET });
    const err = await http.request({ method: 'GET', url: 'not a url', auth: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpTransportError);
    expect(err).toMatchObject({ sent: false });
    expect(() => createHttpTransport({ baseUrl: 'nope', apiKey: KEY, apiSecret: SECRET })).toThrow(TypeError);
  });

  it("an aborted caller gets the signal's reason, not a transport error", async () => {
    const api = await serve(() => undefined);
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
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
    const http = createHttpTransport({ baseUrl: api.origin, apiKey: KEY, apiSecret: SECRET });
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

describe.each([
  { mode: 'node:http', reusedBufferDownloads: false },
  { mode: 'reused buffers', reusedBufferDownloads: true },
])('http transport: downloads (GET without credentials), $mode', ({ reusedBufferDownloads }) => {
  it('follows redirects, drops a caller-supplied Authorization header, and streams Buffers', async () => {
    const cdn = await serve((req, res) => {
      if (req.url === '/start') {
        res.writeHead(302, { location: '/video' });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': '3000' });
      res.end(Buffer.alloc(3000, 7));
    });
    const http = createHttpTransport({
      baseUrl: 'https://api.example.test/v1',
      apiKey: KEY,
      apiSecret: SECRET,
      reusedBufferDownloads,
    });
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
    const http = createHttpTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET, reusedBufferDownloads });
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
    const http = createHttpTransport({ baseUrl: hang.origin, apiKey: KEY, apiSecret: SECRET, reusedBufferDownloads });
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

describe('http transport: downloads into reused buffers', () => {
  /** Byte `i` of the test bodies: a pattern that shows any byte out of place. */
  const patterned = (size: number, from = 0) =>
    Buffer.from(Array.from({ length: size }, (_, i) => ((from + i) * 7 + 3) & 0xff));

  /** Reads `body` slowly (a macrotask per chunk, as a sink writing to disk would), checking each chunk on arrival and again after. */
  const readSlowly = async (body: AsyncIterable<Uint8Array>) => {
    const buffers = new Set<ArrayBufferLike>();
    let at = 0;
    let intact = true;
    for await (const chunk of body) {
      const expected = patterned(chunk.length, at);
      intact &&= Buffer.from(chunk).equals(expected);
      await new Promise((r) => setTimeout(r, 1));
      intact &&= Buffer.from(chunk).equals(expected); // nothing was read over it meanwhile
      buffers.add(chunk.buffer);
      finishedWith(chunk); // as the file sink says once it wrote a chunk out
      at += chunk.length;
    }
    return { bytes: at, intact, buffers: buffers.size };
  };

  it('hands every chunk in two alternating buffers, and reads nothing over a chunk until the next is asked for', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const body = patterned(size);
    const cdn = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(size) });
      res.end(body);
    });
    const http = createHttpTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'GET', url: `${cdn.origin}/v`, auth: false });
    // One buffer holds the piece being consumed while the other takes the next read.
    expect(await readSlowly(res.body)).toEqual({ bytes: size, intact: true, buffers: 2 });
  });

  it('a consumer that keeps its chunks without saying it is done with them finds every one intact', async () => {
    const size = 3 * 1024 * 1024 + 17;
    const body = randomBytes(size); // not periodic: a piece read over by later bytes would show
    const cdn = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(size) });
      res.end(body);
    });
    const http = createHttpTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'GET', url: `${cdn.origin}/v`, auth: false });
    const kept: Uint8Array[] = [];
    for await (const chunk of res.body) {
      kept.push(chunk);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(Buffer.concat(kept).equals(body)).toBe(true);
  });

  it('reads a chunked body (no Content-Length) the same way; text() keeps its own copy', async () => {
    const cdn = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (req.url === '/text') return res.end('héllo wörld');
      let at = 0;
      const tick = () => {
        if (at >= 300_000) return res.end();
        res.write(patterned(30_000, at));
        at += 30_000;
        setImmediate(tick);
      };
      tick();
    });
    const http = createHttpTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET });
    const res = await http.request({ method: 'GET', url: `${cdn.origin}/v`, auth: false });
    expect(await readSlowly(res.body)).toEqual({ bytes: 300_000, intact: true, buffers: 2 });
    const text = await http.request({ method: 'GET', url: `${cdn.origin}/text`, auth: false });
    expect(await text.text()).toBe('héllo wörld');
  });

  it('a malformed response is "sent"; a stalled body times out; an abort mid-body rejects with the reason and leaves no listener', async () => {
    const raw = createTcpServer((socket: Socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nContent-Length: nope\r\n\r\n'));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    const rawOrigin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const cdn = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write(Buffer.alloc(10));
    });
    const http = createHttpTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET, bodyIdleTimeoutMs: 100 });
    try {
      const malformed = await http
        .request({ method: 'GET', url: `${rawOrigin}/v`, auth: false })
        .catch((e: unknown) => e);
      expect(malformed).toMatchObject({ name: 'HttpTransportError', sent: true, timedOut: false });

      const stalled = await http.request({ method: 'GET', url: `${cdn.origin}/v`, auth: false });
      const stall = await (async () => {
        for await (const _ of stalled.body);
      })().catch((e: unknown) => e);
      expect(stall).toMatchObject({ name: 'HttpTransportError', message: 'response body stalled', timedOut: true });

      const ac = new AbortController();
      const reason = new Error('user cancelled');
      const res = await http.request({
        method: 'GET',
        url: `${cdn.origin}/v`,
        auth: false,
        signal: ac.signal,
      });
      const aborted = (async () => {
        for await (const _ of res.body) ac.abort(reason);
      })();
      await expect(aborted).rejects.toBe(reason);
      expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    } finally {
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });

  it("a response the reader cannot read goes to node:http, at once or, mid-body, from that server's next request on (a resume with Range)", async () => {
    // Zero-padded chunk sizes: valid HTTP/1.1 that node:http reads, beyond the strict reader's 12 hex digits.
    const heads: string[] = [];
    const raw = createTcpServer((socket: Socket) => {
      socket.once('data', (d: Buffer) => {
        const head = d.toString('latin1');
        heads.push(head);
        const ranged = /\r\nrange: bytes=5-\r\n/i.test(head);
        if (head.startsWith('GET /padded ')) {
          socket.end('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0000000000000005\r\nhello\r\n0\r\n\r\n');
        } else if (ranged) {
          socket.end('HTTP/1.1 206 Partial Content\r\ncontent-range: bytes 5-10/11\r\ncontent-length: 6\r\n\r\n world');
        } else {
          socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
          setTimeout(() => socket.end('00000000000006\r\n world\r\n0\r\n\r\n'), 50);
        }
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', () => r()));
    const origin = `http://127.0.0.1:${(raw.address() as AddressInfo).port}`;
    const viaNodeHttp = (head: string | undefined) => /\r\nconnection: keep-alive\r\n/i.test(head ?? '');
    try {
      const http = createHttpTransport({ baseUrl: origin, apiKey: KEY, apiSecret: SECRET });
      const whole = await http.request({ method: 'GET', url: `${origin}/padded`, auth: false });
      expect(await whole.text()).toBe('hello');
      expect(heads.map(viaNodeHttp)).toEqual([false, true]);

      const fresh = createHttpTransport({ baseUrl: origin, apiKey: KEY, apiSecret: SECRET });
      heads.length = 0;
      const first = await fresh.request({ method: 'GET', url: `${origin}/video`, auth: false });
      const got: string[] = [];
      const cut = await (async () => {
        for await (const chunk of first.body) got.push(Buffer.from(chunk).toString());
      })().catch((e: unknown) => e);
      expect(cut).toMatchObject({ name: 'HttpTransportError', sent: true, message: 'response body interrupted' });
      expect(got.join('')).toBe('hello');
      const rest = await fresh.request({
        method: 'GET',
        url: `${origin}/video`,
        auth: false,
        headers: { range: 'bytes=5-' },
      });
      expect([rest.status, await rest.text()]).toEqual([206, ' world']);
      expect(heads.map(viaNodeHttp)).toEqual([false, true]);
    } finally {
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });

  it('refuses a header value that would split the request, before connecting', async () => {
    const cdn = await serve(ok);
    const http = createHttpTransport({ baseUrl: cdn.origin, apiKey: KEY, apiSecret: SECRET });
    const err = await http
      .request({
        method: 'GET',
        url: `${cdn.origin}/v`,
        auth: false,
        headers: { range: 'bytes=0-\r\nx: y' },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'HttpTransportError', sent: false });
    expect(cdn.seen).toHaveLength(0);
  });

  describe('over TLS (a test certificate for localhost, valid until 2126)', () => {
    const key = readFileSync(new URL('./testdata/localhost-key.pem', import.meta.url), 'utf8');
    const cert = readFileSync(new URL('./testdata/localhost-cert.pem', import.meta.url), 'utf8');
    const serveTls = async (handler: Handler) => {
      const server = createHttpsServer({ key, cert }, handler);
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      return (server.address() as AddressInfo).port;
    };

    it('downloads into a few reused buffers, with the certificate checked for the host name', async () => {
      const size = 1024 * 1024 + 5;
      const port = await serveTls((_req, res) => {
        res.writeHead(200, { 'content-length': String(size) });
        res.end(patterned(size));
      });
      const { head, response } = await getWithReusedBuffer(new URL(`https://localhost:${port}/v`), {
        headers: {},
        timeoutMs: 5000,
        idleMs: 5000,
        ca: cert,
      });
      expect(head.status).toBe(200);
      // TLS still hands out what it decrypted after a pause (a few 16 KiB records): a few more buffers.
      const read = await readSlowly(response.body);
      expect(read).toMatchObject({ bytes: size, intact: true });
      expect(read.buffers).toBeLessThanOrEqual(8);
      const wrongName = await getWithReusedBuffer(new URL(`https://127.0.0.2:${port}/v`), {
        headers: {},
        timeoutMs: 5000,
        idleMs: 5000,
        ca: cert,
      }).catch((e: unknown) => e);
      expect(wrongName).toMatchObject({ name: 'HttpTransportError', sent: false });
    });

    it('an untrusted certificate is refused before anything is sent', async () => {
      const port = await serveTls(ok);
      const http = createHttpTransport({ baseUrl: 'https://api.example.test', apiKey: KEY, apiSecret: SECRET });
      const err = await http
        .request({ method: 'GET', url: `https://localhost:${port}/v`, auth: false })
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'HttpTransportError', sent: false });
      expect(String(err)).not.toContain(SECRET);
    });
  });
});
