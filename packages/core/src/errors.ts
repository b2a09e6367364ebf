/**
 * The error taxonomy shared by every face (SPEC.md "one error taxonomy"), exactly SPEC's codes.
 * A submit whose outcome is unknown (request sent, no answer, no matching job found) is a
 * `network` error with `retryable: false` and `details.submitOutcome: 'unknown'`: retrying would
 * risk paying twice.
 */
export const ERROR_CODES = [
  'invalid_input',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'server',
  'network',
  'job_failed',
  'job_canceled',
  'timed_out',
  'aborted',
  'output_expired',
  'download_incomplete',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ScenarioErrorInit {
  code: ErrorCode;
  message: string;
  /** Present whenever a job exists: a paid render can always be recovered by id. */
  jobId?: string;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** The API's own explanation (`reason`, `message`, `error` or `detail`). */
  reason?: string;
  /** The API's actionable hint (`job.metadata.hint`). */
  hint?: string;
  traceId?: string;
  retryable: boolean;
  /** Field path for invalid input (for example `numFrames`). */
  field?: string;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ScenarioError extends Error {
  readonly code: ErrorCode;
  readonly jobId?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly hint?: string;
  readonly traceId?: string;
  readonly retryable: boolean;
  readonly field?: string;
  readonly details?: Record<string, unknown>;

  constructor(init: ScenarioErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'ScenarioError';
    this.code = init.code;
    this.retryable = init.retryable;
    if (init.jobId !== undefined) this.jobId = init.jobId;
    if (init.status !== undefined) this.status = init.status;
    if (init.reason !== undefined) this.reason = init.reason;
    if (init.hint !== undefined) this.hint = init.hint;
    if (init.traceId !== undefined) this.traceId = init.traceId;
    if (init.field !== undefined) this.field = init.field;
    if (init.details !== undefined) this.details = init.details;
  }

  /** Plain JSON for logs, manifests and n8n items: no stack, no cause, never a credential. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      jobId: this.jobId,
      status: this.status,
      reason: this.reason,
      hint: this.hint,
      traceId: this.traceId,
      retryable: this.retryable,
      field: this.field,
      details: this.details,
    };
  }

  /** The same error, naming the job it happened to (returned as is when it already names one). */
  withJobId(jobId: string | undefined): ScenarioError {
    if (jobId === undefined || this.jobId !== undefined) return this;
    const copy = new ScenarioError({ ...this.init(), jobId, message: `${this.message} (job ${jobId})` });
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }

  private init(): ScenarioErrorInit {
    return {
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      ...(this.jobId !== undefined ? { jobId: this.jobId } : {}),
      ...(this.status !== undefined ? { status: this.status } : {}),
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      ...(this.traceId !== undefined ? { traceId: this.traceId } : {}),
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.details !== undefined ? { details: this.details } : {}),
      ...(this.cause !== undefined ? { cause: this.cause } : {}),
    };
  }
}

/**
 * The one error JSON every face shows (manifest entries, CLI `--json`, n8n items): `toJSON()` without
 * its empty fields, in its order. A face that shows fewer fields (the manifest keeps the ones its users
 * already read) passes them as `keys`; it never renames one, so a field means the same everywhere.
 */
export function scenarioErrorJson<K extends Exclude<keyof ScenarioErrorInit, 'cause'>>(
  error: ScenarioError,
  keys?: readonly K[],
): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error.toJSON())) {
    if (v !== undefined && (keys === undefined || (keys as readonly string[]).includes(k))) json[k] = v;
  }
  return json;
}

/** An `invalid_input` error: the caller's request cannot be sent as is (never retryable). */
export const invalidInput = (message: string, field?: string, details?: Record<string, unknown>): ScenarioError =>
  new ScenarioError({
    code: 'invalid_input',
    message,
    retryable: false,
    ...(field !== undefined ? { field } : {}),
    ...(details !== undefined ? { details } : {}),
  });

/** The `aborted` error: the caller's signal fired. Never retried by us; the caller chose to stop. */
export const abortedError = (jobId?: string, cause?: unknown): ScenarioError =>
  new ScenarioError({
    code: 'aborted',
    message: jobId === undefined ? 'Aborted' : `Aborted while working on job ${jobId}; resume it by id`,
    retryable: false,
    ...(jobId !== undefined ? { jobId } : {}),
    ...(cause !== undefined ? { cause } : {}),
  });

/**
 * Any thrown value as a ScenarioError naming `jobId`. An aborted signal always wins (the caller
 * stopped us, whatever the symptom was). Anything else that is not already a ScenarioError is a
 * local failure (a sink or ledger that cannot write, a bad option): `invalid_input` with
 * `details.unexpected`, not retryable, so a face never has to handle a bare Error.
 */
export const toScenarioError = (e: unknown, context: { jobId?: string; signal?: AbortSignal } = {}): ScenarioError => {
  if (context.signal?.aborted) {
    return e instanceof ScenarioError && e.code === 'aborted'
      ? e.withJobId(context.jobId)
      : abortedError(context.jobId, e);
  }
  if (e instanceof ScenarioError) return e.withJobId(context.jobId);
  const message = e instanceof Error ? e.message : String(e);
  return new ScenarioError({
    code: 'invalid_input',
    message: `Unexpected error: ${message}`,
    retryable: false,
    details: { unexpected: true },
    cause: e,
    ...(context.jobId !== undefined ? { jobId: context.jobId } : {}),
  });
};
