/** The shared state every route sees, and the options with their defaults applied. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultEngine } from './faults.js';
import type { IdFactory } from './ids.js';
import type {
  FakeClock,
  FakeCredential,
  FakeRoute,
  FakeScenarioOptions,
  FakeSubmission,
  FaultRule,
  JobOutcome,
  OutcomeRule,
  SubmitAnswerRule,
} from './options.js';
import type { UrlSigner } from './signing.js';
import type { Store } from './state.js';

export const DEFAULT_CREDENTIAL: FakeCredential = { apiKey: 'fake-key', apiSecret: 'fake-secret', teamId: 'team_fake' };

/** Options that can change at run time (everything but ports and clock). */
export interface RuntimeOptions {
  credentials: FakeCredential[];
  jobDurationMs: number;
  /** `null`: every job takes `jobDurationMs`. */
  jobDurationRangeMs: [number, number] | null;
  submitAnswers: SubmitAnswerRule[];
  teamConcurrencyLimit: number;
  urlExpiryMs: number;
  uploadUrlExpiryMs: number;
  uploadPartSize: number;
  videoBytes: number;
  cancelableJobTypes: string[];
  uploadImportMs: number;
  faults: FaultRule[];
  outcomes: OutcomeRule[];
  seed: number;
}

export const DEFAULTS: RuntimeOptions = {
  credentials: [DEFAULT_CREDENTIAL],
  jobDurationMs: 6_000,
  jobDurationRangeMs: null,
  submitAnswers: [],
  teamConcurrencyLimit: 8,
  urlExpiryMs: 24 * 60 * 60 * 1000,
  uploadUrlExpiryMs: 60 * 60 * 1000,
  uploadPartSize: 5 * 1024 * 1024,
  videoBytes: 0,
  cancelableJobTypes: ['inference'],
  uploadImportMs: 300,
  faults: [],
  outcomes: [],
  seed: 1,
};

const nonNegative = ['jobDurationMs', 'teamConcurrencyLimit', 'videoBytes', 'uploadImportMs'] as const;
const positive = ['urlExpiryMs', 'uploadUrlExpiryMs', 'uploadPartSize'] as const;

/** Merge a partial over the current options, refusing values that would make the fake misbehave. */
export function mergeOptions(current: RuntimeOptions, patch: Partial<FakeScenarioOptions>): RuntimeOptions {
  const next: RuntimeOptions = { ...current };
  for (const k of Object.keys(DEFAULTS) as Array<keyof RuntimeOptions>) {
    if (patch[k] !== undefined) (next as unknown as Record<string, unknown>)[k] = patch[k];
  }
  for (const k of nonNegative) {
    if (!(Number.isFinite(next[k]) && next[k] >= 0)) throw new TypeError(`${k} must be a number >= 0`);
  }
  for (const k of positive) {
    if (!(Number.isFinite(next[k]) && next[k] > 0)) throw new TypeError(`${k} must be a number > 0`);
  }
  if (!Array.isArray(next.credentials) || next.credentials.length === 0) {
    throw new TypeError('credentials must list at least one credential');
  }
  for (const c of next.credentials) {
    if (!c || typeof c.apiKey !== 'string' || typeof c.apiSecret !== 'string' || typeof c.teamId !== 'string') {
      throw new TypeError('each credential needs apiKey, apiSecret and teamId strings');
    }
  }
  if (!Array.isArray(next.outcomes) || !Array.isArray(next.faults))
    throw new TypeError('faults and outcomes are arrays');
  const range = next.jobDurationRangeMs;
  if (
    range !== null &&
    !(
      Array.isArray(range) &&
      range.length === 2 &&
      range.every((v) => Number.isFinite(v) && v >= 0) &&
      range[0] <= range[1]
    )
  ) {
    throw new TypeError('jobDurationRangeMs must be [min, max] with 0 <= min <= max');
  }
  if (!Array.isArray(next.submitAnswers)) throw new TypeError('submitAnswers is an array');
  for (const r of next.submitAnswers) {
    if (!r || !(Number.isFinite(r.delayMs) && r.delayMs >= 0))
      throw new TypeError('a submit answer rule needs delayMs >= 0');
    if (r.jobCreated !== undefined && r.jobCreated !== 'before-answer' && r.jobCreated !== 'after-answer') {
      throw new TypeError('jobCreated is "before-answer" or "after-answer"');
    }
  }
  return next;
}

export interface ChosenOutcome {
  outcome: JobOutcome;
  durationMs: number;
  error?: string;
  hint?: string;
  disableRefund: boolean;
}

export interface App {
  readonly store: Store;
  readonly clock: FakeClock;
  readonly signer: UrlSigner;
  readonly ids: IdFactory;
  readonly faults: FaultEngine;
  readonly apiOrigin: string;
  readonly cdnOrigin: string;
  readonly opts: RuntimeOptions;
  /** Consume the first outcome rule matching this prompt (or the default: success). */
  chooseOutcome(prompt: unknown): ChosenOutcome;
  /** Consume the first submit-answer rule matching this prompt, if any. */
  chooseAnswer(prompt: unknown): SubmitAnswerRule | undefined;
  /** Real-time delay for `slow` faults; cut short when the fake closes. */
  delay(ms: number): Promise<void>;
  /**
   * Wait until the fake's clock reads `t` (a held answer), cut short when the fake closes. The
   * request does not count as busy meanwhile: on a manual clock, time must be able to move.
   */
  waitUntil(t: number, ctx: { parked(): () => void }): Promise<void>;
}

export interface ApiCtx {
  app: App;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  route: FakeRoute;
  params: Record<string, string>;
  cred: FakeCredential;
  teamId: string;
  authorId: string;
  traceId: string;
  now: number;
  fault?: FaultRule;
  /** The parsed JSON body (undefined when there was none). */
  json: unknown;
  submission?: FakeSubmission;
  /** Set when a job was created but its answer is deliberately unusable (malformed JSON). */
  ambiguousAnswer?: boolean;
  /** Stop counting this request as busy (it waits on the clock); call the result to count it again. */
  parked(): () => void;
}

/** The `details.actionName` of the per-team concurrency 429 (the name Scenario's team limits use). */
export const CONCURRENCY_ACTION = 'parallelInferences';

/**
 * The `actionLimit` a `rate-limit-action-limit` fault reports: the rule's, else the team limit.
 * Never 0: a client told "limit 0" would stop submitting altogether.
 */
export function faultActionLimit(rule: { actionLimit?: number }, opts: RuntimeOptions): number {
  return rule.actionLimit ?? (opts.teamConcurrencyLimit > 0 ? opts.teamConcurrencyLimit : 1);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
