import { describe, expect, it } from 'vitest';
import { Http1ResponseReader, MalformedResponseError } from './http1-response.js';

const bytes = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const text = (pieces: Uint8Array[]) => pieces.map((p) => String.fromCharCode(...p)).join('');

/** Feeds `wire` split at the given offsets; returns the reader and the body it handed back. */
const read = (wire: string, cuts: number[] = []) => {
  const reader = new Http1ResponseReader();
  const all = bytes(wire);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const cut of [...cuts, all.length]) {
    pieces.push(...reader.feed(all.subarray(from, cut)));
    from = cut;
  }
  return { reader, body: text(pieces) };
};

/** Every way of splitting `wire` in two: a socket may cut a response anywhere. */
const everySplit = (wire: string) => Array.from({ length: wire.length + 1 }, (_, i) => read(wire, [i]));

describe('HTTP/1.1 response reader', () => {
  it('reads a Content-Length body, wherever the reads split it, and ignores bytes after it', () => {
    const wire =
      'HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: 11\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello world';
    for (const { reader, body } of everySplit(`${wire}EXTRA`)) {
      expect(body).toBe('hello world');
      expect(reader.done).toBe(true);
      expect(reader.head).toEqual({
        status: 200,
        headers: { 'content-type': 'video/mp4', 'content-length': '11', 'x-a': '1, 2' },
      });
    }
  });

  it('hands back views into the bytes it was fed (no copy)', () => {
    const reader = new Http1ResponseReader();
    const wire = bytes('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd');
    const [piece] = reader.feed(wire);
    expect(piece!.buffer).toBe(wire.buffer);
  });

  it('decodes a chunked body with extensions and trailers, wherever the reads split it', () => {
    const wire =
      'HTTP/1.1 206 Partial Content\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 999\r\n\r\n' +
      '5;name=value\r\nhello\r\n1\r\n \r\nA \r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const { reader, body } of everySplit(wire)) {
      expect(body).toBe('hello 0123456789');
      expect(reader.done).toBe(true);
      expect(reader.head?.status).toBe(206);
    }
  });

  it('reads a body without length until the connection closes; end() cuts short nothing then', () => {
    const { reader, body } = read('HTTP/1.0 200 OK\r\n\r\nuntil the end', [5, 22]);
    expect(body).toBe('until the end');
    expect(reader.done).toBe(false);
    reader.end();
    expect(reader.done).toBe(true);
    // A transfer coding that is not chunked is also read until close (RFC 9112 §6.3).
    expect(read('HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzz').body).toBe('zz');
  });

  it('skips 1xx heads; 204, 304 and Content-Length 0 have no body; bare LF line ends are read', () => {
    const early = read('HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    expect(early.reader.head).toEqual({ status: 200, headers: { 'content-length': '2' } });
    expect(early.body).toBe('ok');
    for (const wire of ['HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n']) {
      expect(read(wire).reader.done).toBe(true);
    }
    const empty = read('HTTP/1.1 200 OK\nContent-Length: 0\n\n');
    expect(empty.reader.done).toBe(true);
    expect(empty.reader.head?.status).toBe(200);
  });

  it('says the body was cut short when the connection ends early', () => {
    const length = read('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc').reader;
    expect(() => length.end()).toThrow(/7 bytes before the body ended/);
    const chunked = read('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab').reader;
    expect(() => chunked.end()).toThrow(/inside a chunked body/);
    const head = read('HTTP/1.1 200 OK\r\nContent-').reader;
    expect(() => head.end()).toThrow(/before the response head ended/);
  });

  it.each([
    ['a status line that is not HTTP/1.x', 'HTTP/2 200\r\n\r\n', /status line/],
    ['a header line without a name', 'HTTP/1.1 200 OK\r\n: x\r\n\r\n', /header line/],
    ['a folded header line', 'HTTP/1.1 200 OK\r\nA: 1\r\n  folded\r\n\r\n', /header line/],
    ['conflicting lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', /Content-Length/],
    ['a length that is no number', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /Content-Length/],
    ['a chunk size that is no hex', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    [
      'a chunk longer than its size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n',
      /longer than its size/,
    ],
    ['a protocol switch', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /switched protocols/],
  ])('refuses %s', (_what, wire, message) => {
    expect(() => read(wire)).toThrow(MalformedResponseError);
    expect(() => read(wire)).toThrow(message);
  });

  it('refuses a head or a chunk-size line that never ends, without holding it all', () => {
    const reader = new Http1ResponseReader();
    reader.feed(bytes('HTTP/1.1 200 OK\r\n'));
    const filler = bytes(`X-Filler: ${'a'.repeat(1000)}\r\n`);
    expect(() => {
      for (let i = 0; i < 100; i++) reader.feed(filler);
    }).toThrow(/head is too large/);
    const chunked = new Http1ResponseReader();
    chunked.feed(bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'));
    expect(() => chunked.feed(bytes('1'.repeat(5000)))).toThrow(/too long/);
  });
});
