import type { IExecuteFunctions, IHttpRequestMethods, IHttpRequestOptions } from 'n8n-workflow';
import {
	classifyTransportFailure,
	HttpTransportError,
	type HttpPort,
	type HttpRequest,
	type HttpResponse,
} from '../core';
import { isAsyncIterable } from './stream';

interface FullResponse {
	body: unknown;
	headers?: Record<string, unknown>;
	statusCode: number;
}

/**
 * A failed exchange as the core's HttpTransportError: `sent` is false only when no connection
 * was made. Only the error codes are kept, never n8n's error object, whose request config may
 * hold the credentials.
 */
const transportError = (e: unknown, signal: AbortSignal | undefined): unknown => {
	if (signal?.aborted) return signal.reason ?? e;
	const { codes, sent, timedOut } = classifyTransportFailure(e);
	return new HttpTransportError(
		timedOut
			? 'timed out waiting for the response'
			: `request failed${codes[0] ? ` (${codes[0]})` : ''}`,
		{ sent, timedOut },
	);
};

const normalizeHeaders = (headers: Record<string, unknown> | undefined): Record<string, string> => {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers ?? {})) {
		if (v === undefined || v === null) continue;
		out[k.toLowerCase()] = Array.isArray(v) ? v.map(String).join(', ') : String(v);
	}
	return out;
};

const toBuffer = (body: unknown): Buffer => {
	if (Buffer.isBuffer(body)) return body;
	if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
	if (typeof body === 'string') return Buffer.from(body, 'utf8');
	if (body === undefined || body === null) return Buffer.alloc(0);
	return Buffer.from(JSON.stringify(body), 'utf8');
};

const requestBody = (body: HttpRequest['body']): string | Buffer | undefined =>
	body === undefined || typeof body === 'string' ? body : toBuffer(body);

async function* once(bytes: Buffer): AsyncIterable<Uint8Array> {
	if (bytes.length > 0) yield bytes;
}

async function* chunksOf(stream: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
	for await (const chunk of stream) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}

const readAll = async (stream: AsyncIterable<Uint8Array>): Promise<Buffer> => {
	const parts: Buffer[] = [];
	for await (const chunk of chunksOf(stream)) parts.push(toBuffer(chunk));
	return Buffer.concat(parts);
};

/**
 * A request to the Scenario API, authenticated by n8n with the `scenarioApi` credential's
 * `authenticate` (Basic auth). Never follows redirects, so the credential goes nowhere else.
 * HTTP errors come back as responses: the core maps them and decides what to retry.
 */
async function apiRequest(ctx: IExecuteFunctions, req: HttpRequest): Promise<HttpResponse> {
	const options: IHttpRequestOptions = {
		method: req.method as IHttpRequestMethods,
		url: req.url,
		headers: { ...(req.headers ?? {}) },
		body: requestBody(req.body),
		encoding: 'text',
		json: false,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		timeout: req.timeoutMs ?? 60_000,
		abortSignal: req.signal,
	};
	let res: FullResponse;
	try {
		res = (await ctx.helpers.httpRequestWithAuthentication.call(
			ctx,
			'scenarioApi',
			options,
		)) as FullResponse;
	} catch (e) {
		throw transportError(e, req.signal);
	}
	const bytes = toBuffer(res.body);
	return {
		status: res.statusCode,
		headers: normalizeHeaders(res.headers),
		text: async () => bytes.toString('utf8'),
		body: once(bytes),
	};
}

/**
 * A request that must never carry the Scenario credential: signed CDN downloads, presigned
 * upload parts, image URLs. Plain `httpRequest`, no credential read anywhere in this function,
 * no credential forwarded on redirects; the body is streamed.
 */
export async function plainRequest(
	ctx: IExecuteFunctions,
	req: HttpRequest,
): Promise<HttpResponse> {
	const headers = { ...(req.headers ?? {}) };
	for (const name of Object.keys(headers)) {
		if (name.toLowerCase() === 'authorization') delete headers[name];
	}
	let res: FullResponse;
	try {
		res = (await ctx.helpers.httpRequest({
			method: req.method as IHttpRequestMethods,
			url: req.url,
			headers,
			body: requestBody(req.body),
			encoding: 'stream',
			json: false,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			sendCredentialsOnCrossOriginRedirect: false,
			maxRedirects: req.method === 'GET' ? 5 : 0,
			timeout: req.timeoutMs ?? 60_000,
			abortSignal: req.signal ?? ctx.getExecutionCancelSignal(),
		})) as FullResponse;
	} catch (e) {
		throw transportError(e, req.signal);
	}
	const body = res.body;
	const stream: AsyncIterable<Uint8Array> = isAsyncIterable(body)
		? chunksOf(body)
		: once(toBuffer(body));
	return {
		status: res.statusCode,
		headers: normalizeHeaders(res.headers),
		text: async () => (await readAll(stream)).toString('utf8'),
		body: stream,
	};
}

const originOf = (url: string): string | undefined => {
	try {
		return new URL(url).origin;
	} catch {
		return undefined;
	}
};

/**
 * The core's HTTP port over n8n's helpers: requests the core marks `auth` and that go to the API's
 * own origin use `httpRequestWithAuthentication`; everything else (CDN, presigned URLs, image
 * URLs) uses plain `httpRequest` without any credential.
 */
export const createHttpPort = (ctx: IExecuteFunctions, baseUrl: string): HttpPort => {
	const apiOrigin = originOf(baseUrl);
	return {
		request: async (req) =>
			req.auth && apiOrigin !== undefined && originOf(req.url) === apiOrigin
				? await apiRequest(ctx, req)
				: await plainRequest(ctx, req),
	};
};
