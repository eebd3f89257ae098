import { describe, expect, it } from 'vitest';
import { asLoginError, isLoginError, LoginError } from '../src/errors/login-error.js';
// Another copy of the class: the built package, as a second version in one app would be. (A
// computed specifier, so the type check does not need dist/; \`npm test\` builds it first.)
const otherCopy = (await import(new URL('../dist/errors/login-error.js', import.meta.url).href)) as typeof import('../src/errors/login-error.js');

describe('LoginError', () => {
  it('carries the catalogue entry of its code, and keeps reason and cause off the message', () => {
    const cause = new Error('socket hang up');
    const error = new LoginError('validator_unavailable', { reason: 'partner answered 502', description: 'try later', headers: { 'retry-after': '5' }, cause });
    expect(error).toMatchObject({ name: 'LoginError', code: 'validator_unavailable', number: 10246, status: 503, reason: 'partner answered 502', description: 'try later' });
    expect(error.headers).toEqual({ 'retry-after': '5' });
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('The validation service is unavailable. Try again later.');
    expect(error.retryable).toBe(true);
    expect(new LoginError('rate_limited').retryable).toBe(true);
    expect(new LoginError('token_invalid').retryable).toBe(false);
  });

  it('is recognised across two copies of the package', () => {
    expect(otherCopy.LoginError).not.toBe(LoginError);
    const foreign = new otherCopy.LoginError('token_invalid');
    expect(foreign instanceof LoginError).toBe(true);
    expect(isLoginError(foreign)).toBe(true);
    expect(otherCopy.isLoginError(new LoginError('token_invalid'))).toBe(true);
    expect(asLoginError(foreign)).toBe(foreign);
  });

  it('is not fooled by look-alikes', () => {
    expect(isLoginError({ name: 'LoginError', code: 'token_invalid', status: 401 })).toBe(false);
    expect(isLoginError(new Error('token_invalid'))).toBe(false);
    expect(isLoginError(null)).toBe(false);
    expect(isLoginError('token_invalid')).toBe(false);
  });

  it('turns anything else thrown into store_unavailable, naming only its kind', () => {
    const fault = Object.assign(new Error('password=hunter2'), { code: 'ECONNRESET' });
    const error = asLoginError(fault);
    expect(error).toMatchObject({ code: 'store_unavailable', status: 503, reason: 'Error ECONNRESET' });
    expect(error.cause).toBe(fault);
    expect(asLoginError('text')).toMatchObject({ code: 'store_unavailable', reason: 'string' });
  });
});
