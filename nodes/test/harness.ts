/* eslint-disable @n8n/community-nodes/no-restricted-imports -- test code: node:http talks to the fake API */
/**
 * A fake IExecuteFunctions for running the node's execute() in tests, built from the node's real
 * description: a parameter exists only when its displayOptions show it (as n8n strips hidden
 * parameters), so reading a hidden one without a fallback throws exactly as in n8n, and a test
 * that sets a hidden parameter fails at once. HTTP is real (node:http to the fake Scenario API
 * on 127.0.0.1); `httpRequestWithAuthentication` applies the real credential type's
 * `authenticate`; `prepareBinaryData` consumes what it is given (Buffer or stream) and records it.
 */
import { Buffer } from 'node:buffer';
import http from 'node:http';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
	NodeParameterValueType,
} from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { ScenarioApi } from '../credentials/ScenarioApi.credentials';
import { ScenarioVideo } from '../nodes/ScenarioVideo/ScenarioVideo.node';

export const node = new ScenarioVideo();
const properties = node.description.properties;

export interface RecordedRequest {
	method: string;
	url: string;
	headers: Record<string, string>;
	withCredential: boolean;
}

export interface StoredBinary {
	fileName?: string;
	mimeType?: string;
	bytes: Buffer;
	/** Given to prepareBinaryData as a stream (not a Buffer). */
	streamed: boolean;
	chunks: number;
}

export interface RunOptions {
	/** Node parameters; a function stands for an expression evaluated per item (`$itemIndex`). */
	parameters: Record<string, unknown>;
	items?: INodeExecutionData[];
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	signal?: AbortSignal;
	/**
	 * Timers for the request `timeout` (default: the socket's inactivity timeout, real time). A test
	 * on virtual time passes its own, so a timeout waiting on an answer the fake holds on its clock
	 * fires on that clock.
	 */
	timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
}

export interface RunContext {
	ctx: IExecuteFunctions;
	requests: RecordedRequest[];
	binaries: Map<string, StoredBinary>;
	/** Parameter names execute() read (top level). */
	read: Set<string>;
}

// ---- displayOptions, as n8n evaluates them for these simple cases ----

type Params = Record<string, unknown>;

const definitionsOf = (name: string): INodeProperties[] =>
	properties.filter((p) => p.name === name);

const isShown = (prop: INodeProperties, values: Params): boolean => {
	const show = prop.displayOptions?.show ?? {};
	const hide = prop.displayOptions?.hide ?? {};
	for (const [key, allowed] of Object.entries(show)) {
		if (!Array.isArray(allowed) || !allowed.includes(valueOf(key, values) as never)) return false;
	}
	for (const [key, denied] of Object.entries(hide)) {
		if (Array.isArray(denied) && denied.includes(valueOf(key, values) as never)) return false;
	}
	return true;
};

/** The displayed definition of a parameter, or undefined when no definition is shown. */
const shownDefinition = (name: string, values: Params): INodeProperties | undefined =>
	definitionsOf(name).find((p) => isShown(p, values));

function valueOf(name: string, values: Params): unknown {
	const def = shownDefinition(name, values);
	if (def === undefined) return undefined;
	const value = name in values ? values[name] : def.default;
	if (typeof value === 'function')
		throw new Error(`"${name}" drives displayOptions: no expression`);
	return value;
}

/** Throw on parameters the UI would not show for these values (a wrong test, or a hidden one). */
const checkParameters = (values: Params): void => {
	for (const name of Object.keys(values)) {
		if (definitionsOf(name).length === 0) throw new Error(`unknown parameter "${name}"`);
		if (shownDefinition(name, values) === undefined) {
			throw new Error(`parameter "${name}" is hidden for these values: n8n would drop it`);
		}
	}
};

// ---- HTTP, as n8n's helpers behave for the options the node uses ----

interface FullResponse {
	body: unknown;
	headers: Record<string, unknown>;
	statusCode: number;
	statusMessage?: string;
}

const withQuery = (url: string, qs: IDataObject | undefined): string => {
	if (qs === undefined || Object.keys(qs).length === 0) return url;
	const u = new URL(url);
	for (const [k, v] of Object.entries(qs)) u.searchParams.set(k, String(v));
	return u.toString();
};

const requestOnce = (
	options: IHttpRequestOptions,
	record: (r: RecordedRequest) => void,
	withCredential: boolean,
	timers?: RunOptions['timers'],
): Promise<FullResponse> =>
	new Promise((resolve, reject) => {
		const url = withQuery(
			options.baseURL ? `${options.baseURL}${options.url}` : options.url,
			options.qs,
		);
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(options.headers ?? {}))
			headers[k.toLowerCase()] = String(v);
		if (options.auth) {
			headers.authorization = `Basic ${Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64')}`;
		}
		let body: Buffer | undefined;
		if (typeof options.body === 'string') body = Buffer.from(options.body);
		else if (Buffer.isBuffer(options.body)) body = options.body;
		else if (options.body !== undefined && options.body !== null) {
			body = Buffer.from(JSON.stringify(options.body));
			headers['content-type'] ??= 'application/json';
		}
		record({ method: options.method ?? 'GET', url, headers, withCredential });
		const req = http.request(url, {
			method: options.method ?? 'GET',
			headers,
			signal: options.abortSignal as AbortSignal | undefined,
		});
		const timedOut = () =>
			req.destroy(Object.assign(new Error('timeout'), { code: 'ECONNABORTED' }));
		if (options.timeout && timers) {
			const handle = timers.setTimeout(timedOut, options.timeout);
			const clear = () => timers.clearTimeout(handle);
			req.once('response', clear);
			req.once('close', clear);
		} else if (options.timeout) req.setTimeout(options.timeout, timedOut);
		req.on('error', reject);
		req.on('response', async (res) => {
			const status = res.statusCode ?? 0;
			const fail = status >= 400 && !options.ignoreHttpStatusErrors;
			const encoding = options.encoding;
			try {
				let data: unknown = res;
				if (encoding !== 'stream' || fail) {
					const parts: Buffer[] = [];
					for await (const c of res) parts.push(c as Buffer);
					const buf = Buffer.concat(parts);
					data = encoding === 'arraybuffer' ? buf : buf.toString('utf8');
					if (options.json && typeof data === 'string' && data !== '') data = JSON.parse(data);
				}
				if (fail) {
					reject(
						Object.assign(new Error(`Request failed with status code ${status}`), {
							response: { status, data },
						}),
					);
					return;
				}
				resolve({
					body: data,
					headers: res.headers as Record<string, unknown>,
					statusCode: status,
					statusMessage: res.statusMessage,
				});
			} catch (e) {
				reject(e);
			}
		});
		req.end(body);
	});

/** `{{$credentials.x}}` expressions of a generic `authenticate`. */
const resolveCredentialExpression = (
	expr: string,
	credentials: ICredentialDataDecryptedObject,
): string => {
	const m = /^=\{\{\s*\$credentials\.(\w+)\s*\}\}$/.exec(expr);
	return m ? String(credentials[m[1]!] ?? '') : expr;
};

// ---- the context ----

export const createContext = (options: RunOptions): RunContext => {
	const values: Params = { ...options.parameters };
	checkParameters(values);
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const requests: RecordedRequest[] = [];
	const binaries = new Map<string, StoredBinary>();
	const read = new Set<string>();
	const credentialType = new ScenarioApi();
	const nodeInfo: INode = {
		id: 'node-1',
		name: 'Scenario Video',
		type: 'n8n-nodes-scenario-video.scenarioVideo',
		typeVersion: 1,
		position: [0, 0],
		parameters: values as INode['parameters'],
	};
	let binaryCount = 0;

	const httpRequest = async (o: IHttpRequestOptions, withCredential = false): Promise<unknown> => {
		const res = await requestOnce(o, (r) => requests.push(r), withCredential, options.timers);
		return o.returnFullResponse ? res : res.body;
	};

	const ctx = {
		getInputData: () => items,
		getNode: () => nodeInfo,
		continueOnFail: () => options.continueOnFail === true,
		getExecutionCancelSignal: () => options.signal,
		getCredentials: async (type: string) => {
			if (type !== 'scenarioApi') throw new Error(`unexpected credential type ${type}`);
			return options.credentials;
		},
		getNodeParameter: (
			name: string,
			_itemIndex: number,
			fallback?: unknown,
		): NodeParameterValueType | object => {
			const [top, ...path] = name.split('.');
			read.add(top!);
			const def = shownDefinition(top!, values);
			if (def === undefined) {
				if (fallback !== undefined) return fallback as NodeParameterValueType;
				throw new Error(`Could not get parameter "${name}": it is not shown`);
			}
			let value: unknown = top! in values ? values[top!] : def.default;
			if (typeof value === 'function') value = (value as (i: number) => unknown)(_itemIndex);
			for (const key of path) {
				value = typeof value === 'object' && value !== null ? (value as Params)[key] : undefined;
			}
			if (value === undefined) {
				if (fallback !== undefined) return fallback as NodeParameterValueType;
				throw new Error(`Could not get parameter "${name}"`);
			}
			return value as NodeParameterValueType;
		},
		logger: { debug() {}, info() {}, warn() {}, error() {} },
		helpers: {
			httpRequest: (o: IHttpRequestOptions) => httpRequest(o),
			async httpRequestWithAuthentication(
				this: IExecuteFunctions,
				type: string,
				o: IHttpRequestOptions,
			) {
				if (type !== 'scenarioApi') throw new Error(`unexpected credential type ${type}`);
				const auth = credentialType.authenticate.properties.auth!;
				const authed: IHttpRequestOptions = {
					...o,
					auth: {
						username: resolveCredentialExpression(auth.username as string, options.credentials),
						password: resolveCredentialExpression(auth.password as string, options.credentials),
					},
					// As n8n 2.41 does: the execution's cancel signal replaces the request's.
					abortSignal: options.signal,
				};
				try {
					return await httpRequest(authed, true);
				} catch (error) {
					throw new NodeApiError(nodeInfo, error as never);
				}
			},
			assertBinaryData: (itemIndex: number, property: string): IBinaryData => {
				const binary = items[itemIndex]?.binary?.[property];
				if (binary === undefined) {
					throw new NodeOperationError(
						nodeInfo,
						`This operation expects the node's input data to contain a binary file '${property}', but none was found [item ${itemIndex}]`,
					);
				}
				return binary;
			},
			getBinaryDataBuffer: async (itemIndex: number, property: string): Promise<Buffer> =>
				Buffer.from(items[itemIndex]!.binary![property]!.data, 'base64'),
			async prepareBinaryData(
				data: Buffer | AsyncIterable<Buffer>,
				fileName?: string,
				mimeType?: string,
			): Promise<IBinaryData> {
				let bytes: Buffer;
				let chunks = 0;
				const streamed = !Buffer.isBuffer(data);
				if (Buffer.isBuffer(data)) {
					bytes = data;
					chunks = 1;
				} else {
					const parts: Buffer[] = [];
					for await (const c of data) {
						parts.push(Buffer.from(c));
						chunks++;
					}
					bytes = Buffer.concat(parts);
				}
				const id = `test-binary:${++binaryCount}`;
				binaries.set(id, { fileName, mimeType, bytes, streamed, chunks });
				return {
					id,
					data: 'filesystem-v2',
					mimeType: mimeType ?? 'text/plain',
					fileName,
					fileExtension: fileName?.split('.').pop(),
					fileSize: `${bytes.length} B`,
					bytes: bytes.length,
				} as IBinaryData;
			},
		},
	} as unknown as IExecuteFunctions;
	return { ctx, requests, binaries, read };
};

export const runNode = async (
	options: RunOptions,
): Promise<RunContext & { output: INodeExecutionData[] }> => {
	const run = createContext(options);
	const result = await node.execute!.call(run.ctx);
	return { ...run, output: (result as INodeExecutionData[][])[0]! };
};

/** A small real PNG (the fake API checks image bytes). */
export const makePng = async (width = 32, height = 18): Promise<Buffer> => {
	const { deflateSync } = await import('node:zlib');
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf: Buffer) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type: string, data: Buffer) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(width, 0);
	ihdr.writeUInt32BE(height, 4);
	ihdr[8] = 8;
	ihdr[9] = 2;
	const raw = Buffer.alloc((width * 3 + 1) * height, 0x7f);
	for (let y = 0; y < height; y++) raw[y * (width * 3 + 1)] = 0;
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
};

export const imageItem = async (field = 'data'): Promise<INodeExecutionData> => ({
	json: {},
	binary: {
		[field]: {
			data: (await makePng()).toString('base64'),
			mimeType: 'image/png',
			fileName: 'frame.png',
		} as IBinaryData,
	},
});
