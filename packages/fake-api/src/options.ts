/**
 * The fake Scenario API's public control surface. Tests, the demo, the benchmarks and the
 * reliability suite all drive the fake through these types (in process) or through the same
 * shapes over HTTP (`/_fake/*`), so this file is the contract between them.
 */

/** Time source for job progress, URL expiry and upload states. */
export interface FakeClock {
  now(): number;
}

/** A clock that only moves when a test says so. */
export interface ManualClock extends FakeClock {
  advance(ms: number): void;
  set(ms: number): void;
}

/** One API credential; each belongs to a team, and concurrency limits are per team. */
export interface FakeCredential {
  apiKey: string;
  apiSecret: string;
  teamId: string;
}

/** Names under which requests are counted and faults are targeted. */
export type FakeRoute =
  | 'createAsset' // POST /v1/assets
  | 'getAsset' // GET /v1/assets/{id}
  | 'createUpload' // POST /v1/uploads
  | 'getUpload' // GET /v1/uploads/{id}
  | 'uploadAction' // POST /v1/uploads/{id}/action
  | 'putPart' // PUT on a presigned part URL (storage origin)
  | 'generate' // POST /v1/generate/custom/{modelId} (not a dry run)
  | 'dryRun' // POST /v1/generate/custom/{modelId}?dryRun=true
  | 'getJob' // GET /v1/jobs/{id}
  | 'listJobs' // GET /v1/jobs
  | 'jobAction' // POST /v1/jobs/{id}/action
  | 'getModel' // GET /v1/models/{id}
  | 'cdn'; // GET on a signed asset URL (CDN origin)

export type FaultKind =
  /** Answer 5xx (`status`, default 503) with a `{reason, trace_id}` body. Nothing happens server-side. */
  | 'http-5xx'
  /** Answer 429 with a `Retry-After: retryAfterSeconds` header. */
  | 'rate-limit-retry-after'
  /** Answer 429 with `remainingSeconds` in the body (cooldown style). */
  | 'rate-limit-remaining-seconds'
  /** Answer 429 with `details.actionName` / `details.actionLimit` (the per-team concurrency ceiling). */
  | 'rate-limit-action-limit'
  /** Destroy the connection before the request body is read. Nothing happens server-side. */
  | 'reset-before-body'
  /** Read the body, then destroy the connection with no answer. Nothing happens server-side. */
  | 'reset-after-body'
  /** `generate` only: create the job (it is billed and runs), then destroy the connection with no answer. */
  | 'reset-after-create'
  /** `cdn` only: announce the full length, send part of the body (`truncateFraction`, default 0.5), then destroy. */
  | 'truncate'
  /** Delay the answer by `delayMs` (the route still does its work). */
  | 'slow'
  /** `getJob` / `listJobs`: report a status outside the documented 8 (`statusName`, default "throttled"). */
  | 'unknown-status'
  /** Answer 200 with a body that is not valid JSON. */
  | 'malformed-json'
  /** `getAsset` only: the returned signed URL has already expired. */
  | 'expired-url';

export interface FaultRule {
  route: FakeRoute | '*';
  kind: FaultKind;
  /** How many matching requests to hit (default 1). Ignored when `rate` is set. */
  times?: number;
  /** Probability in [0, 1] per matching request, drawn from the seeded generator. */
  rate?: number;
  /** Let this many matching requests through before the rule starts. */
  after?: number;
  /** Only requests for this job id (getJob, jobAction) or asset id (getAsset, cdn). */
  id?: string;
  /** HTTP status for `http-5xx` (default 503). */
  status?: number;
  /** Status name for `unknown-status` (default "throttled"). */
  statusName?: string;
  retryAfterSeconds?: number;
  remainingSeconds?: number;
  actionLimit?: number;
  delayMs?: number;
  truncateFraction?: number;
}

export type JobOutcome =
  | 'success'
  /** Ends in `failure` with `metadata.error` and `metadata.hint`. */
  | 'failure'
  /** Ends in `canceled` (as if canceled by the platform). */
  | 'canceled'
  /** Stays `in-progress` forever, progress stuck. */
  | 'never';

/** Scripts how the next matching jobs end. First matching rule wins; consumed per `times`. */
export interface OutcomeRule {
  outcome: JobOutcome;
  /** Only jobs whose prompt contains this text. */
  promptIncludes?: string;
  /** How many jobs to apply to (default: unlimited). */
  times?: number;
  error?: string;
  hint?: string;
  /** Per-job duration override in ms. */
  durationMs?: number;
  /** Leave `billing.disableRefund` true on failure. */
  disableRefund?: boolean;
}

export interface FakeScenarioOptions {
  /** API port on 127.0.0.1 (0 = any free port). */
  port?: number;
  /** CDN and storage origin port on 127.0.0.1 (0 = any free port); a different origin from the API. */
  cdnPort?: number;
  /** Default: one credential `fake-key` / `fake-secret` on team `team_fake`. */
  credentials?: FakeCredential[];
  /** Default: the real clock. */
  clock?: FakeClock;
  /** Time from submit to `success` (default 6000 ms). The 8 statuses are spread over it. */
  jobDurationMs?: number;
  /** Unfinished jobs allowed per team before submits answer 429 with `details.actionLimit` (default 8; 0 = no limit). */
  teamConcurrencyLimit?: number;
  /** Lifetime of signed CDN URLs (default 24 h). */
  urlExpiryMs?: number;
  /** Lifetime of presigned upload part URLs (default 1 h). */
  uploadUrlExpiryMs?: number;
  /** Part size the fake hands out for `/uploads` (default 5 MiB, S3's minimum for all but the last part). */
  uploadPartSize?: number;
  /** Pad every output MP4 to at least this many bytes (streamed, never held in memory). */
  videoBytes?: number;
  /** Job types that accept `cancel` (default `['inference']`: custom jobs answer 400 "Cannot cancel this type of job"). */
  cancelableJobTypes?: string[];
  /** Time the upload import takes after `complete` (default 300 ms). */
  uploadImportMs?: number;
  faults?: FaultRule[];
  outcomes?: OutcomeRule[];
  /** Seed for `rate` faults and ids (default 1). */
  seed?: number;
}

/** Hazards a well-behaved client must never cause. Every counter must stay 0 in our tests. */
export interface FakeHazards {
  /** An Authorization header sent to the CDN or to a presigned storage URL. */
  authorizationToCdn: number;
  /** `dryRun` put in the JSON body (the real API ignores it there and runs a paid job). */
  dryRunInBody: number;
  /** A submit whose input equals one sent just before an ambiguous failure (reset after body / after create). */
  duplicateSubmitAfterAmbiguous: number;
}

export interface FakeSubmission {
  at: number;
  teamId: string;
  modelId: string;
  input: Record<string, unknown>;
  dryRun: boolean;
  /** HTTP status answered (or 0 when the connection was destroyed). */
  status: number;
  /** Set when a job was created (including `reset-after-create`). */
  jobId?: string;
}

export interface FakeState {
  /** Requests per route, counted before auth and faults. */
  requests: Record<FakeRoute, number>;
  /** Requests refused with 401. */
  unauthorized: number;
  submissions: FakeSubmission[];
  hazards: FakeHazards;
  faultsInjected: Array<{ at: number; route: FakeRoute; kind: FaultKind }>;
  /** Job ids in creation order. */
  jobIds: string[];
}

export interface FakeScenario {
  /** Base URL for clients, e.g. `http://127.0.0.1:41234/v1` (like SCENARIO_API_URL). */
  url: string;
  /** CDN and storage origin, e.g. `http://127.0.0.1:41235`. */
  cdnUrl: string;
  /** The default (first) credential. */
  credentials: FakeCredential;
  clock: FakeClock;
  /** A live snapshot; also `GET /_fake/state`. */
  state(): FakeState;
  /** Merge options at run time (faults, outcomes, limits, durations); also `POST /_fake/options`. */
  setOptions(options: Partial<FakeScenarioOptions>): void;
  /** Forget jobs, assets, counters, hazards, faults and outcomes; also `POST /_fake/reset`. */
  reset(): void;
  close(): Promise<void>;
}
