import { HttpTransportError } from '../ports.js';
import { classifyTransportFailure } from '../transport-failure.js';
import { ProxyError, UNTRUSTED_CERTIFICATE } from './proxy-tunnel.js';

/**
 * The errors both Node transports (node:http, and reused-buffer-get.ts for downloads) raise before
 * a response head arrives. `connected`: the connection had opened (TLS: finished its handshake),
 * so the request may have reached the server.
 */

/** No response head within the timeout; `proxy` (host:port) when the request was still waiting for its tunnel. */
export const headTimeoutError = (connected: boolean, proxy?: string): HttpTransportError =>
  connected
    ? new HttpTransportError('timed out waiting for the response', { sent: true, timedOut: true })
    : new HttpTransportError('timed out connecting', {
        sent: false,
        timedOut: true,
        ...(proxy !== undefined ? { detail: `the proxy ${proxy} did not open a tunnel in time` } : {}),
      });

/**
 * The connection failed: `sent` unless the error's codes prove nothing left, or it never opened.
 * A proxy that could not be reached or would not open the tunnel: never sent (the request waits
 * for the tunnel before a byte of it is written), with what the proxy did as the detail. Through
 * a proxy (`proxy`: its host:port), a target certificate Node does not trust is most often a proxy
 * that inspects TLS with its own CA: the detail says so.
 */
export const requestFailedError = (error: unknown, connected: boolean, proxy?: string): HttpTransportError => {
  if (error instanceof ProxyError) {
    return new HttpTransportError(`request failed (${error.message})`, {
      sent: false,
      cause: error,
      detail: error.message,
    });
  }
  const { codes, sent } = classifyTransportFailure(error);
  const untrusted = proxy !== undefined ? codes.find((c) => UNTRUSTED_CERTIFICATE.test(c)) : undefined;
  return new HttpTransportError(`request failed${codes[0] ? ` (${codes[0]})` : ''}`, {
    sent: sent && connected,
    cause: error,
    ...(untrusted !== undefined
      ? {
          detail: `through the proxy ${proxy}, the server's certificate is not trusted (${untrusted}): a proxy that inspects TLS needs its CA in NODE_EXTRA_CA_CERTS`,
        }
      : {}),
  });
};
