import type { IExecuteFunctions } from 'n8n-workflow';

/** What `prepareBinaryData` accepts (a Buffer or a Node Readable), without importing `stream`. */
export type BinaryPayload = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];

type ReadableFrom = (
	source: AsyncIterable<Buffer>,
	options: { objectMode: boolean },
) => BinaryPayload;

/**
 * Community nodes may not import `stream`, yet n8n stores binary data from a Buffer or a Node
 * Readable. Every CDN response n8n hands us (`httpRequest` with `encoding: 'stream'`) is a Node
 * Readable, so the Readable class is taken from it; the binary sink then streams the core's
 * chunks into `prepareBinaryData` through `Readable.from`, in constant memory. Until a response
 * has been seen (or if a host ever returned something else) the sink falls back to one Buffer.
 */
export class StreamKit {
	private from: ReadableFrom | undefined;

	observe(body: unknown): void {
		if (this.from !== undefined || typeof body !== 'object' || body === null) return;
		let proto: unknown = Object.getPrototypeOf(body);
		for (let depth = 0; proto !== null && depth < 10; depth++) {
			const ctor = (proto as { constructor?: { name?: string; from?: unknown } }).constructor;
			if (ctor?.name === 'Readable' && typeof ctor.from === 'function') {
				const from = ctor.from as ReadableFrom;
				this.from = (source, options) => from.call(ctor, source, options);
				return;
			}
			proto = Object.getPrototypeOf(proto);
		}
	}

	readableFrom(): ReadableFrom | undefined {
		return this.from;
	}
}

/** Whether a value can be read with `for await` (a Node Readable can). */
export const isAsyncIterable = (value: unknown): value is AsyncIterable<Uint8Array> =>
	typeof value === 'object' &&
	value !== null &&
	typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
