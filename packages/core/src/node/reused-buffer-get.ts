import { Buffer } from 'node:buffer';
import { isIP, connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';
import { HttpTransportError, type HttpResponse } from '../ports.js';
import { headTimeoutError, requestFailedError } from './transport-errors.js';
import { Http1ResponseReader, type ResponseHead } from './http1-response.js';
import { finishedWith, takeFinished } from './finished-chunks.js';

/**
 * Each read takes up to this much from a plain TCP socket: larger reads cost fewer system calls
 * and callbacks per byte. Over TLS, Node hands out at most 16 KiB of clear text per callback.
 */
const READ_BUFFER_BYTES = 512 * 1024;
const TLS_READ_BUFFER_BYTES = 64 * 1024;

/**
 * More read buffers than this holding unread pieces at once means the socket ignores being paused
 * beyond reason: the download fails instead of growing. (TLS delivers what it already decrypted
 * after a pause, a few records at most; plain TCP stops at once.)
 */
const MAX_READ_BUFFERS = 16;

export interface ReusedBufferGetOptions {
  /** Headers to send besides Host and Connection (names in lower case, values without CR or LF). */
  headers: Record<string, string>;
  /** Up to the response head. */
  timeoutMs: number;
  /** A body that sends nothing for this long is abandoned. */
  idleMs: number;
  signal?: AbortSignal;
  /** Certificates to trust instead of Node's own list (tests trust their own). */
  ca?: string;
  /**
   * Called when the response is not one this reader can read (malformed by its strict reading of
   * HTTP/1.1, as opposed to cut short or stalled), just before the failure is raised: the caller
   * then reads that server through node:http instead.
   */
  onUnreadable?: () => void;
}

export interface ReusedBufferResponse {
  head: ResponseHead;
  response: HttpResponse;
  /** Close the connection without reading the body (a redirect). */
  close(): void;
}

/**
 * One GET on a fresh connection whose body is read into reused buffers (the `onread` option of
 * net and tls sockets), so a download allocates nothing per chunk. node:http hands out a fresh
 * Buffer per socket read and another per body piece; for a 1 GiB video that is tens of thousands
 * of short-lived external allocations, which V8 can answer with dozens of full collections that
 * compete with the download for the CPU (README, "Performance").
 *
 * The consumer needs no rule: each chunk of `response.body` is a view into a read buffer, lent
 * until the next chunk is asked for; a consumer that said `finishedWith(chunk)` by then (the file
 * sink) gets the buffer read into again, any other keeps it and gets copies from then on
 * (finished-chunks.ts). While the consumer is behind, the socket
 * is paused (the kernel keeps receiving into the socket's own buffer meanwhile), and Node is never
 * given a buffer that still holds a piece: two buffers over TCP, a few more over TLS, which hands
 * out what it already decrypted after a pause.
 *
 * Failures follow the HttpPort contract: before the head, an `HttpTransportError` whose `sent` is
 * false only when the connection never opened (TLS: never finished its handshake), `timedOut` on
 * the timeout; a body cut short, malformed or stalled is `sent: true`; the caller's abort rejects
 * with its reason at any point.
 */
export const getWithReusedBuffer = (target: URL, options: ReusedBufferGetOptions): Promise<ReusedBufferResponse> =>
  new Promise<ReusedBufferResponse>((resolve, reject) => {
    const { signal } = options;
    const reader = new Http1ResponseReader();
    /** Body pieces read but not yet taken by the consumer, each with the read buffer it lies in. */
    const queue: Array<{ piece: Uint8Array; buffer: Uint8Array }> = [];
    /** The read buffer of the piece the consumer holds (until it asks for the next one). */
    let held: Uint8Array | undefined;
    /** Every read buffer so far; one is enough unless TLS keeps delivering after a pause. */
    const buffers: Uint8Array[] = [];
    const busy = (b: Uint8Array) => b === held || queue.some((q) => q.buffer === b);
    /** The consumer waits for a piece, the end or a failure. */
    let wake: (() => void) | undefined;
    let connected = false;
    let answered = false;
    let ended = false;
    let failure: unknown;

    const bad = Object.entries(options.headers).find(([n, v]) => /[\r\n\0:]/.test(n) || /[\r\n\0]/.test(v));
    if (bad !== undefined) {
      reject(new HttpTransportError(`request failed (invalid header ${JSON.stringify(bad[0])})`, { sent: false }));
      return;
    }
    const secure = target.protocol === 'https:';
    const host = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
    const port = Number(target.port) || (secure ? 443 : 80);
    const bufferBytes = secure ? TLS_READ_BUFFER_BYTES : READ_BUFFER_BYTES;
    const onread = {
      // Node asks for the buffer of the next read after each callback: never one with unread pieces.
      buffer: (): Uint8Array => {
        const spare = buffers.find((b) => !busy(b));
        if (spare !== undefined) return spare;
        if (buffers.length >= MAX_READ_BUFFERS) {
          fail(new HttpTransportError('response body interrupted (the connection would not pause)', { sent: true }));
        }
        const fresh = new Uint8Array(bufferBytes);
        buffers.push(fresh);
        return fresh;
      },
      // Returning false pauses the socket until the consumer has taken every piece.
      callback: (n: number, bytes: Uint8Array): boolean => received(bytes, n),
    };
    // tls.connect has taken `onread` since Node 14.18 / 15.1 (nodejs/node#35753); its types lag behind.
    const tlsOptions: ConnectionOptions & { onread: typeof onread } = {
      host,
      port,
      ALPNProtocols: ['http/1.1'],
      onread,
      ...(isIP(host) ? {} : { servername: host }),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    };
    const socket: Socket = secure ? connectTls(tlsOptions) : connectTcp({ host, port, onread });

    const headTimer = setTimeout(() => fail(headTimeoutError(connected)), options.timeoutMs);
    /** Armed once the head arrived; pushed back by every read. */
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const onStall = () => {
      fail(new HttpTransportError('response body stalled', { sent: true, timedOut: true }));
    };
    const onAbort = () => fail(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const release = () => {
      clearTimeout(headTimer);
      clearTimeout(idleTimer);
      signal?.removeEventListener('abort', onAbort);
    };

    /** Ends the exchange with `error`: before the head the promise rejects, after it the body does. */
    function fail(error: unknown): void {
      if (ended || failure !== undefined) return;
      failure = signal?.aborted ? signal.reason : error;
      release();
      socket.destroy();
      if (!answered) reject(failure);
      wake?.();
    }

    function finish(): void {
      if (ended || failure !== undefined) return;
      ended = true;
      release();
      socket.destroy();
      wake?.();
    }

    function received(buffer: Uint8Array, n: number): boolean {
      if (ended || failure !== undefined) return false;
      let pieces: Uint8Array[];
      try {
        pieces = reader.feed(buffer.subarray(0, n));
      } catch (e) {
        options.onUnreadable?.();
        fail(
          new HttpTransportError(answered ? 'response body interrupted' : 'malformed response', {
            sent: true,
            cause: e,
          }),
        );
        return false;
      }
      if (reader.head !== undefined && !answered) {
        answered = true;
        clearTimeout(headTimer);
        idleTimer = setTimeout(onStall, options.idleMs);
        resolve({ head: reader.head, response: response(reader.head), close: () => fail(new Error('closed')) });
      } else idleTimer?.refresh();
      for (const piece of pieces) if (piece.length > 0) queue.push({ piece, buffer });
      if (reader.done)
        finish(); // no more reads: the pieces stay valid
      else if (queue.length > 0) wake?.();
      return queue.length === 0;
    }

    socket.once(secure ? 'secureConnect' : 'connect', () => {
      connected = true;
      socket.write(requestText(target, options.headers));
    });
    socket.on('error', (e) => {
      if (answered) return fail(new HttpTransportError('response body interrupted', { sent: true, cause: e }));
      fail(requestFailedError(e, connected));
    });
    socket.once('end', () => {
      try {
        reader.end();
        finish();
      } catch (e) {
        fail(
          new HttpTransportError(answered ? 'response body interrupted' : 'connection closed before the response', {
            sent: true,
            cause: e,
          }),
        );
      }
    });
    socket.once('close', () => fail(new HttpTransportError('connection closed', { sent: connected })));

    /** Set once the consumer kept a piece (see finished-chunks.ts): pieces are copied from then on. */
    let copying = false;
    const response = (head: ResponseHead): HttpResponse => {
      async function* chunks(): AsyncGenerator<Uint8Array> {
        /** The piece lent to the consumer last (a view into `held`). */
        let lent: Uint8Array | undefined;
        try {
          for (;;) {
            if (lent !== undefined && !takeFinished(lent)) {
              // The consumer may have kept the piece: its buffer is now the consumer's, and every
              // later piece is handed out as a copy.
              const kept = buffers.indexOf(held!);
              if (kept >= 0) buffers.splice(kept, 1);
              copying = true;
            }
            held = undefined;
            lent = undefined;
            const next = queue.shift();
            if (next !== undefined) {
              if (copying) {
                yield Buffer.from(next.piece);
                continue;
              }
              held = next.buffer;
              lent = next.piece;
              yield next.piece;
              continue;
            }
            if (failure !== undefined) throw failure;
            if (ended) return;
            socket.resume(); // every piece of the last read was taken: read into the buffer again
            await new Promise<void>((r) => (wake = r));
            wake = undefined;
          }
        } finally {
          fail(new Error('the body was abandoned')); // no-op once ended; else closes the connection
        }
      }
      return {
        status: head.status,
        headers: head.headers,
        async text() {
          const parts: Buffer[] = [];
          for await (const piece of chunks()) {
            parts.push(Buffer.from(piece)); // a copy: the buffer is reused
            finishedWith(piece);
          }
          return Buffer.concat(parts).toString('utf8');
        },
        body: { [Symbol.asyncIterator]: chunks },
      };
    };
  });

/** The request head: the path, Host, the caller's headers, and `Connection: close` (one exchange per connection). */
const requestText = (target: URL, headers: Record<string, string>): string => {
  let text = `GET ${target.pathname}${target.search} HTTP/1.1\r\nhost: ${target.host}\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (name === 'host' || name === 'connection') continue;
    text += `${name}: ${value}\r\n`;
  }
  return `${text}connection: close\r\n\r\n`;
};
