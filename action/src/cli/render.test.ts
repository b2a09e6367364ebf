import { ScenarioError } from '@scenario-video/core';
import { describe, expect, it } from 'vitest';
import type { ManifestVideo } from '../batch/manifest.js';
import { errorJson } from '../batch/render-videos.js';
import { runStopFor, unknownSubmitNote } from './render.js';

const failed = (name: string, error: ScenarioError): ManifestVideo => ({
  name,
  source: 'prompts/a.yml',
  hash: 'h',
  jobId: error.jobId ?? null,
  status: 'failed',
  file: null,
  bytes: null,
  creativeUnits: null,
  error: errorJson(error),
});

/** The core's error for a submit sent without an answer and whose job was not found (errors.ts documents it). */
const unanswered = () =>
  new ScenarioError({
    code: 'network',
    message: 'The submit sent at … got no usable answer … look for a job created after … among the recent jobs',
    retryable: false,
    details: { submitOutcome: 'unknown' },
  });

describe('the render command', () => {
  it('points a submit whose outcome is unknown at `scenario-video jobs` and `job <id> --download`', () => {
    const note = unknownSubmitNote([
      failed('cat', unanswered()),
      failed('dog', new ScenarioError({ code: 'job_failed', message: 'Moderation', retryable: false, jobId: 'job_1' })),
    ]);
    expect(note).toBe(
      '1 submit went unanswered and may have been paid (cat). Look for its job with `scenario-video jobs`, ' +
        'fetch with `scenario-video job <id> --download DIR`, then render again.',
    );
    expect(
      unknownSubmitNote([failed('dog', new ScenarioError({ code: 'server', message: 'x', retryable: true }))]),
    ).toBe(undefined);
  });

  it('stops the whole run for the credentials or an unreachable API, never for one video or an unknown submit', () => {
    const error = (code: ScenarioError['code'], retryable: boolean) =>
      errorJson(new ScenarioError({ code, message: code, retryable }));
    expect(runStopFor(error('unauthorized', false))?.kind).toBe('credentials');
    expect(runStopFor(error('network', true))?.kind).toBe('unreachable');
    expect(runStopFor(errorJson(unanswered()))).toBeUndefined();
    expect(runStopFor(error('job_failed', false))).toBeUndefined();
    expect(runStopFor(error('forbidden', false))).toBeUndefined();
  });
});
