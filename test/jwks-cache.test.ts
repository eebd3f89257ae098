import { SignJWT, jwtVerify } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { jwksHostProblems } from '../src/config/jwks-hosts.js';
import { tokenTypeSchema, type ParsedJwtProfile } from '../src/config/token-type-schema.js';
import type { HttpOptions } from '../src/destination/http-options.js';
import type { PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import { partnerPool } from './support/partner-pool.js';
import { LoginError } from '../src/errors/login-error.js';
import { createJwksCache } from '../src/oauth/jwks-cache.js';
import { createJwtProfileVerifier } from '../src/logon/jwt-profile-verifier.js';
import { rsaKeys, type RsaKeys } from './support/keys.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

const issuer = 'https://sts.example/';
const audience = 'https://portal.example';

let idp: RsaKeys;
let jwks: PartnerServer;
let token: string;
const serveKeys = () => jwks.behave((received, res) => (received.url === '/keys' ? json(res, 200, { keys: [idp.jwk] }) : json(res, 404, {})));

beforeAll(async () => {
  idp = rsaKeys();
  jwks = await startPartnerServer();
  const now = Math.floor(Date.now() / 1000);
  token = recordSecret(
    await new SignJWT({ iss: issuer, aud: audience, upn: 'bob@example.com', iat: now, exp: now + 3600 })
      .setProtectedHeader({ alg: 'RS256', kid: idp.kid })
      .sign(idp.privateKey),
  );
});
afterAll(() => jwks.close());

let partner: PartnerDispatcher | undefined;
beforeEach(() => {
  jwks.received.length = 0;
  serveKeys();
});
afterEach(async () => {
  await partner?.close();
  partner = undefined;
});

/** A cache for `url` whose fetches go out under `policy`. */
function cacheFor(url: string, policy: HttpOptions = {}, timeoutMs = 2000) {
  partner = partnerPool(policy);
  return createJwksCache(new URL(url), { jwksCooldownMs: 1000, jwksMaxAgeMs: 600_000, jwksTimeoutMs: timeoutMs }, { now: Date.now, dispatcher: partner.dispatcher });
}

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  return error as LoginError;
}

describe('createJwksCache', () => {
  describe('destination policy', () => {
    it('does not contact a JWKS on loopback when private addresses are not allowed', async () => {
      const keys = cacheFor(`${jwks.origin}/keys`);
      expect((await failure(jwtVerify(token, keys, { issuer, audience }))).code).toBe('validator_unavailable');
      expect(jwks.received).toHaveLength(0);
    });

    it('fetches the JWKS when 127.0.0.0/8 is allowed', async () => {
      const keys = cacheFor(`${jwks.origin}/keys`, { allowPrivateAddresses: ['127.0.0.0/8'] });
      const { payload } = await jwtVerify(token, keys, { issuer, audience });
      expect(payload.upn).toBe('bob@example.com');
      expect(jwks.received).toHaveLength(1);
    });

    it('checks the address after DNS: a host name resolving to 10.0.0.1 is refused', async () => {
      const lookedUp: string[] = [];
      // Loopback is allowed, but this name "resolves" to a private address that is not.
      const lookup = async (hostname: string) => {
        lookedUp.push(hostname);
        return [{ address: '10.0.0.1' }];
      };
      const keys = cacheFor(`http://localhost:${new URL(jwks.origin).port}/keys`, { allowPrivateAddresses: ['127.0.0.0/8'], lookup });
      expect((await failure(jwtVerify(token, keys, { issuer, audience }))).code).toBe('validator_unavailable');
      expect(lookedUp).toEqual(['localhost']);
      expect(jwks.received).toHaveLength(0);
    });
  });

  describe('jwksTimeoutMs', () => {
    it('gives up on a JWKS that never answers after about the configured time', async () => {
      jwks.behave(() => undefined);
      partner = partnerPool({ allowPrivateAddresses: ['127.0.0.0/8'] });
      const profile = tokenTypeSchema.parse({ kind: 'jwt', issuer, audience, jwksUrl: `${jwks.origin}/keys`, jwksTimeoutMs: 300 }) as ParsedJwtProfile;
      const verifier = createJwtProfileVerifier('profile', profile, { now: Date.now, dispatcher: partner.dispatcher });
      const started = Date.now();
      expect((await failure(verifier.verify(token, 'default'))).code).toBe('validator_unavailable');
      // Generous: well under the 5 s default, so the option took effect.
      expect(Date.now() - started).toBeLessThan(4000);
      expect(jwks.received).toHaveLength(1);
    });

    it('is bounded, and jwksMaxAgeMs may not be shorter than jwksCooldownMs', () => {
      const base = { kind: 'jwt', issuer, audience, jwksUrl: 'https://idp.example/keys' };
      expect(tokenTypeSchema.safeParse({ ...base, jwksTimeoutMs: 99 }).success).toBe(false);
      expect(tokenTypeSchema.safeParse({ ...base, jwksTimeoutMs: 60_001 }).success).toBe(false);
      expect(tokenTypeSchema.safeParse({ ...base, jwksMaxAgeMs: 86_400_001 }).success).toBe(false);
      const short = tokenTypeSchema.safeParse({ ...base, jwksCooldownMs: 60_000, jwksMaxAgeMs: 30_000 });
      expect(short.success ? [] : short.error.issues.map((issue) => issue.path)).toEqual([['jwksMaxAgeMs']]);
      expect(tokenTypeSchema.parse(base)).toMatchObject({ jwksTimeoutMs: 5000, jwksMaxAgeMs: 600_000 });
    });
  });

  describe('when the key host fails', () => {
    const verifierFor = (settings: Record<string, unknown> = {}) => {
      partner = partnerPool({ allowPrivateAddresses: ['127.0.0.0/8'] });
      const profile = tokenTypeSchema.parse({ kind: 'jwt', issuer, audience, jwksUrl: `${jwks.origin}/keys`, jwksCooldownMs: 1000, jwksMaxAgeMs: 1000, jwksTimeoutMs: 2000, ...settings }) as ParsedJwtProfile;
      return createJwtProfileVerifier('profile', profile, { now: Date.now, dispatcher: partner.dispatcher });
    };
    const signedBy = async (keys: RsaKeys, withKid = true) => {
      const now = Math.floor(Date.now() / 1000);
      const jwt = new SignJWT({ iss: issuer, aud: audience, upn: 'bob@example.com', iat: now, exp: now + 3600 });
      return recordSecret(await jwt.setProtectedHeader(withKid ? { alg: 'RS256', kid: keys.kid } : { alg: 'RS256' }).sign(keys.privateKey));
    };

    it('answers 503, not 401, for a token signed with a key rotated in while the key set cannot be fetched', async () => {
      const verifier = verifierFor();
      await verifier.verify(token, 'default');
      jwks.behave((_received, res) => json(res, 503, {}));
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const rotated = await signedBy(rsaKeys());
      expect((await failure(verifier.verify(rotated, 'default'))).code).toBe('validator_unavailable');
      // Within the cool-down after that failure, still an outage, and no further fetch.
      const fetches = jwks.received.length;
      expect((await failure(verifier.verify(rotated, 'default'))).code).toBe('validator_unavailable');
      expect(jwks.received).toHaveLength(fetches);
      // While the key set is fetched fine, an unknown key is a bad signature.
      serveKeys();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await failure(verifier.verify(rotated, 'default'))).code).toBe('signature_invalid');
    });

    it('serves the keys it has at once while a stale key set is refetched from a host that hangs', async () => {
      const verifier = verifierFor({ jwksTimeoutMs: 1500 });
      await verifier.verify(token, 'default');
      jwks.behave(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const started = Date.now();
      await Promise.all(Array.from({ length: 10 }, () => verifier.verify(token, 'default')));
      // Generous: a request that waited for the hanging fetch would take its whole 1.5 s deadline.
      expect(Date.now() - started).toBeLessThan(1000);
      await vi.waitFor(() => expect(jwks.received).toHaveLength(2));
    });

    it('tries each key a token without kid could name, and accepts the one that verifies', async () => {
      const other = rsaKeys();
      jwks.behave((_received, res) => json(res, 200, { keys: [{ ...other.jwk, kid: undefined }, { ...idp.jwk, kid: undefined }] }));
      const verifier = verifierFor();
      const payload = await verifier.verify(await signedBy(idp, false), 'default');
      expect(payload.identity.contactEmail).toBe('bob@example.com');
      expect((await failure(verifier.verify(await signedBy(rsaKeys(), false), 'default'))).code).toBe('signature_invalid');
    });

    it('answers 503 when the key set publishes a private key: the provider is broken, the token is not shown to be forged', async () => {
      const leaked = rsaKeys();
      jwks.behave((_received, res) => json(res, 200, { keys: [{ ...leaked.privateKey.export({ format: 'jwk' }), kid: leaked.kid, alg: 'RS256' }] }));
      const verifier = verifierFor();
      expect((await failure(verifier.verify(await signedBy(leaked), 'default'))).code).toBe('validator_unavailable');
    });
  });

  describe('jwksHostProblems', () => {
    it('reports a jwksUrl whose host is not on http.allowedHosts', () => {
      const types = {
        listed: tokenTypeSchema.parse({ kind: 'jwt', issuer, audience, jwksUrl: 'https://login.idp.example/keys' }),
        unlisted: tokenTypeSchema.parse({ kind: 'jwt', issuer, audience, jwksUrl: 'https://attacker.example/keys' }),
      };
      expect(jwksHostProblems(types, ['*.idp.example'])).toEqual([{ path: ['unlisted', 'jwksUrl'], message: expect.stringContaining('http.allowedHosts') }]);
      expect(jwksHostProblems(types, undefined)).toEqual([]);
    });
  });
});
