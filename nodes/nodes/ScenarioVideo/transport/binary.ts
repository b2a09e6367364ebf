import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';
import { ScenarioError, type ByteSink, type SinkWriter } from '../core';

/**
 * The largest video this node hands to n8n's binary data. The sink holds a video in memory until
 * it is whole and checked (n8n stores binary data from a Buffer or a Node stream, and a community
 * node may not build a stream itself), so a cap keeps one item from exhausting the instance:
 * 256 MiB is far above a Wan 2.2 video (a few MB) and above any minute-long 1080p render.
 */
export const MAX_BINARY_VIDEO_BYTES = 256 * 1024 * 1024;

const MIB = 1024 * 1024;

/** The job id in an output named after its job (`job_abc.mp4`), for the error message. */
const jobOf = (name: string): string | undefined => /^(job_[A-Za-z0-9_-]+)\./.exec(name)?.[1];

const tooLarge = (name: string, bytes: number): ScenarioError => {
	const jobId = jobOf(name);
	return new ScenarioError({
		code: 'download_incomplete',
		retryable: false,
		message:
			`The video ${name} is larger than ${MAX_BINARY_VIDEO_BYTES / MIB} MiB (over ${Math.floor(bytes / MIB)} MiB ` +
			'arrived), the most this node keeps as binary data. The render is done and paid: set "Output" to "URL" ' +
			'and download it with a step that writes to disk' +
			(jobId !== undefined ? `, or run "scenario-video job ${jobId} --download DIR"` : '') +
			'.',
		...(jobId !== undefined ? { jobId } : {}),
		details: { limitBytes: MAX_BINARY_VIDEO_BYTES },
	});
};

export interface StoredOutput {
	fileName: string;
	binary: IBinaryData;
	bytes: number;
}

/**
 * The core's ByteSink on n8n's binary data: each output the core downloads (named after the job,
 * e.g. `job_abc.mp4`) is gathered in memory while the core checks its length and resumes a cut
 * download (`bytesWritten` is where a resume starts; `reset` drops what came when the server sent
 * the whole body again), then handed to `prepareBinaryData` once, whole, on `commit`. Nothing
 * partial ever reaches n8n. Above MAX_BINARY_VIDEO_BYTES the write fails at once with an error that
 * names the job and says how to get the video instead; the core does not retry it.
 */
export const createBinarySink = (
	ctx: IExecuteFunctions,
	mimeType = 'video/mp4',
): ByteSink & { stored(name: string): StoredOutput | undefined } => {
	const outputs = new Map<string, StoredOutput>();
	return {
		stored: (name) => outputs.get(name),
		async open(name: string): Promise<SinkWriter> {
			let chunks: Buffer[] = [];
			let written = 0;
			let closed = false;
			return {
				get bytesWritten() {
					return written;
				},
				async write(chunk) {
					if (closed) throw new Error(`output ${name} is closed`);
					if (written + chunk.byteLength > MAX_BINARY_VIDEO_BYTES) {
						chunks = [];
						throw tooLarge(name, written + chunk.byteLength);
					}
					// A copy: the core may reuse a chunk's memory once `write` has settled.
					chunks.push(Buffer.from(chunk));
					written += chunk.byteLength;
				},
				async reset() {
					chunks = [];
					written = 0;
				},
				async commit() {
					if (closed) throw new Error(`output ${name} is closed`);
					closed = true;
					const whole = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, written);
					chunks = [];
					const binary = await ctx.helpers.prepareBinaryData(whole, name, mimeType);
					binary.fileName ??= name;
					binary.mimeType = binary.mimeType || mimeType;
					outputs.set(name, { fileName: name, binary, bytes: written });
					return { file: name, bytes: written };
				},
				async discard() {
					closed = true;
					chunks = [];
					written = 0;
				},
			};
		},
	};
};
