import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { parseSigningKey } from '../config/signing-key.js';
import { OptionsError } from '../errors/options-error.js';
import type { AsymmetricAlgorithm } from '../config/token-type-schema.js';

/** What {@link signSenderToken} needs. */
export interface SignSenderTokenInput {
  /** The sender's private key (PEM or KeyObject) matching a certificate the portal trusts. Required. */
  privateKey: string | KeyObject;
  /** @default RS256 for RSA keys, ES256/ES384/ES512 for EC keys by curve, EdDSA for Ed25519/Ed448 */
  algorithm?: AsymmetricAlgorithm;
  /** The contact the token signs in (this or `contactEmail`). */
  contactId?: string;
  contactEmail?: string;
  /** Seconds until the token expires. @default 60 */
  lifetimeSeconds?: number;
  /**
   * The tenant name the token is for, sent as `aud`. Required by portals whose sender key serves
   * more than one tenant; a token with `aud` is refused at every other tenant.
   * @default none (no `aud` claim)
   * @example 'tenant-a'
   */
  audience?: string;
  /** The `ver` claim. @default '1.0' */
  version?: string;
  /** The sender's clock, milliseconds since the epoch. @default Date.now() */
  now?: number;
}

/**
 * Mints a signed sender token (the vendor's "InfoShareToken") as partners send it to
 * `LogonWithToken`: a compact JWS with `ver`, `iat`, `exp`, a random `jti`, the contact and,
 * with `audience`, the tenant as `aud`.
 *
 * @example
 * ```ts
 * const token = await signSenderToken({ privateKey: readFileSync('sender-key.pem', 'utf8'), contactEmail: 'alice@example.com', audience: 'tenant-a' });
 * ```
 */
export async function signSenderToken(input: SignSenderTokenInput): Promise<string> {
  if (input.contactId === undefined && input.contactEmail === undefined) {
    throw new OptionsError('signSenderToken', [{ code: 'LWT_MISSING_OPTION', path: 'contactId', message: 'contactId or contactEmail is required' }]);
  }
  if (input.audience !== undefined && (typeof input.audience !== 'string' || input.audience === '')) {
    throw new OptionsError('signSenderToken', [{ code: 'LWT_INVALID_OPTION', path: 'audience', message: 'must be a tenant name' }]);
  }
  const { key, algorithm } = signingKeyOf(input);
  const issuedAt = Math.floor((input.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({
    ver: input.version ?? '1.0',
    ...(input.contactId === undefined ? {} : { ContactId: input.contactId }),
    ...(input.contactEmail === undefined ? {} : { ContactEmail: input.contactEmail }),
  })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + (input.lifetimeSeconds ?? 60))
    .setJti(randomUUID());
  if (input.audience !== undefined) jwt.setAudience(input.audience);
  return jwt.sign(key);
}

/** The key and algorithm to sign with; a key that cannot sign (or that no verifier takes) is an `OptionsError` at `privateKey`. */
function signingKeyOf(input: SignSenderTokenInput): { key: KeyObject; algorithm: AsymmetricAlgorithm } {
  try {
    const key = typeof input.privateKey === 'string' ? createPrivateKey(input.privateKey) : input.privateKey;
    const algorithm = input.algorithm ?? defaultAlgorithm(key);
    return { key: parseSigningKey(key, algorithm), algorithm };
  } catch (error) {
    // OpenSSL's own messages are no help here, and say nothing the caller can act on.
    const message = error instanceof TypeError ? error.message : 'must be a PEM private key';
    throw new OptionsError('signSenderToken', [{ code: 'LWT_INVALID_OPTION', path: 'privateKey', message }]);
  }
}

function defaultAlgorithm(key: KeyObject): AsymmetricAlgorithm {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return ({ secp384r1: 'ES384', secp521r1: 'ES512' } as const)[key.asymmetricKeyDetails?.namedCurve as 'secp384r1'] ?? 'ES256';
    case 'ed25519':
    case 'ed448':
      return 'EdDSA';
    case 'rsa-pss':
      return 'PS256';
    default:
      return 'RS256';
  }
}
