/**
 * Whether a response body can be read with `for await`. n8n's `httpRequest` with
 * `encoding: 'stream'` hands back a body that can; the HTTP port reads it chunk by chunk and
 * never reaches for the class behind it (community nodes may not use `stream`, directly or by
 * reflection).
 */
export const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array> =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
