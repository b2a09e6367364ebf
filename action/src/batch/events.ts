import type { ManifestError, Manifest, ManifestOrphan } from './manifest.js';
import type { ManifestIssue } from './manifest.js';

/**
 * Where one video is. `queued` → (`uploading` →) `submitted` → `waiting` → `downloading` → `rendered`,
 * or `skipped` (unchanged), `quoted` (dry run), `failed`, `interrupted` (stopped while waiting;
 * the job is in the ledger).
 */
export type VideoPhase =
  | 'queued'
  | 'skipped'
  | 'uploading'
  | 'submitted'
  | 'waiting'
  | 'downloading'
  | 'rendered'
  | 'quoted'
  | 'failed'
  | 'interrupted';

export interface VideoUpdate {
  type: 'video';
  name: string;
  source: string;
  phase: VideoPhase;
  /** Milliseconds since the epoch. */
  at: number;
  jobId?: string;
  /** The API's job status while waiting. */
  status?: string;
  /** 0–1, while waiting. */
  progress?: number;
  /** Bytes downloaded so far, and the total when known. */
  bytes?: number;
  total?: number;
  /** Creative units (cost of the submit, or the quote). */
  creativeUnits?: number;
  /** Set on `submitted` when the job came from the ledger of an earlier run (nothing submitted). */
  resumed?: boolean;
  /** Set on `submitted` when an unanswered submit's job was found among the recent jobs and adopted. */
  recovered?: boolean;
  /** The output, relative to the output folder. */
  file?: string;
  error?: ManifestError;
  /** A retry in progress (`rate_limited`, `server`, …), for the display. */
  retrying?: string;
  /**
   * Set only on the update a retry starts with: how long it waits before trying again (0 when it goes
   * at once, e.g. a team slot freed while it waited) and which attempt failed.
   */
  retryDelayMs?: number;
  retryAttempt?: number;
}

/** What the batch renderer reports, in order, for the CLI's and the Action's displays. */
export type BatchEvent =
  | { type: 'discovered'; files: string[]; unmatched: string[] }
  | { type: 'invalid'; issues: ManifestIssue[] }
  | {
      type: 'planned';
      videos: Array<{ name: string; source: string; hash: string; action: 'render' | 'resume' | 'skip' | 'quote' }>;
      /** Ledger jobs that belong to no video of this run (their prompt changed or was removed). */
      orphanJobs: Array<ManifestOrphan & { key: string }>;
    }
  | VideoUpdate
  /**
   * Scenario refused a submit for the team's limit of generations at once: at most `limit` of this
   * run's renders go at once now (the rest wait for one of ours to end). Said again when it drops.
   */
  | { type: 'limit'; limit: number }
  | { type: 'finished'; manifest: Manifest; manifestPath: string; interrupted: boolean };

export type BatchListener = (event: BatchEvent) => void;
