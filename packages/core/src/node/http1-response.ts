/**
 * An incremental reader of one HTTP/1.1 response (RFC 9112), for the transport's large downloads:
 * it is fed the bytes a socket read into a reused buffer and hands back the body's pieces as views
 * into those same bytes, so a download allocates nothing per chunk (see reused-buffer-get.ts).
 *
 * Framing, in the RFC's order (§6.3): a 1xx head is skipped; 204 and 304 have no body; a
 * Transfer-Encoding ending in `chunked` is decoded; any other Transfer-Encoding, or none and no
 * Content-Length, reads until the connection closes; else exactly Content-Length bytes. Trailers
 * are read and dropped. Anything else is a `MalformedResponseError`: the caller treats it like a
 * body cut short.
 */

export class MalformedResponseError extends Error {
  constructor(message: string) {
    super(`malformed HTTP response: ${message}`);
    this.name = 'MalformedResponseError';
  }
}

export interface ResponseHead {
  status: number;
  /** Names in lower case; a repeated header's values joined with ", " (as node:http does). */
  headers: Record<string, string>;
}

/** A head larger than this is refused (node:http's own limit is 16 KiB). */
const MAX_HEAD_BYTES = 64 * 1024;
/** A chunk-size line (with extensions) or trailer line longer than this is refused. */
const MAX_LINE_BYTES = 4 * 1024;

type BodyState =
  | { kind: 'length'; left: number }
  | { kind: 'close' }
  | { kind: 'chunk-size'; line: string }
  | { kind: 'chunk-data'; left: number }
  | { kind: 'chunk-end'; seenCr: boolean }
  | { kind: 'trailer'; line: string }
  | { kind: 'done' };

const CR = 13;
const LF = 10;

export class Http1ResponseReader {
  /** The final (non-1xx) head, once it has arrived. */
  head: ResponseHead | undefined;
  /** The head so far, one character per byte (latin1, as node:http reads header values). */
  private headText = '';
  private body: BodyState | undefined;

  /** True once the body is complete by its own framing (the connection may then be closed). */
  get done(): boolean {
    return this.body?.kind === 'done';
  }

  /**
   * Read the next bytes off the connection. Returns the body bytes among them, as views into
   * `bytes` (valid only as long as `bytes` is). Bytes after the end of the body are ignored.
   */
  feed(bytes: Uint8Array): Uint8Array[] {
    const pieces: Uint8Array[] = [];
    let at = 0;
    while (at < bytes.length && !this.done) {
      if (this.body === undefined) at = this.readHead(bytes, at);
      else at = this.readBody(bytes, at, pieces);
    }
    return pieces;
  }

  /**
   * The connection ended. Fine for a body read until close; otherwise the response was cut short
   * (a `MalformedResponseError` naming what was missing).
   */
  end(): void {
    if (this.done || this.body?.kind === 'close') {
      this.body = { kind: 'done' };
      return;
    }
    if (this.body === undefined)
      throw new MalformedResponseError('the connection closed before the response head ended');
    if (this.body.kind === 'length') {
      throw new MalformedResponseError(`the connection closed ${this.body.left} bytes before the body ended`);
    }
    throw new MalformedResponseError('the connection closed inside a chunked body');
  }

  /** Gathers head bytes up to the blank line; returns where the body starts in `bytes`. */
  private readHead(bytes: Uint8Array, from: number): number {
    for (let i = from; i < bytes.length; i++) {
      const b = bytes[i]!;
      this.headText += String.fromCharCode(b);
      if (this.headText.length > MAX_HEAD_BYTES) throw new MalformedResponseError('the response head is too large');
      // The blank line: CRLF CRLF, or bare LFs, which RFC 9112 lets a reader accept.
      if (b === LF && (this.headText.endsWith('\n\n') || this.headText.endsWith('\n\r\n'))) {
        this.takeHead();
        return i + 1;
      }
    }
    return bytes.length;
  }

  private takeHead(): void {
    const lines = this.headText.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    this.headText = '';
    const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!status)
      throw new MalformedResponseError(`unexpected status line ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
    const code = Number(status[1]);
    const headers: Record<string, string> = {};
    const lengths = new Set<string>();
    for (const line of lines.slice(1)) {
      if (line === '') continue;
      const colon = line.indexOf(':');
      if (colon <= 0 || /\s/.test(line.slice(0, colon))) {
        throw new MalformedResponseError(`unexpected header line ${JSON.stringify(line.slice(0, 80))}`);
      }
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') for (const v of value.split(',')) lengths.add(v.trim());
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    if (code === 101) throw new MalformedResponseError('the server switched protocols');
    if (code < 200) return; // 1xx: informational; the real head follows
    this.head = { status: code, headers };
    const codings = headers['transfer-encoding']?.toLowerCase();
    if (code === 204 || code === 304) this.body = { kind: 'done' };
    else if (codings !== undefined) {
      this.body = /(?:^|,)\s*chunked\s*$/.test(codings) ? { kind: 'chunk-size', line: '' } : { kind: 'close' };
    } else if (lengths.size > 0) {
      const [only, ...others] = [...lengths];
      if (others.length > 0 || !/^\d{1,15}$/.test(only!)) {
        throw new MalformedResponseError(`invalid Content-Length ${JSON.stringify(headers['content-length'])}`);
      }
      const left = Number(only);
      this.body = left === 0 ? { kind: 'done' } : { kind: 'length', left };
    } else this.body = { kind: 'close' };
  }

  /** Advances through the body framing; body bytes go to `pieces`. Returns the next offset. */
  private readBody(bytes: Uint8Array, at: number, pieces: Uint8Array[]): number {
    const state = this.body!;
    switch (state.kind) {
      case 'close': {
        pieces.push(bytes.subarray(at));
        return bytes.length;
      }
      case 'length':
      case 'chunk-data': {
        const n = Math.min(state.left, bytes.length - at);
        pieces.push(bytes.subarray(at, at + n));
        state.left -= n;
        if (state.left === 0)
          this.body = state.kind === 'length' ? { kind: 'done' } : { kind: 'chunk-end', seenCr: false };
        return at + n;
      }
      case 'chunk-end': {
        const b = bytes[at]!;
        if (b === CR && !state.seenCr) state.seenCr = true;
        else if (b === LF) this.body = { kind: 'chunk-size', line: '' };
        else throw new MalformedResponseError('a chunk is longer than its size says');
        return at + 1;
      }
      case 'chunk-size':
      case 'trailer': {
        const { line, next } = readLine(state.line, bytes, at);
        if (next === undefined) {
          state.line = line;
          return bytes.length;
        }
        if (state.kind === 'trailer') this.body = line === '' ? { kind: 'done' } : { kind: 'trailer', line: '' };
        else {
          const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;.*)?$/.exec(line);
          if (!size) throw new MalformedResponseError(`invalid chunk size ${JSON.stringify(line.slice(0, 40))}`);
          const left = Number.parseInt(size[1]!, 16);
          this.body = left === 0 ? { kind: 'trailer', line: '' } : { kind: 'chunk-data', left };
        }
        return next;
      }
      case 'done':
        return bytes.length;
    }
  }
}

/** Continues `line` up to the next LF in `bytes` (the line, without its CR LF, and where reading resumes). */
const readLine = (line: string, bytes: Uint8Array, at: number): { line: string; next?: number } => {
  const lf = bytes.indexOf(LF, at);
  const end = lf === -1 ? bytes.length : lf;
  let text = line + String.fromCharCode(...bytes.subarray(at, Math.min(end, at + MAX_LINE_BYTES + 1)));
  if (text.length > MAX_LINE_BYTES) throw new MalformedResponseError('a chunk-size or trailer line is too long');
  if (lf === -1) return { line: text };
  if (text.endsWith('\r')) text = text.slice(0, -1);
  return { line: text, next: lf + 1 };
};
