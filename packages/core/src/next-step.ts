import type { ScenarioError } from './errors.js';

/**
 * What a person should do next about an error, as data: a kind plus the facts a face needs to say it
 * (job id, field, time). Every face (the n8n node's descriptions, the CLI's messages, the Action's
 * summary) decides from this one function and only words the step for its medium, so the decision
 * "is this the credentials, the network, a paid job to resume…" is made in one place.
 *
 * Contract: pure, total (every error has exactly one step; `none` when there is nothing to do), and it
 * reads only the fields of the error JSON (`code`, `jobId`, `field`, `retryable`, `details`), so it
 * works on a ScenarioError and on its JSON alike.
 */
export type NextStep =
  /** Scenario refused the key and secret (401): check the credentials. */
  | { kind: 'check-credentials' }
  /** The key may not do this (403): check its permissions and team. */
  | { kind: 'check-permissions' }
  /** The request cannot be sent as is: fix the field named, or the parameters in general. */
  | { kind: 'fix-input'; field?: string }
  /** The team's limit of generations at once stayed full: wait, or allow a longer wait. */
  | { kind: 'wait-team-limit' }
  /**
   * The API could not be reached even after the core's retries. When a job exists it keeps running
   * and is paid, so `jobId` is there to resume it.
   */
  | { kind: 'check-network'; jobId?: string }
  /**
   * A submit reached Scenario but got no answer and no job was found for it: it may be paid. Look for
   * a job created after `sentAfter` (ISO time, when known) before submitting again.
   */
  | { kind: 'find-unknown-submit'; sentAfter?: string }
  /** The job keeps running on Scenario and is paid: get it by id, without paying again. */
  | { kind: 'resume'; jobId: string }
  /** The render is done and paid; only its download failed: download it again by id. */
  | { kind: 'download-again'; jobId: string }
  /** The job failed on Scenario: refunded (adjust and try again) or, when Scenario says so, not refunded. */
  | { kind: 'job-failed'; refunded: boolean }
  /** Nothing to do (a canceled job, an error with no job). */
  | { kind: 'none' };

/** The fields of an error (or of its JSON) that decide the next step. */
export interface NextStepInput {
  /** An `ErrorCode`; a string so that an error read back from a manifest fits too. */
  readonly code: ScenarioError['code'] | (string & {});
  readonly retryable?: boolean | undefined;
  readonly jobId?: string | undefined;
  readonly field?: string | undefined;
  readonly details?: Record<string, unknown> | undefined;
}

/** Only a submit whose outcome is unknown (core `submit`) may have been paid without a job id. */
export const isUnknownSubmitError = (e: NextStepInput): boolean =>
  e.code === 'network' && e.details?.submitOutcome === 'unknown';

export function nextStep(e: NextStepInput): NextStep {
  const resume: NextStep = e.jobId !== undefined ? { kind: 'resume', jobId: e.jobId } : { kind: 'none' };
  switch (e.code) {
    case 'unauthorized':
      return { kind: 'check-credentials' };
    case 'forbidden':
      return { kind: 'check-permissions' };
    case 'invalid_input':
      return { kind: 'fix-input', ...(e.field !== undefined ? { field: e.field } : {}) };
    case 'rate_limited':
      return { kind: 'wait-team-limit' };
    case 'output_expired':
    case 'download_incomplete':
      return e.jobId !== undefined ? { kind: 'download-again', jobId: e.jobId } : { kind: 'none' };
    case 'job_failed':
      return { kind: 'job-failed', refunded: e.details?.refunded !== false };
    case 'job_canceled':
      return { kind: 'none' };
    case 'network': {
      if (isUnknownSubmitError(e)) {
        const at = e.details?.attemptStartedAt;
        return { kind: 'find-unknown-submit', ...(typeof at === 'string' ? { sentAfter: at } : {}) };
      }
      if (e.retryable === true) return { kind: 'check-network', ...(e.jobId !== undefined ? { jobId: e.jobId } : {}) };
      return resume;
    }
    default:
      // timed_out, aborted, server: the job (when there is one) keeps running and is paid.
      return resume;
  }
}
