import { describe, expect, it } from 'vitest';
import { apiErrorFromResponse, codeForStatus, describeUrl, parseApiError, parseRetryAfter } from './http-errors.js';

describe('parseApiError', () => {
  it.each([
    ['reason', { reason: 'Input prompt is required', trace_id: 't-1' }, 'Input prompt is required', 't-1'],
    [
      'message',
      { message: 'API Keys cannot access protected resources', traceId: 't-2' },
      'API Keys cannot access protected resources',
      't-2',
    ],
    ['error string', { error: 'Cannot cancel this type of job' }, 'Cannot cancel this type of job', undefined],
    ['error object', { error: { message: 'bad', code: 'E1' } }, 'bad', undefined],
    ['detail', { detail: 'Not found' }, 'Not found', undefined],
    [
      'docs shape',
      { status: 'error', code: 'INVALID_PARAMETER', message: 'numFrames too big' },
      'numFrames too big',
      undefined,
    ],
  ])('reads the %s variant', (_label, body, reason, traceId) => {
    const parsed = parseApiError({ bodyText: JSON.stringify(body) });
    expect(parsed.reason).toBe(reason);
    expect(parsed.traceId).toBe(traceId);
  });

  it('keeps the API code of the docs shape', () => {
    expect(parseApiError({ bodyText: '{"status":"error","code":"INVALID_PARAMETER","message":"x"}' }).apiCode).toBe(
      'INVALID_PARAMETER',
    );
  });

  it('reads the concurrency ceiling and the cooldown of a 429', () => {
    const limit = parseApiError({
      bodyText: JSON.stringify({ reason: 'Too many jobs', details: { actionName: 'generate', actionLimit: 3 } }),
    });
    expect(limit).toMatchObject({ actionLimit: 3, actionName: 'generate', details: { actionLimit: 3 } });
    expect(parseApiError({ bodyText: '{"message":"cooldown","remainingSeconds":12}' }).remainingSeconds).toBe(12);
    expect(parseApiError({ bodyText: '{"details":{"remainingSeconds":"7"}}' }).remainingSeconds).toBe(7);
  });

  it('survives bodies that are not JSON, empty, or arrays, and never keeps HTML', () => {
    expect(parseApiError({ bodyText: 'upstream timeout' }).reason).toBe('upstream timeout');
    expect(parseApiError({ bodyText: '<html><body>502</body></html>' }).reason).toBeUndefined();
    expect(parseApiError({ bodyText: '' })).toEqual({});
    expect(parseApiError({ bodyText: '[1,2]' })).toEqual({});
    expect(parseApiError({ bodyText: '{"reason":42}' }).reason).toBeUndefined();
  });

  it('takes a trace id from headers when the body has none', () => {
    expect(parseApiError({ bodyText: '{}', headers: { 'x-request-id': 'h-1' } }).traceId).toBe('h-1');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, milliseconds and HTTP dates', () => {
    expect(parseRetryAfter({ 'retry-after': '3' }, 0)).toBe(3000);
    expect(parseRetryAfter({ 'retry-after-ms': '250', 'retry-after': '3' }, 0)).toBe(250);
    const now = Date.parse('2026-11-01T00:00:00Z');
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Nov 2026 00:00:05 GMT' }, now)).toBe(5000);
    expect(parseRetryAfter({ 'retry-after': 'Sun, 01 Nov 2026 00:00:00 GMT' }, now + 9000)).toBe(0);
    expect(parseRetryAfter({ 'retry-after': 'soon' }, 0)).toBeUndefined();
    expect(parseRetryAfter({}, 0)).toBeUndefined();
  });
});

describe('error mapping', () => {
  it.each([
    [400, 'invalid_input', false],
    [401, 'unauthorized', false],
    [403, 'forbidden', false],
    [404, 'invalid_input', false],
    [408, 'network', true],
    [422, 'invalid_input', false],
    [429, 'rate_limited', true],
    [500, 'server', true],
    [503, 'server', true],
  ])('maps %i to %s (retryable %s)', (status, code, retryable) => {
    expect(codeForStatus(status)).toBe(code);
    const err = apiErrorFromResponse({ status, method: 'GET', url: 'https://api.example/v1/jobs/job_1', bodyText: '' });
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
    expect(err.status).toBe(status);
  });

  it('carries reason, trace id, hints and the job id, and never a signed query string', () => {
    const err = apiErrorFromResponse({
      status: 429,
      method: 'GET',
      url: 'https://cdn.example/assets/a.mp4?Signature=SECRET&Key-Pair-Id=K',
      bodyText: JSON.stringify({ reason: 'slow down', trace_id: 'tr', remainingSeconds: 4 }),
      headers: { 'retry-after': '2' },
      jobId: 'job_9',
    });
    expect(err).toMatchObject({ reason: 'slow down', traceId: 'tr', jobId: 'job_9' });
    expect(err.details).toMatchObject({ remainingSeconds: 4, retryAfterMs: 2000 });
    expect(err.message).not.toContain('SECRET');
    expect(JSON.stringify(err)).not.toContain('SECRET');
    expect(describeUrl('https://h/p?x=1')).toBe('https://h/p');
  });
});
