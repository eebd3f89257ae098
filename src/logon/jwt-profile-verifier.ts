import { errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { KeyObject } from 'node:crypto';
import type { Dispatcher } from 'undici';
import type { ParsedJwtProfile } from '../config/token-type-schema.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import { describeFault } from '../errors/describe-fault.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { normalizeEmail } from '../identity/identity.js';
import { systemClock, type Clock } from '../time/clock.js';
import { createJwksCache } from './jwks-cache.js';
import { requireAllowedAlgorithm } from './algorithm-guard.js';
import type { TokenVerifier, VerifiedToken } from './token-verifier.js';

/** What {@link createJwtProfileVerifier} needs besides the profile. */
export interface JwtProfileDependencies {
  /** The verification clock (`exp`, `nbf`, `iat`). */
  readonly now: Clock;
  /** The partner dispatcher (`createPartnerDispatcher`) the JWKS is fetched through. */
  readonly dispatcher: Dispatcher;
}

/**
 * External JWTs of one profile (e.g. an OpenID Connect provider), verified with jose:
 * issuer, audience, allowed algorithms, clock tolerance, token age and lifetime (both at most
 * `maxTokenAgeSeconds`, `iat` required and not in the future), keys from a JWKS URL (see
 * `createJwksCache`) or static keys. `jku`, `x5u` and embedded `jwk`
 * headers are never used to find a key. The user is named by `userClaim` (10244 when missing).
 */
export function createJwtProfileVerifier(profileId: string, profile: ParsedJwtProfile, deps: JwtProfileDependencies): TokenVerifier {
  const { now } = deps;
  const remote =
    profile.jwksUrl === undefined
      ? undefined
      : // Fetch pacing is about the network, so it runs on real time, not the verification clock.
        createJwksCache(new URL(profile.jwksUrl), profile, { now: systemClock, dispatcher: deps.dispatcher });
  const keySources: (KeyObject | JWTVerifyGetKey)[] = [...(profile.keys ?? []).map((entry) => entry.key), ...(remote ? [remote] : [])];
  const allowed = new Set<string>(profile.algorithms);

  async function verifyWithAnyKey(token: string): Promise<JWTPayload> {
    let last: unknown;
    for (const key of keySources) {
      try {
        const options = {
          issuer: profile.issuer,
          audience: profile.audience,
          algorithms: profile.algorithms,
          clockTolerance: profile.clockToleranceSeconds,
          currentDate: new Date(now()),
          // jose then requires `iat`, refuses one older than this (plus the tolerance) as JWTExpired
          // and, only when this is set, one in the future (beyond the tolerance).
          maxTokenAge: profile.maxTokenAgeSeconds,
          // A token without an expiry would log on forever.
          requiredClaims: ['exp', 'iat'],
        };
        const result = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
        requireLifetime(result.payload, profile.maxTokenAgeSeconds);
        return result.payload;
      } catch (error) {
        last = error;
        // Only a key mismatch lets the next key try; claim failures are final.
        if (!(error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof TypeError)) break;
      }
    }
    throw toLoginError(last);
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      requireAllowedAlgorithm(token, allowed, () => new LoginError('token_invalid', { reason: 'not a JWT' }));
      const payload = await verifyWithAnyKey(token);
      const subject = payload[profile.userClaim];
      if (typeof subject !== 'string' || subject.trim() === '') {
        throw new LoginError('upn_claim_missing', { reason: `claim ${profile.userClaim} missing` });
      }
      return {
        identity: {
          ...(profile.userClaimIs === 'email' ? { contactEmail: normalizeEmail(subject) } : { contactId: subject.trim() }),
          tokenType: profileId,
          claims: payload,
        },
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
  if (error instanceof errors.JOSEError) return new LoginError('token_invalid', { reason: error.code });
  return validatorUnavailable(`JWT verification failed: ${describeFault(error)}`);
}
