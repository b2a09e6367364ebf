import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import type { ByteSink, SinkWriter } from '../core';
import type { StreamKit } from './stream';

/** Most chunks waiting for n8n's binary store before the download is held back. */
const MAX_QUEUED_CHUNKS = 8;

/**
 * A copy of the chunk: the sink keeps chunks queued (or buffered) after `write` returns, and the
 * core's contract lets a transport reuse a chunk's memory once `write` has settled.
 */
const copyOf = (chunk: Uint8Array): Buffer => Buffer.from(chunk);

/**
 * One output streamed into `prepareBinaryData`: the core writes chunks, n8n's binary store reads
 * them through a Readable as they come (constant memory). `fail` ends the stream with an error, so
 * n8n drops its partial file.
 */
class StreamedOutput {
	private queue: Buffer[] = [];
	private ended = false;
	private failure: Error | undefined;
	private wakeConsumer: (() => void) | undefined;
	private wakeProducers: Array<() => void> = [];
	readonly stored: Promise<IBinaryData>;
	private storeError: unknown;

	constructor(
		ctx: IExecuteFunctions,
		toReadable: NonNullable<ReturnType<StreamKit['readableFrom']>>,
		fileName: string,
		mimeType: string,
	) {
		this.stored = ctx.helpers.prepareBinaryData(
			toReadable(this.source(), { objectMode: false }),
			fileName,
			mimeType,
		);
		this.stored.catch((e: unknown) => {
			this.storeError = e;
			this.failure ??= new Error('n8n could not store the video');
			this.releaseProducers();
		});
	}

	private async *source(): AsyncGenerator<Buffer> {
		for (;;) {
			const next = this.queue.shift();
			if (next !== undefined) {
				this.releaseProducers();
				yield next;
				continue;
			}
			if (this.failure !== undefined) throw this.failure;
			if (this.ended) return;
			await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
			this.wakeConsumer = undefined;
		}
	}

	private releaseProducers(): void {
		const waiting = this.wakeProducers;
		this.wakeProducers = [];
		for (const wake of waiting) wake();
	}

	async write(chunk: Buffer): Promise<void> {
		if (this.failure !== undefined) throw this.storeError ?? this.failure;
		this.queue.push(chunk);
		this.wakeConsumer?.();
		while (this.queue.length > MAX_QUEUED_CHUNKS && this.failure === undefined) {
			await new Promise<void>((resolve) => this.wakeProducers.push(resolve));
		}
		if (this.failure !== undefined) throw this.storeError ?? this.failure;
	}

	async finish(): Promise<IBinaryData> {
		this.ended = true;
		this.wakeConsumer?.();
		return await this.stored;
	}

	async fail(reason: string): Promise<void> {
		this.failure ??= new Error(reason);
		this.queue = [];
		this.wakeConsumer?.();
		this.releaseProducers();
		await this.stored.then(
			() => undefined,
			() => undefined,
		);
	}
}

export interface StoredOutput {
	fileName: string;
	binary: IBinaryData;
	bytes: number;
}

/**
 * The core's ByteSink on n8n's binary data: each output the core downloads (named after the job,
 * e.g. `job_abc.mp4`) becomes one IBinaryData, streamed in as it arrives. `reset` and `discard`
 * (a restarted or abandoned download) end the current stream with an error so nothing partial is
 * kept. `stored(name)` hands the committed binary to the operation.
 */
export const createBinarySink = (
	ctx: IExecuteFunctions,
	streams: StreamKit,
	mimeType = 'video/mp4',
): ByteSink & { stored(name: string): StoredOutput | undefined } => {
	const outputs = new Map<string, StoredOutput>();
	return {
		stored: (name) => outputs.get(name),
		async open(name: string): Promise<SinkWriter> {
			let written = 0;
			let streamed: StreamedOutput | undefined;
			let buffered: Buffer[] = [];
			let closed = false;
			const drop = async (reason: string) => {
				const current = streamed;
				streamed = undefined;
				buffered = [];
				written = 0;
				await current?.fail(reason);
			};
			return {
				get bytesWritten() {
					return written;
				},
				async write(chunk) {
					if (closed) throw new Error(`output ${name} is closed`);
					const bytes = copyOf(chunk);
					if (streamed === undefined && buffered.length === 0) {
						const toReadable = streams.readableFrom();
						if (toReadable !== undefined) {
							streamed = new StreamedOutput(ctx, toReadable, name, mimeType);
						}
					}
					if (streamed !== undefined) await streamed.write(bytes);
					else buffered.push(bytes);
					written += bytes.length;
				},
				async reset() {
					await drop('download restarted');
				},
				async commit() {
					if (closed) throw new Error(`output ${name} is closed`);
					closed = true;
					const binary =
						streamed !== undefined
							? await streamed.finish()
							: await ctx.helpers.prepareBinaryData(Buffer.concat(buffered), name, mimeType);
					binary.fileName ??= name;
					binary.mimeType = binary.mimeType || mimeType;
					outputs.set(name, { fileName: name, binary, bytes: written });
					return { file: name, bytes: written };
				},
				async discard() {
					closed = true;
					await drop('download abandoned');
				},
			};
		},
	};
};
