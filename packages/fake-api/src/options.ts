/**
 * The fake Scenario API's public control surface. Tests, the demo, the benchmarks and the
 * reliability suite all drive the fake through these types (in process) or through the same
 * shapes over HTTP (`/_fake/*`), so this file is the contract between them.
 */

/** Time source for job progress, URL expiry and upload states. */
export interface FakeClock {
  now(): number;
  /**
   * Optional: resolves once the clock reads `t` or later. The fake holds late answers with it;
   * a clock without it is waited on in real time (`t - now()` ms).
   */
  at?(t: number): Promise<void>;
}

/**
 * A clock that only moves when a test says so. Things that wait on it (a submit answer held on the
 * fake's clock) register with `at`; moving the clock releases every waiter it passes.
 */
export interface ManualClock extends FakeClock {
  advance(ms: number): void;
  set(ms: number): void;
  /** Resolves once the clock reads `t` or later (at once when it already does). */
  at(t: number): Promise<void>;
  /** The earliest instant something waits for with `at`, if anything does. */
  nextAt(): number | undefined;
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

/**
 * When the answer to a submit comes, on the fake's clock: the real API may answer minutes late.
 * First matching rule wins; consumed per `times`. Only accepted submits are held: a 400 or a 429
 * answers at once, as a refusal made before any work would.
 */
export interface SubmitAnswerRule {
  /** How long after the request the answer leaves, on the fake's clock (ms). */
  delayMs: number;
  /**
   * `before-answer` (default): the job is made at the request and runs while the answer is held, so
   * a client that timed out finds it among the recent jobs at once. `after-answer`: the job is made
   * only when the delay ends (its `createdAt` is then), so a search right after a timeout finds
   * nothing yet; the job is made even when the client has gone.
   */
  jobCreated?: 'before-answer' | 'after-answer';
  /** Only submits whose prompt contains this text. */
  promptIncludes?: string;
  /** How many submits to hold (default: unlimited). */
  times?: number;
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
  /**
   * Each job's duration drawn uniformly from `[min, max]` ms by the seeded generator (renders of
   * real length vary: 2–10 minutes for Wan 2.2). Overrides `jobDurationMs`; an outcome rule's
   * `durationMs` still wins. `null` turns it off again.
   */
  jobDurationRangeMs?: [number, number] | null;
  /** Late submit answers (see `SubmitAnswerRule`). */
  submitAnswers?: SubmitAnswerRule[];
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
  /**
   * A submit of the same content (model, prompt, parameters, image bytes) as an earlier submit
   * whose outcome was ambiguous (reset after body / after create, a held answer the client gave up on).
   */
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
  /** The created job's duration (ms), so a test can work out the ideal schedule of a batch. */
  durationMs?: number;
  /**
   * What was asked for, by content: `modelId` and the input as canonical JSON with every image
   * asset id of the team replaced by `sha256:<hex>` of its bytes. Two submits of the same prompt
   * and image bytes have the same key even when the image was uploaded twice.
   */
  contentKey: string;
  /** When the answer left (or the connection ended), on the fake's clock. */
  answeredAt?: number;
}

export interface FakeState {
  /** Requests per route, counted before auth and faults. */
  requests: Record<FakeRoute, number>;
  /** When each route was last asked, on the fake's clock (e.g. the last download of a batch: `cdn`). */
  lastRequestAt: Partial<Record<FakeRoute, number>>;
  /** Requests refused with 401. */
  unauthorized: number;
  submissions: FakeSubmission[];
  hazards: FakeHazards;
  faultsInjected: Array<{ at: number; route: FakeRoute; kind: FaultKind }>;
  /** Job ids in creation order. */
  jobIds: string[];
  /**
   * Jobs made for a content key (see `FakeSubmission.contentKey`) that already had a job of the
   * team: a second payment for the same prompt, parameters and image bytes. Not in `hazards`: a
   * user may pay twice on purpose (an n8n workflow run twice); tests where nothing may be paid
   * twice assert it stays 0.
   */
  paidAgainByContent: number;
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
  /** Forget jobs, assets, counters, hazards, faults, outcomes and submit-answer rules; also `POST /_fake/reset`. */
  reset(): void;
  /**
   * Requests being handled right now (API and CDN), not counting answers held on the fake's clock.
   * A discrete-event virtual time moves the clock only when this is 0 (and nothing else is in
   * flight), so a held answer lets time move while work in progress does not.
   */
  busy(): number;
  close(): Promise<void>;
}
