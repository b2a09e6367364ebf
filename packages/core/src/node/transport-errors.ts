import { HttpTransportError } from '../ports.js';
import { classifyTransportFailure } from '../transport-failure.js';

/**
 * The errors both Node transports (node:http, and reused-buffer-get.ts for downloads) raise before
 * a response head arrives. `connected`: the connection had opened (TLS: finished its handshake),
 * so the request may have reached the server.
 */

/** No response head within the timeout. */
export const headTimeoutError = (connected: boolean): HttpTransportError =>
  connected
    ? new HttpTransportError('timed out waiting for the response', { sent: true, timedOut: true })
    : new HttpTransportError('timed out connecting', { sent: false, timedOut: true });

/** The connection failed: `sent` unless the error's codes prove nothing left, or it never opened. */
export const requestFailedError = (error: unknown, connected: boolean): HttpTransportError => {
  const { codes, sent } = classifyTransportFailure(error);
  return new HttpTransportError(`request failed${codes[0] ? ` (${codes[0]})` : ''}`, {
    sent: sent && connected,
    cause: error,
  });
};
