import { describe, expect, it } from 'vitest';
import { isLoginError } from '../src/errors/login-error.js';
import { validatorUnavailable } from '../src/executor/validator-unavailable.js';

describe('validatorUnavailable', () => {
  it('is a retryable validator_unavailable LoginError whose reason stays out of the public message', () => {
    const error = validatorUnavailable('partner answered 502');
    expect(isLoginError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'validator_unavailable', status: 503, reason: 'partner answered 502', headers: {} });
    expect(error.retryable).toBe(true);
    expect(error.message).not.toContain('502');
  });

  it('carries Retry-After in seconds when one is known', () => {
    expect(validatorUnavailable('partner answered 429', { retryAfterSeconds: 30 }).headers).toEqual({ 'retry-after': '30' });
  });

  it('keeps the underlying fault as its cause, and has none otherwise', () => {
    const fault = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(validatorUnavailable('partner request failed', { cause: fault }).cause).toBe(fault);
    expect('cause' in validatorUnavailable('partner request failed')).toBe(false);
  });

  it('builds a fresh headers object each time, so one answer cannot change another', () => {
    const first = validatorUnavailable('a');
    first.headers['retry-after'] = '5';
    expect(validatorUnavailable('b').headers).toEqual({});
  });
});
