/**
 * Ports: everything the pure core needs from its host. The core never touches timers, the
 * file system, env or sockets itself (SPEC.md "The core is pure"); each face supplies these:
 * `@scenario-video/core/node` for the CLI and the Action, n8n's helpers for the node, and a
 * virtual clock in tests.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  /** Absolute URL. */
  url: string;
  headers?: Record<string, string>;
  /** A JSON string or raw bytes. */
  body?: string | Uint8Array;
  /**
   * Attach the Scenario credentials. Only ever true for requests to the API's own origin; the
   * transport must still refuse to send credentials to any other origin or on a redirect.
   */
  auth: boolean;
  /** Per-request timeout for the whole exchange up to the response headers. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Header names in lower case. */
  headers: Record<string, string>;
  /** Read the whole body as text (small JSON responses). */
  text(): Promise<string>;
  /**
   * Stream the body (downloads). Consume either `text()` or `body`, not both. Each chunk is the
   * consumer's to keep: a transport that reads into reused memory handles that itself.
   */
  body: AsyncIterable<Uint8Array>;
}

/**
 * Thrown by an HttpPort when no HTTP response arrived. `sent` tells whether the request may have
 * reached the server: false only when it certainly did not (connection refused, DNS failure).
 * A POST that failed with `sent: true` is ambiguous and must never be blindly re-sent.
 */
export class HttpTransportError extends Error {
  readonly sent: boolean;
  readonly timedOut: boolean;
  /**
   * What went wrong, for people, when more is known than "connection failed" (a proxy that
   * refused or could not be reached, named by host:port); never a credential.
   */
  readonly detail: string | undefined;
  constructor(message: string, options: { sent: boolean; timedOut?: boolean; cause?: unknown; detail?: string }) {
    super(message, { cause: options.cause });
    this.name = 'HttpTransportError';
    this.sent = options.sent;
    this.timedOut = options.timedOut ?? false;
    this.detail = options.detail;
  }
}

export interface HttpPort {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (leaving no timer). */
export type SleepPort = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface ClockPort {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Where downloaded bytes go: a file (Node), a binary property (n8n), memory (tests). */
export interface ByteSink {
  /** Start a fresh output named `name` (a file name such as `job_123.mp4`). */
  open(name: string): Promise<SinkWriter>;
}

export interface SinkWriter {
  /** Bytes accepted so far; a resumed download asks the server for the rest from here. */
  readonly bytesWritten: number;
  /** Append `chunk`; the output holds it once the returned promise settles. */
  write(chunk: Uint8Array): Promise<void>;
  /** Drop everything written (the server ignored a Range request and sent the whole body again). */
  reset(): Promise<void>;
  /** Make the output visible, whole (an atomic rename for files). */
  commit(): Promise<{ file?: string; bytes: number }>;
  /** Give up: remove any partial output. */
  discard(): Promise<void>;
}

/** A submitted job, recorded before waiting starts so a crash or cancel resumes instead of re-paying. */
export interface LedgerEntry {
  /** Caller's key for the logical render (for example a content hash). */
  key: string;
  /** The job; absent while `unknownSubmit` is being resolved. */
  jobId?: string;
  modelId: string;
  submittedAt: string;
  creativeUnitsCost?: number;
  /** Set once the outputs were delivered: the same key resumes (and re-downloads) this job, never pays again. */
  completedAt?: string;
  /**
   * A submit of this render was sent and got no usable answer, so a job may exist (and be charged).
   * Until its job is found or the recovery window has passed, no run submits this render again.
   */
  unknownSubmit?: {
    modelId: string;
    /** The parameters as sent (asset ids). */
    input: Record<string, unknown>;
    /** When it was sent (ms since the epoch). */
    sentAt: number;
  };
}

export interface LedgerPort {
  get(key: string): Promise<LedgerEntry | undefined>;
  put(entry: LedgerEntry): Promise<void>;
  remove(key: string): Promise<void>;
  list(): Promise<LedgerEntry[]>;
}

/** Everything time- and network-dependent the core uses, in one bundle. */
export interface CorePorts {
  http: HttpPort;
  sleep: SleepPort;
  clock: ClockPort;
  /** Uniform in [0, 1) for jitter; defaults to Math.random. */
  random?: () => number;
}
