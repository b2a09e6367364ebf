// The fault matrix's rows: every fault kind the fake API can inject, on the routes where it hurts,
// once (the client must recover: the video arrives intact) or for good (the client must give up
// with a clear error naming the job, or, for a submit whose outcome is unknown, say so without
// paying again). Each face (core, batch renderer, n8n node) runs every row.
import type { ErrorCode } from '../../packages/core/src/index.js';
import type { FaultKind, FaultRule } from '../../packages/fake-api/src/options.js';

export type Face = 'core' | 'batch' | 'n8n';

export type Expectation =
  /** Every video arrives whole, from the right job. */
  | { kind: 'intact' }
  /** The video hit by the fault fails with this code, naming its job; the others arrive intact. */
  | { kind: 'job-error'; code: ErrorCode }
  /** The submit hit by the fault fails saying its outcome is unknown, with no job and nothing re-sent. */
  | { kind: 'unknown-outcome' };

export interface Cell {
  kind: FaultKind;
  /** What the row does, in a few words. */
  label: string;
  faults: FaultRule[];
  expect: Expectation;
  /** Faces this row does not apply to, and why. */
  skip?: Partial<Record<Face, string>>;
}

const intact = { kind: 'intact' } as const;
const jobError = (code: ErrorCode) => ({ kind: 'job-error', code }) as const;
const unknownOutcome = { kind: 'unknown-outcome' } as const;

/** A slow answer past the client's request and submit timeouts (support.ts: 1.5 s). */
const PAST_TIMEOUT_MS = 2500;

export const CELLS: Cell[] = [
  {
    kind: 'http-5xx',
    label: 'submit, poll, asset and CDN answer 503 once',
    faults: [
      { route: 'generate', kind: 'http-5xx', times: 1 },
      { route: 'getJob', kind: 'http-5xx', times: 2, status: 502 },
      { route: 'getAsset', kind: 'http-5xx', times: 1 },
      { route: 'cdn', kind: 'http-5xx', times: 1 },
    ],
    expect: intact,
  },
  {
    kind: 'http-5xx',
    label: 'polls answer 500 until the retries run out',
    faults: [{ route: 'getJob', kind: 'http-5xx', rate: 1, status: 500 }],
    expect: jobError('server'),
  },
  {
    kind: 'rate-limit-retry-after',
    label: 'submit and poll answer 429 with Retry-After',
    faults: [
      { route: 'generate', kind: 'rate-limit-retry-after', times: 1, retryAfterSeconds: 20 },
      { route: 'getJob', kind: 'rate-limit-retry-after', times: 1, retryAfterSeconds: 5 },
    ],
    expect: intact,
  },
  {
    kind: 'rate-limit-remaining-seconds',
    label: 'submit and poll answer 429 with remainingSeconds',
    faults: [
      { route: 'generate', kind: 'rate-limit-remaining-seconds', times: 1, remainingSeconds: 30 },
      { route: 'getJob', kind: 'rate-limit-remaining-seconds', times: 1, remainingSeconds: 3 },
    ],
    expect: intact,
  },
  {
    kind: 'rate-limit-action-limit',
    label: "submits answer 429 with the team's actionLimit",
    faults: [{ route: 'generate', kind: 'rate-limit-action-limit', times: 2, actionLimit: 1 }],
    expect: intact,
  },
  {
    kind: 'reset-before-body',
    label: 'upload, poll, asset and CDN connections reset before the body',
    faults: [
      { route: 'createAsset', kind: 'reset-before-body', times: 1 },
      { route: 'getJob', kind: 'reset-before-body', times: 1 },
      { route: 'getAsset', kind: 'reset-before-body', times: 1 },
      { route: 'cdn', kind: 'reset-before-body', times: 1 },
    ],
    expect: intact,
  },
  {
    kind: 'reset-before-body',
    label: 'the submit connection resets before the body',
    faults: [{ route: 'generate', kind: 'reset-before-body', times: 1 }],
    expect: unknownOutcome,
  },
  {
    kind: 'reset-after-body',
    label: 'poll, asset and CDN connections reset after the body',
    faults: [
      { route: 'getJob', kind: 'reset-after-body', times: 1 },
      { route: 'getAsset', kind: 'reset-after-body', times: 1 },
      { route: 'cdn', kind: 'reset-after-body', times: 1 },
    ],
    expect: intact,
  },
  {
    kind: 'reset-after-body',
    label: 'the submit connection resets after the body (no job made)',
    faults: [{ route: 'generate', kind: 'reset-after-body', times: 1 }],
    expect: unknownOutcome,
  },
  {
    kind: 'reset-after-create',
    label: 'the submit connection resets after the job was created',
    faults: [{ route: 'generate', kind: 'reset-after-create', times: 1 }],
    expect: intact,
  },
  {
    kind: 'truncate',
    label: 'the download is cut in half once',
    faults: [{ route: 'cdn', kind: 'truncate', times: 1 }],
    expect: intact,
  },
  {
    kind: 'truncate',
    label: 'every download is cut short',
    faults: [{ route: 'cdn', kind: 'truncate', rate: 1, truncateFraction: 0.3 }],
    expect: jobError('download_incomplete'),
  },
  {
    kind: 'expired-url',
    label: 'the signed URL has expired once',
    faults: [{ route: 'getAsset', kind: 'expired-url', times: 1 }],
    expect: intact,
  },
  {
    kind: 'expired-url',
    label: 'every signed URL has expired',
    faults: [{ route: 'getAsset', kind: 'expired-url', rate: 1 }],
    expect: jobError('output_expired'),
  },
  {
    kind: 'slow',
    label: 'submit, poll and CDN answer slowly (within the timeouts)',
    faults: [
      { route: 'generate', kind: 'slow', times: 1, delayMs: 300 },
      { route: 'getJob', kind: 'slow', times: 1, delayMs: 300 },
      { route: 'cdn', kind: 'slow', times: 1, delayMs: 300 },
    ],
    expect: intact,
  },
  {
    kind: 'slow',
    label: 'submit and poll answer after the client gave up',
    faults: [
      { route: 'generate', kind: 'slow', times: 1, delayMs: PAST_TIMEOUT_MS },
      { route: 'getJob', kind: 'slow', times: 1, delayMs: PAST_TIMEOUT_MS },
    ],
    expect: intact,
    skip: { n8n: "the node's request timeout is 60 s: a wait past it would take a minute of real time" },
  },
  {
    kind: 'unknown-status',
    label: 'polls report an undocumented status for a while',
    faults: [{ route: 'getJob', kind: 'unknown-status', times: 3, statusName: 'throttled' }],
    expect: intact,
  },
  {
    kind: 'unknown-status',
    label: 'polls report an undocumented status for good',
    faults: [{ route: 'getJob', kind: 'unknown-status', rate: 1, statusName: 'paused' }],
    expect: jobError('server'),
  },
  {
    kind: 'malformed-json',
    label: 'the submit answers half a JSON body (the job exists)',
    faults: [{ route: 'generate', kind: 'malformed-json', times: 1 }],
    expect: intact,
  },
  {
    kind: 'malformed-json',
    label: 'poll and asset answer half a JSON body once',
    faults: [
      { route: 'getJob', kind: 'malformed-json', times: 1 },
      { route: 'getAsset', kind: 'malformed-json', times: 1 },
    ],
    expect: intact,
  },
];

/** Every kind the fake can inject appears in the matrix. */
export const ALL_KINDS: FaultKind[] = [
  'http-5xx',
  'rate-limit-retry-after',
  'rate-limit-remaining-seconds',
  'rate-limit-action-limit',
  'reset-before-body',
  'reset-after-body',
  'reset-after-create',
  'truncate',
  'slow',
  'unknown-status',
  'malformed-json',
  'expired-url',
];

export const cellName = (c: Cell) => `${c.kind}: ${c.label}`;

/** Messages that say a submit's outcome is unknown and that it was not sent again. */
export const UNKNOWN_OUTCOME = /not sent again/i;
