import type { ScenarioError } from './errors.js';

/** Job statuses as the API names them; `success`, `failure` and `canceled` are terminal. */
export const JOB_STATUSES = [
  'pending',
  'queued',
  'warming-up',
  'in-progress',
  'finalizing',
  'success',
  'failure',
  'canceled',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(['success', 'failure', 'canceled']);

/**
 * The one event stream every face renders (SPEC.md "One job lifecycle, one event stream").
 * `submitted` is emitted before any waiting starts, so the job id is never lost.
 */
export type RenderEvent =
  | { type: 'validated' }
  | { type: 'uploading'; name: string; bytes?: number }
  /**
   * `recovered`: the submit's answer was lost and the job was found among the recent jobs.
   * `resumed`: the job came from the ledger (an earlier run), nothing was submitted.
   */
  | { type: 'submitted'; jobId: string; cost?: number; recovered?: boolean; resumed?: boolean }
  | { type: 'status'; jobId: string; status: string; progress?: number }
  | { type: 'retrying'; attempt: number; delayMs: number; cause: string; jobId?: string }
  | { type: 'downloading'; jobId?: string; assetId?: string; bytes: number; total?: number }
  /** `file` is the first output's location; `files` lists every downloaded output. */
  | { type: 'completed'; jobId: string; assetIds: string[]; file?: string; files?: string[] }
  | { type: 'failed'; error: ScenarioError };

export type EventListener = (event: RenderEvent) => void;
