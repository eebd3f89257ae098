import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenTypeSchema, type ParsedJwtProfile } from '../src/config/token-type-schema.js';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { LoginError } from '../src/errors/login-error.js';
import { createJwtProfileVerifier } from '../src/logon/jwt-profile-verifier.js';
import { rsaKeys, type RsaKeys } from './support/keys.js';
import { partnerPool } from './support/partner-pool.js';
import { recordSecret } from './support/secrets.js';

const issuer = 'https://sts.example/tenant-1/';
const audience = 'https://portal.example';
const clock = Date.now();
const nowSeconds = Math.floor(clock / 1000);
const year = 365 * 86_400;

let idp: RsaKeys;
let partner: PartnerDispatcher;
beforeAll(() => {
  idp = rsaKeys();
  partner = partnerPool();
});
afterAll(() => partner.close());

function profile(extra: Record<string, unknown> = {}): ParsedJwtProfile {
  return tokenTypeSchema.parse({ kind: 'jwt', issuer, audience, keys: [idp.publicPem], ...extra }) as ParsedJwtProfile;
}

/** A token with `iat` now and a one-hour lifetime unless `claims` says otherwise (`undefined` drops a claim). */
async function jwt(claims: Record<string, unknown> = {}): Promise<string> {
  const payload = Object.fromEntries(
    Object.entries({ iss: issuer, aud: audience, upn: 'Bob@Example.com', iat: nowSeconds, exp: nowSeconds + 3600, ...claims }).filter(([, value]) => value !== undefined),
  );
  return recordSecret(await new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: idp.kid }).sign(idp.privateKey));
}

/** The error code verifying `token` answers, or 'accepted'. */
async function outcome(token: string, extra: Record<string, unknown> = {}): Promise<string> {
  try {
    const verified = await createJwtProfileVerifier('profile', profile(extra), { now: () => clock, dispatcher: partner.dispatcher }).verify(token, 'default');
    expect(verified.identity.contactEmail).toBe('bob@example.com');
    return 'accepted';
  } catch (error) {
    expect(error).toBeInstanceOf(LoginError);
    return (error as LoginError).code;
  }
}

describe('createJwtProfileVerifier time checks', () => {
  it('accepts a normal one-hour token', async () => {
    expect(await outcome(await jwt())).toBe('accepted');
  });

  describe('iat', () => {
    it('refuses an iat five years in the future', async () => {
      const iat = nowSeconds + 5 * year;
      expect(await outcome(await jwt({ iat, exp: iat + 3600 }))).toBe('token_invalid');
    });

    it('refuses a token without iat', async () => {
      expect(await outcome(await jwt({ iat: undefined }))).toBe('token_invalid');
    });

    it('honours clockToleranceSeconds for an iat slightly ahead', async () => {
      expect(await outcome(await jwt({ iat: nowSeconds + 25 }))).toBe('accepted');
      expect(await outcome(await jwt({ iat: nowSeconds + 40 }))).toBe('token_invalid');
      expect(await outcome(await jwt({ iat: nowSeconds + 40 }), { clockToleranceSeconds: 60 })).toBe('accepted');
    });
  });

  describe('maxTokenAgeSeconds', () => {
    it('refuses exp = 1e300', async () => {
      expect(await outcome(await jwt({ exp: 1e300 }))).toBe('token_lifetime');
    });

    it('refuses a lifetime (exp - iat) over the maximum', async () => {
      expect(await outcome(await jwt({ exp: nowSeconds + 3601 }), { maxTokenAgeSeconds: 3600 })).toBe('token_lifetime');
      expect(await outcome(await jwt({ exp: nowSeconds + 3600 }), { maxTokenAgeSeconds: 3600 })).toBe('accepted');
    });

    it('refuses a token issued longer ago than the maximum', async () => {
      // Its exp is still ahead, so only the age (and with it the lifetime) gives it away.
      expect(await outcome(await jwt({ iat: nowSeconds - 2 * 86_400, exp: nowSeconds + 60 }))).toBe('token_lifetime');
    });

    it('still refuses an expired token', async () => {
      expect(await outcome(await jwt({ iat: nowSeconds - 120, exp: nowSeconds - 60 }))).toBe('token_lifetime');
    });

    it('is bounded: 1 s to 30 days', () => {
      expect(tokenTypeSchema.safeParse({ kind: 'jwt', issuer, audience, keys: [idp.publicPem], maxTokenAgeSeconds: 0 }).success).toBe(false);
      expect(tokenTypeSchema.safeParse({ kind: 'jwt', issuer, audience, keys: [idp.publicPem], maxTokenAgeSeconds: 30 * 86_400 + 1 }).success).toBe(false);
      expect(profile().maxTokenAgeSeconds).toBe(86_400);
    });
  });
});
