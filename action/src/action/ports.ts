import type { ScenarioClient } from '@scenario-video/core';
import type { InputName, OutputName } from './inputs.js';

/** Where an annotation points (GitHub shows it on that line of the file). */
export interface AnnotationAt {
  title?: string;
  file?: string;
  startLine?: number;
  startColumn?: number;
}

/** The workflow run, as `@actions/github`'s context sees it. */
export interface RunContext {
  eventName: string;
  /** The event payload (`GITHUB_EVENT_PATH`), `{}` when there is none. */
  payload: Record<string, unknown>;
  /** `owner/repo`, when known. */
  repository: { owner: string; repo: string } | undefined;
  runId: number;
  runAttempt: number;
  /** `https://github.com` unless on GHE. */
  serverUrl: string;
  /** `GITHUB_WORKSPACE` (the repository checkout; the working directory of the step). */
  workspace: string;
}

export interface ArtifactPort {
  /**
   * Upload `files` (absolute paths under `rootDirectory`) as one zip artifact named `name`; with
   * `archive: false`, one file as it is, not zipped (upload-artifact v7's `archive: false`, the
   * toolkit's `skipArchive`), in which case `name` must be that file's name (GitHub names it so).
   */
  upload(
    name: string,
    files: string[],
    rootDirectory: string,
    options: { retentionDays?: number; archive?: boolean },
  ): Promise<{ id: number | undefined; size: number | undefined }>;
}

export interface CachePort {
  /**
   * Restore `paths` (relative to the workspace; the same list as when saved) from the first key
   * that matches; the matched key, or undefined on a miss. Never throws for a service problem.
   */
  restore(paths: string[], key: string, restoreKeys?: string[]): Promise<string | undefined>;
  /** Save `paths` under `key`: true when saved. Never throws for a service problem (it warns). */
  save(paths: string[], key: string): Promise<boolean>;
}

export interface PullRequestComment {
  id: number;
  body: string;
}

export interface CommentsPort {
  list(issueNumber: number): Promise<PullRequestComment[]>;
  create(issueNumber: number, body: string): Promise<PullRequestComment>;
  update(commentId: number, body: string): Promise<PullRequestComment>;
}

export interface ActionLog {
  info(message: string): void;
  notice(message: string, at?: AnnotationAt): void;
  warning(message: string, at?: AnnotationAt): void;
  error(message: string, at?: AnnotationAt): void;
  startGroup(title: string): void;
  endGroup(): void;
}

/** Everything `run()` needs from the runner and GitHub: the toolkit in production, fakes in unit tests. */
export interface ActionDeps {
  /** The raw input (`INPUT_<NAME>`), '' when unset. */
  getInput(name: InputName): string;
  setSecret(value: string): void;
  setOutput(name: OutputName, value: string): void;
  /** Append markdown to the job summary. */
  writeSummary(markdown: string): Promise<void>;
  log: ActionLog;
  context: RunContext;
  /** Undefined when the runner gave no artifact service (a local run). */
  artifact: ArtifactPort | undefined;
  /** Undefined when the cache service is not available. */
  cache: CachePort | undefined;
  /** PR comments with the given token. */
  comments(token: string): CommentsPort;
  /** The Scenario client (async: the core loads on first use). */
  createClient(options: { apiKey: string; apiSecret: string; baseUrl: string }): Promise<ScenarioClient>;
  /**
   * Call `handler` on SIGINT and SIGTERM (the runner cancels with SIGINT, then SIGTERM 7.5 s later,
   * then kills); returns a function that stops listening.
   */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
  now(): number;
}
