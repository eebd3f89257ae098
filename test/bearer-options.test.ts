import { describe, expect, it } from 'vitest';
import { bearerOptionsSchema, type BearerOptions } from '../src/bearer/bearer-options.js';
import { bearerChallenge } from '../src/bearer/bearer-challenge.js';
import { parseOptions } from '../src/options/parse-options.js';
import { expectOptionsError } from './support/options-error.js';

/** Parses `bearer` the way the factory does, so errors carry the full option path. */
const parse = (bearer: BearerOptions) => parseOptions({ resolveUser: () => null, bearer }).bearer;

describe('bearerOptionsSchema', () => {
  it('fills in every default', () => {
    expect(bearerOptionsSchema.parse({})).toEqual({
      realm: 'api',
      allowQueryToken: false,
      cacheTtlMs: 30_000,
      negativeCacheTtlMs: 0,
      cacheMaxEntries: 10_000,
      forwardUnknownUuids: false,
      jwtProfiles: [],
    });
  });

  it('refuses a profile listed twice in jwtProfiles', () => {
    expect(bearerOptionsSchema.safeParse({ jwtProfiles: ['entra', 'entra'] }).success).toBe(false);
    expect(bearerOptionsSchema.parse({ jwtProfiles: ['entra', 'keycloak'] }).jwtProfiles).toEqual(['entra', 'keycloak']);
  });

  it('accepts the bounds of each option', () => {
    const realm = `${'r'.repeat(63)}~`;
    expect(parse({ realm, cacheTtlMs: 3_600_000, negativeCacheTtlMs: 5_000, cacheMaxEntries: 10_000_000 })).toMatchObject({
      realm,
      cacheTtlMs: 3_600_000,
      negativeCacheTtlMs: 5_000,
      cacheMaxEntries: 10_000_000,
    });
    expect(parse({ realm: ' ', cacheTtlMs: 1, cacheMaxEntries: 1 })).toMatchObject({ realm: ' ', cacheTtlMs: 1, cacheMaxEntries: 1 });
  });

  // The realm is written into WWW-Authenticate verbatim: anything that could end the quoted
  // string or the header line is refused at start-up.
  it.each([
    ['a quote', 'api", error="invalid_token'],
    ['a backslash', 'api\\'],
    ['CR LF', 'api\r\nSet-Cookie: sid=x'],
    ['a tab', 'a\tb'],
    ['a non-ASCII letter', 'äpi'],
    ['nothing', ''],
    ['65 characters', 'r'.repeat(65)],
  ])('refuses a realm with %s', (_name, realm) => {
    expectOptionsError(() => parse({ realm }), { code: 'LWT_INVALID_OPTION', path: 'bearer.realm' });
  });

  it('keeps every accepted realm inside one quoted string of the challenge', () => {
    const realm = parse({ realm: "portal's api (v2) <test>" }).realm;
    expect(bearerChallenge(realm, 'invalid_token')).toBe(`Bearer realm="portal's api (v2) <test>", error="invalid_token"`);
  });

  it.each<[string, BearerOptions, string]>([
    ['a zero cacheTtlMs', { cacheTtlMs: 0 }, 'bearer.cacheTtlMs'],
    ['a cacheTtlMs over an hour', { cacheTtlMs: 3_600_001 }, 'bearer.cacheTtlMs'],
    ['a fractional cacheTtlMs', { cacheTtlMs: 1.5 }, 'bearer.cacheTtlMs'],
    ['a negative negativeCacheTtlMs', { negativeCacheTtlMs: -1 }, 'bearer.negativeCacheTtlMs'],
    ['a negativeCacheTtlMs over 5 s', { negativeCacheTtlMs: 5_001 }, 'bearer.negativeCacheTtlMs'],
    ['a zero cacheMaxEntries', { cacheMaxEntries: 0 }, 'bearer.cacheMaxEntries'],
    ['a cacheMaxEntries over ten million', { cacheMaxEntries: 10_000_001 }, 'bearer.cacheMaxEntries'],
    ['a string for allowQueryToken', { allowQueryToken: 'yes' as unknown as boolean }, 'bearer.allowQueryToken'],
    ['a number for forwardUnknownUuids', { forwardUnknownUuids: 1 as unknown as boolean }, 'bearer.forwardUnknownUuids'],
  ])('refuses %s', (_name, bearer, path) => {
    expectOptionsError(() => parse(bearer), { code: 'LWT_INVALID_OPTION', path });
  });

  it('refuses a misspelt option by its path', () => {
    expectOptionsError(() => parse({ cacheTTLMs: 1000 } as BearerOptions), { code: 'LWT_UNKNOWN_OPTION', path: 'bearer.cacheTTLMs' });
  });
});
