import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import type { OptionsErrorCode } from '../src/errors/options-error.js';
import { rateLimitOptionsSchema } from '../src/rate-limit/rate-limit-options.js';
import { expectOptionsError } from './support/options-error.js';

const parse = (input: unknown) => validateOptions(rateLimitOptionsSchema, input, 'login-with-token', ['rateLimits']);

describe('rateLimitOptionsSchema', () => {
  it('fills every default', () => {
    expect(parse({})).toEqual({
      windowMs: 900_000,
      tokenFailuresPerIp: 100,
      tokenFailuresPerUsername: 10,
      tokenFailuresPerUsernameTotal: 100,
      bearerFailuresPerIp: 100,
      handoffFailuresPerIp: 100,
      authenticationCodeFailuresPerTenant: 1000,
      partnerCallsInFlightPerIp: 8,
    });
  });

  it('keeps the values given, up to a 24-hour window and 10000 calls in flight', () => {
    const parsed = parse({ windowMs: 24 * 3600_000, tokenFailuresPerUsername: 3, partnerCallsInFlightPerIp: 10_000 });
    expect(parsed).toMatchObject({ windowMs: 86_400_000, tokenFailuresPerUsername: 3, partnerCallsInFlightPerIp: 10_000, tokenFailuresPerIp: 100 });
  });

  it.each<[string, Record<string, unknown>, OptionsErrorCode, string]>([
    ['a window longer than 24 hours', { windowMs: 24 * 3600_000 + 1 }, 'LWT_INVALID_OPTION', 'rateLimits.windowMs'],
    ['a zero window', { windowMs: 0 }, 'LWT_INVALID_OPTION', 'rateLimits.windowMs'],
    ['a fractional window', { windowMs: 1.5 }, 'LWT_INVALID_OPTION', 'rateLimits.windowMs'],
    ['a window given as a string', { windowMs: '900000' }, 'LWT_INVALID_OPTION', 'rateLimits.windowMs'],
    ['a zero limit, which would lock everybody out', { tokenFailuresPerIp: 0 }, 'LWT_INVALID_OPTION', 'rateLimits.tokenFailuresPerIp'],
    ['a negative limit', { bearerFailuresPerIp: -1 }, 'LWT_INVALID_OPTION', 'rateLimits.bearerFailuresPerIp'],
    ['an infinite limit', { tokenFailuresPerUsernameTotal: Infinity }, 'LWT_INVALID_OPTION', 'rateLimits.tokenFailuresPerUsernameTotal'],
    ['more than 10000 partner calls in flight', { partnerCallsInFlightPerIp: 10_001 }, 'LWT_INVALID_OPTION', 'rateLimits.partnerCallsInFlightPerIp'],
    ['a misspelt option', { tokenFailuresPerUser: 5 }, 'LWT_UNKNOWN_OPTION', 'rateLimits.tokenFailuresPerUser'],
  ])('refuses %s', (_name, input, code, path) => {
    expectOptionsError(() => parse(input), { code, path });
  });
});
