import { compactVerify } from 'jose';
import type { ParsedSignedSenderType } from '../config/token-type-schema.js';
import { storeKeys } from '../store/store-keys.js';
import { LoginError } from '../errors/login-error.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import type { Clock } from '../time/clock.js';
import { requireAllowedAlgorithm } from './algorithm-guard.js';
import type { TokenVerifier, VerifiedToken } from './token-verifier.js';

/** The sender's clock may differ from ours by at most this (the vendor's one minute). */
const maxSenderSkewMs = 60_000;

/** What {@link createSignedSenderVerifier} needs besides the type. */
export interface SignedSenderContext {
  readonly now: Clock;
  /**
   * Whether a token without `aud` is refused: the type's `requireAudience`, else whether its
   * keys serve more than one tenant (decided by the registry, see `senderKeyTenants`).
   */
  readonly requireAudience: boolean;
}

/**
 * Signed sender tokens (the vendor's "InfoShareToken"): a compact JWS whose payload carries
 * `ver`, `iat` (the sender's timestamp, seconds), `exp` (end of its lifetime), the contact and
 * optionally `aud`, the tenant it is for. Checked in this order, each with its own number:
 * algorithm on the allow-list (10064), signature by a configured certificate or key (10065),
 * version (10061), sender timestamp within ±60 s (10062), lifetime (10063), tenant (10376). Each
 * token is single-use within its validity window, across all tenants.
 */
export function createSignedSenderVerifier(type: ParsedSignedSenderType, context: SignedSenderContext): TokenVerifier {
  const { now, requireAudience } = context;
  const allowed = new Set<string>(type.algorithms);
  return {
    async verify(token: string, tenant: string): Promise<VerifiedToken> {
      requireAllowedAlgorithm(token, allowed, () => new LoginError('signature_invalid', { reason: 'not a compact JWS' }));
      const payload = await verifySignature(token, type, now());
      const claims = parseClaims(payload);
      if (claims.ver !== type.version) throw new LoginError('token_version', { reason: 'unexpected ver claim' });
      const at = now();
      if (typeof claims.iat !== 'number' || Math.abs(claims.iat * 1000 - at) > maxSenderSkewMs) {
        throw new LoginError('sender_clock_skew', { reason: 'iat is more than 60 s from the server clock' });
      }
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= at || claims.exp <= claims.iat) {
        throw new LoginError('token_lifetime', { reason: 'exp reached' });
      }
      if (claims.exp - claims.iat > type.maxLifetimeSeconds) {
        throw new LoginError('token_lifetime', { reason: `lifetime over ${type.maxLifetimeSeconds} s` });
      }
      requireTenant(claims.aud, tenant, requireAudience);
      const parsed = parseIdentityAnswer(claims, type.identity, 'signed-sender');
      if (parsed.kind !== 'identity') throw new LoginError('token_invalid', { reason: 'signed token names no valid contact' });
      return {
        identity: parsed.identity,
        // Keyed on what the signature covers: re-spelling the signature (unused base64url bits,
        // ECDSA's s → n−s) or presenting it to another tenant yields the same key.
        oneTime: { key: storeKeys.signedSender(signingInput(token)), rememberMs: claims.exp * 1000 - at + maxSenderSkewMs },
      };
    },
  };
}

/**
 * Binds the token to the tenant it is presented to, so that a sender key several tenants trust
 * cannot carry a token from one tenant to another.
 */
function requireTenant(aud: unknown, tenant: string, required: boolean): void {
  if (aud === undefined) {
    if (required) throw new LoginError('token_invalid', { reason: 'aud missing, and this token type requires it' });
    return;
  }
  const audiences = typeof aud === 'string' ? [aud] : aud;
  if (!Array.isArray(audiences) || !audiences.every((entry) => typeof entry === 'string')) {
    throw new LoginError('token_invalid', { reason: 'aud is not a string or an array of strings' });
  }
  if (!audiences.includes(tenant)) throw new LoginError('token_invalid', { reason: 'aud names another tenant' });
}

function signingInput(token: string): string {
  return token.slice(0, token.lastIndexOf('.'));
}

async function verifySignature(token: string, type: ParsedSignedSenderType, at: number): Promise<Uint8Array> {
  for (const candidate of type.keys) {
    if ((candidate.validFrom !== undefined && at < candidate.validFrom) || (candidate.validTo !== undefined && at > candidate.validTo)) continue;
    try {
      return (await compactVerify(token, candidate.key, { algorithms: type.algorithms })).payload;
    } catch {
      // Wrong key, wrong key type for the algorithm, or a bad signature: try the next key.
    }
  }
  throw new LoginError('signature_invalid', { reason: 'no configured key verifies the signature' });
}

function parseClaims(payload: Uint8Array): Record<string, unknown> & { ver?: unknown; iat?: unknown; exp?: unknown; aud?: unknown } {
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    throw new LoginError('token_invalid', { reason: 'payload is not JSON' });
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new LoginError('token_invalid', { reason: 'payload is not an object' });
  return claims as Record<string, unknown>;
}
