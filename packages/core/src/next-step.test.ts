import { describe, expect, it } from 'vitest';
import { ScenarioError, scenarioErrorJson, type ErrorCode } from './errors.js';
import { nextStep } from './next-step.js';

const err = (code: ErrorCode, more: Partial<ConstructorParameters<typeof ScenarioError>[0]> = {}) =>
  new ScenarioError({ code, message: code, retryable: false, ...more });

describe('nextStep: what a person should do about an error, as data', () => {
  it('names the set-up steps: credentials, permissions, the network after retries', () => {
    expect(nextStep(err('unauthorized'))).toEqual({ kind: 'check-credentials' });
    expect(nextStep(err('forbidden'))).toEqual({ kind: 'check-permissions' });
    expect(nextStep(err('network', { retryable: true }))).toEqual({ kind: 'check-network' });
    expect(nextStep(err('network', { retryable: true, jobId: 'j1' }))).toEqual({ kind: 'check-network', jobId: 'j1' });
  });

  it('names the field to fix, and waits for the team limit', () => {
    expect(nextStep(err('invalid_input', { field: 'numFrames' }))).toEqual({ kind: 'fix-input', field: 'numFrames' });
    expect(nextStep(err('invalid_input'))).toEqual({ kind: 'fix-input' });
    expect(nextStep(err('rate_limited', { retryable: true, jobId: 'j1' }))).toEqual({ kind: 'wait-team-limit' });
  });

  it('resumes a paid job by id, or downloads it again; nothing without a job', () => {
    for (const code of ['timed_out', 'aborted', 'server', 'network'] as const) {
      expect(nextStep(err(code, { jobId: 'j1' }))).toEqual({ kind: 'resume', jobId: 'j1' });
      expect(nextStep(err(code))).toEqual({ kind: 'none' });
    }
    for (const code of ['output_expired', 'download_incomplete'] as const) {
      expect(nextStep(err(code, { jobId: 'j1' }))).toEqual({ kind: 'download-again', jobId: 'j1' });
      expect(nextStep(err(code))).toEqual({ kind: 'none' });
    }
    expect(nextStep(err('job_canceled', { jobId: 'j1' }))).toEqual({ kind: 'none' });
  });

  it('says whether a failed job was refunded (it is unless Scenario says otherwise)', () => {
    expect(nextStep(err('job_failed', { jobId: 'j1' }))).toEqual({ kind: 'job-failed', refunded: true });
    expect(nextStep(err('job_failed', { details: { refunded: false } }))).toEqual({
      kind: 'job-failed',
      refunded: false,
    });
  });

  it('sends an unanswered submit to look for its job, sent after the time it went out', () => {
    const at = '2026-01-01T00:00:00.000Z';
    expect(nextStep(err('network', { details: { submitOutcome: 'unknown', attemptStartedAt: at } }))).toEqual({
      kind: 'find-unknown-submit',
      sentAfter: at,
    });
    expect(nextStep(err('network', { details: { submitOutcome: 'unknown' } }))).toEqual({
      kind: 'find-unknown-submit',
    });
  });

  it('decides the same from the error JSON as from the error', () => {
    const e = err('network', { retryable: true, jobId: 'j1' });
    expect(nextStep(scenarioErrorJson(e) as { code: string })).toEqual(nextStep(e));
  });
});

describe('scenarioErrorJson: the one error JSON', () => {
  it('is toJSON without its empty fields, optionally only some fields', () => {
    const e = err('invalid_input', { field: 'numFrames', status: 400 });
    expect(scenarioErrorJson(e)).toEqual({
      code: 'invalid_input',
      message: 'invalid_input',
      status: 400,
      retryable: false,
      field: 'numFrames',
    });
    expect(scenarioErrorJson(e, ['code', 'retryable', 'jobId'])).toEqual({ code: 'invalid_input', retryable: false });
  });
});
