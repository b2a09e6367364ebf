import { describe, expect, it } from 'vitest';
import { classifyTransportFailure } from './transport-failure.js';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('classifyTransportFailure', () => {
  it('a refused connection was never sent, so even a submit may be sent again', () => {
    const e = new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') });
    expect(classifyTransportFailure(e)).toEqual({ codes: ['ECONNREFUSED'], sent: false, timedOut: false });
  });

  it('a reset may have reached the server: ambiguous', () => {
    expect(classifyTransportFailure(new Error('x', { cause: withCode('ECONNRESET') })).sent).toBe(true);
    expect(classifyTransportFailure(new Error('no code')).sent).toBe(true);
  });

  it('reads nested AggregateErrors and axios timeouts', () => {
    const happyEyeballs = new AggregateError([withCode('ECONNREFUSED'), withCode('EHOSTUNREACH')]);
    expect(classifyTransportFailure(new Error('x', { cause: happyEyeballs })).sent).toBe(false);
    expect(classifyTransportFailure(withCode('ECONNABORTED'))).toMatchObject({ sent: true, timedOut: true });
  });

  it('survives a cause cycle', () => {
    const a: Error & { cause?: unknown } = withCode('ECONNRESET');
    a.cause = a;
    expect(classifyTransportFailure(a).codes).toEqual(['ECONNRESET']);
  });
});
