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
    };
  }
}

export const isScenarioError = (e: unknown): e is ScenarioError => e instanceof ScenarioError;
