import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import type { KeyObject, webcrypto } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { keyDiscoveryUrl, profileIssuers, type ParsedJwtProfile } from '../config/token-type-schema.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import { describeFault } from '../errors/describe-fault.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { parseIdentityClaim } from '../identity/parse-identity.js';
import { createDiscovery, discoveredEndpoint } from '../oauth/discovery.js';
import { createJwksCache } from '../oauth/jwks-cache.js';
import { grantedScopes } from '../oauth/scopes.js';
import { systemClock, type Clock } from '../time/clock.js';
import { requireAllowedAlgorithm } from './algorithm-guard.js';
import type { TokenVerifier, VerifiedToken } from './token-verifier.js';

/** What {@link createJwtProfileVerifier} needs besides the profile. */
export interface JwtProfileDependencies {
  /** The verification clock (`exp`, `nbf`, `iat`). */
  readonly now: Clock;
  /** The partner dispatcher (`createPartnerDispatcher`) discovery documents and JWKS are fetched through. */
  readonly dispatcher: Dispatcher;
  /** `http.allowedHosts`, which a discovered `jwks_uri` must be on too. */
  readonly allowedHosts?: readonly string[] | undefined;
}

/**
 * External JWTs of one profile (e.g. an OpenID Connect provider), verified with jose:
 * issuer, audience, allowed algorithms, clock tolerance, token age and lifetime (both at most
 * `maxTokenAgeSeconds`, `iat` required and not in the future), required claims, and keys from
 * a JWKS URL, from the issuer's discovery document (see `createDiscovery`, `createJwksCache`)
 * or static keys. `jku`, `x5u` and embedded `jwk` headers are never used to find a key. The
 * user is named by `userClaim` (10244 when missing); the granted and required scopes are
 * returned for the caller to judge.
 */
export function createJwtProfileVerifier(profileId: string, profile: ParsedJwtProfile, deps: JwtProfileDependencies): TokenVerifier {
  const { now } = deps;
  const keySources: (KeyObject | JWTVerifyGetKey)[] = (profile.keys ?? []).map((entry) => entry.key);
  const remote = remoteKeys(profile, deps);
  if (remote !== undefined) keySources.push(remote);
  const allowed = new Set<string>(profile.algorithms);
  const requiredClaims = Object.entries(profile.requiredClaims);
  const options = {
    issuer: profile.issuer,
    audience: profile.audience,
    algorithms: profile.algorithms,
    clockTolerance: profile.clockToleranceSeconds,
    // jose then requires `iat`, refuses one older than this (plus the tolerance) as JWTExpired
    // and, only when this is set, one in the future (beyond the tolerance).
    maxTokenAge: profile.maxTokenAgeSeconds,
    // A token without an expiry would log on forever.
    requiredClaims: ['exp', 'iat'],
  };

  async function verifyWithAnyKey(token: string): Promise<JWTPayload> {
    let last: unknown;
    // jose reads the system clock itself; another clock (tests) is handed over as the current date.
    const at = now === systemClock ? options : { ...options, currentDate: new Date(now()) };
    for (const key of keySources) {
      try {
        const result = await verifyWith(token, key, at);
        requireLifetime(result.payload, profile.maxTokenAgeSeconds);
        return result.payload;
      } catch (error) {
        last = error;
        // Only a key mismatch lets the next key try; claim failures are final.
        if (!isKeyMismatch(error)) break;
      }
    }
    throw toLoginError(last);
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      requireAllowedAlgorithm(token, allowed, () => new LoginError('token_invalid', { reason: 'not a JWT' }));
      const payload = await verifyWithAnyKey(token);
      for (const [claim, value] of requiredClaims) {
        const actual = payload[claim];
        if (actual !== value && !(Array.isArray(actual) && actual.includes(value))) throw new LoginError('token_invalid', { reason: `claim ${claim} is not the required value` });
      }
      const parsed = parseIdentityClaim(payload[profile.userClaim], profile.userClaimIs, profileId);
      if (parsed.kind !== 'identity') {
        throw new LoginError('upn_claim_missing', { reason: `claim ${profile.userClaim} ${parsed.kind === 'none' ? 'missing' : parsed.reason}` });
      }
      return {
        identity: { ...parsed.identity, claims: payload },
        scopes: grantedScopes(payload),
        requiredScopes: profile.requiredScopes,
        expiresAt: payload.exp! * 1000,
      };
    },
    publicSettings: () => ({
      ProfileId: profileId,
      Issuer: profile.issuer,
      Audience: profile.audience,
      UpnClaimName: profile.userClaim,
      Algorithms: profile.algorithms,
      JwksUrl: profile.jwksUrl ?? null,
    }),
  };
}

/** The profile's remote key set: its `jwksUrl`, or the `jwks_uri` of its discovery document. */
function remoteKeys(profile: ParsedJwtProfile, deps: JwtProfileDependencies): JWTVerifyGetKey | undefined {
  // Fetch pacing is about the network, so it runs on real time, not the verification clock.
  const fetching = { now: systemClock, dispatcher: deps.dispatcher };
  if (profile.jwksUrl !== undefined) return createJwksCache(new URL(profile.jwksUrl), profile, fetching);
  const discoveryUrl = keyDiscoveryUrl(profile);
  if (discoveryUrl === undefined) return undefined;
  const issuers = profileIssuers(profile);
  const refresh = { cooldownMs: profile.jwksCooldownMs, maxAgeMs: profile.jwksMaxAgeMs };
  const discovery = createDiscovery(discoveryUrl, issuers, refresh, { ...fetching, allowedHosts: deps.allowedHosts, timeoutMs: profile.jwksTimeoutMs });
  return createJwksCache(async () => discoveredEndpoint(await discovery.current(), 'jwks_uri'), profile, fetching);
}

/**
 * Verifies with one key source. A key set holding several keys the token could name (no `kid`,
 * or a `kid` shared) hands back each candidate: the first that verifies wins, as jose advises.
 */
async function verifyWith(token: string, key: KeyObject | JWTVerifyGetKey, options: JWTVerifyOptions) {
  try {
    return typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const candidate of error as AsyncIterable<webcrypto.CryptoKey>) {
      try {
        return await jwtVerify(token, candidate, options);
      } catch (failure) {
        if (!(failure instanceof errors.JWSSignatureVerificationFailed)) throw failure;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function isKeyMismatch(error: unknown): boolean {
  return error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof TypeError;
}

/** jose checks `exp` and the age of `iat`, not how long the issuer made the token live. */
function requireLifetime(payload: JWTPayload, maxSeconds: number): void {
  // Both are numbers here: jose required them and checked their type.
  if (payload.exp! - payload.iat! > maxSeconds) throw new LoginError('token_lifetime', { reason: `lifetime (exp - iat) over ${maxSeconds} s` });
}

function toLoginError(error: unknown): LoginError {
  if (isLoginError(error)) return error;
  if (error instanceof errors.JWTExpired) {
    return new LoginError('token_lifetime', { reason: error.claim === 'iat' ? 'iat older than maxTokenAgeSeconds' : 'exp reached' });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new LoginError('hash_algorithm', { reason: 'algorithm not allowed' });
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new LoginError('signature_invalid', { reason: 'no key verifies the signature' });
  }
  if (error instanceof errors.JWTClaimValidationFailed) return new LoginError('token_invalid', { reason: `claim ${error.claim} ${error.reason}` });
  // The provider's key set is broken (a private key, a malformed set): its fault, not the token's.
  if (error instanceof errors.JWKSInvalid) return validatorUnavailable(`JWKS unusable: ${error.code}`);
  if (error instanceof errors.JOSEError) return new LoginError('token_invalid', { reason: error.code });
  return validatorUnavailable(`JWT verification failed: ${describeFault(error)}`);
}
