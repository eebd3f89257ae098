import { describe, expect, it } from 'vitest';
import { sessionTokenOptionsSchema } from '../src/credentials/session-token-options.js';
import { parseOptions } from '../src/options/parse-options.js';
import { expectOptionsError } from './support/options-error.js';

const withSessionTokens = (sessionTokens: unknown) => () => parseOptions({ resolveUser: () => null, sessionTokens } as never);

describe('sessionTokenOptionsSchema', () => {
  it('fills in one hour and 100 tokens per user', () => {
    expect(sessionTokenOptionsSchema.parse({})).toEqual({ ttlMs: 3_600_000, maxPerUser: 100 });
    expect(parseOptions({ resolveUser: () => null }).sessionTokens).toEqual({ ttlMs: 3_600_000, maxPerUser: 100 });
  });

  it('accepts the largest values: 30 days and 100000 tokens', () => {
    expect(sessionTokenOptionsSchema.parse({ ttlMs: 30 * 24 * 3600_000, maxPerUser: 100_000 })).toEqual({ ttlMs: 30 * 24 * 3600_000, maxPerUser: 100_000 });
  });

  it.each([
    ['longer than 30 days', 30 * 24 * 3600_000 + 1],
    ['zero', 0],
    ['negative', -1],
    ['a fraction of a millisecond', 1.5],
    ['a string', '3600000'],
    ['infinite', Infinity],
  ])('refuses a ttlMs that is %s', (_name, ttlMs) => {
    expectOptionsError(withSessionTokens({ ttlMs }), { code: 'LWT_INVALID_OPTION', path: 'sessionTokens.ttlMs' });
  });

  it.each([
    ['over 100000', 100_001],
    ['zero', 0],
    ['not whole', 2.5],
    ['null', null],
  ])('refuses a maxPerUser that is %s', (_name, maxPerUser) => {
    expectOptionsError(withSessionTokens({ maxPerUser }), { code: 'LWT_INVALID_OPTION', path: 'sessionTokens.maxPerUser' });
  });

  it('names a misspelt option as unknown rather than ignoring it', () => {
    expectOptionsError(withSessionTokens({ ttl: 60_000 }), { code: 'LWT_UNKNOWN_OPTION', path: 'sessionTokens.ttl' });
    expectOptionsError(withSessionTokens({ maxPerUsers: 5 }), { code: 'LWT_UNKNOWN_OPTION', path: 'sessionTokens.maxPerUsers' });
  });
});
