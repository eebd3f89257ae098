import { createPrivateKey, KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { parseSigningKey } from '../config/signing-key.js';
import { asymmetricAlgorithms, senderTokenVersion, type AsymmetricAlgorithm } from '../config/token-type-schema.js';
import { validateOptions } from '../config/validate-options.js';
import { OptionsError } from '../errors/options-error.js';

/** What {@link signSenderToken} needs. */
export interface SignSenderTokenInput {
  /** The sender's private key (PEM or KeyObject: RSA, EC or Ed25519) matching a certificate the portal trusts. Required. */
  privateKey: string | KeyObject;
  /** @default RS256 for RSA keys, ES256/ES384/ES512 for EC keys by curve, EdDSA for Ed25519 */
  algorithm?: AsymmetricAlgorithm;
  /** The contact the token signs in (this or `contactEmail`). */
  contactId?: string;
  /** The contact's e-mail address (this or `contactId`). */
  contactEmail?: string;
  /** Seconds until the token expires, at most 86400. @default 60 */
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

/** Validates {@link SignSenderTokenInput}; every default is written here. */
const signSenderTokenInputSchema = optionSchema<SignSenderTokenInput>()(
  z
    .strictObject({
      privateKey: z.union([z.string(), z.custom<KeyObject>((value) => value instanceof KeyObject)], { message: 'must be a PEM private key or a KeyObject' }),
      algorithm: z.enum(asymmetricAlgorithms).optional(),
      contactId: z.string().min(1).optional(),
      contactEmail: z.string().min(1).optional(),
      lifetimeSeconds: z.number().int().positive().max(86_400).default(60),
      audience: z.string().min(1, 'must be a tenant name').optional(),
      version: z.string().min(1).default(senderTokenVersion),
      now: z.number().int().nonnegative().optional(),
    })
    .refine((input) => input.contactId !== undefined || input.contactEmail !== undefined, { path: ['contactId'], message: 'contactId or contactEmail is required' }),
);

/**
 * Mints a signed sender token (the vendor's "InfoShareToken") as partners send it to
 * `LogonWithToken`: a compact JWS with `ver`, `iat`, `exp`, a random `jti`, the contact and,
 * with `audience`, the tenant as `aud`. Bad input is an `OptionsError` naming the field.
 *
 * @example
 * ```ts
 * const token = await signSenderToken({ privateKey: readFileSync('sender-key.pem', 'utf8'), contactEmail: 'alice@example.com', audience: 'tenant-a' });
 * ```
 */
export async function signSenderToken(input: SignSenderTokenInput): Promise<string> {
  const valid = validateOptions(signSenderTokenInputSchema, input, 'signSenderToken');
  const { key, algorithm } = signingKeyOf(valid);
  const issuedAt = Math.floor((valid.now ?? Date.now()) / 1000);
  const jwt = new SignJWT({
    ver: valid.version,
    ...(valid.contactId === undefined ? {} : { ContactId: valid.contactId }),
    ...(valid.contactEmail === undefined ? {} : { ContactEmail: valid.contactEmail }),
  })
    .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + valid.lifetimeSeconds)
    .setJti(randomUUID());
  if (valid.audience !== undefined) jwt.setAudience(valid.audience);
  return jwt.sign(key);
}

/** The key and algorithm to sign with; a key that cannot sign (or that no verifier takes) is an `OptionsError` at `privateKey`. */
function signingKeyOf(input: Pick<SignSenderTokenInput, 'privateKey' | 'algorithm'>): { key: KeyObject; algorithm: AsymmetricAlgorithm } {
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
      return 'EdDSA';
    default:
      return 'RS256';
  }
}
