import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { parseSigningKey } from '../config/signing-key.js';
import { asymmetricAlgorithms, type AsymmetricAlgorithm } from '../config/token-type-schema.js';

/** Options `logon.jwt`: the portal's own connection JWTs (`JWTToken`). */
export interface ConnectionJwtOptions {
  /**
   * PEM private key that fits `algorithm`. Required when several instances share a store, and
   * for any algorithm but ES256; without it each process signs with a fresh ES256 key its
   * siblings cannot verify.
   * @default a fresh ES256 key per process
   */
  privateKey?: string;
  /** Signature algorithm (asymmetric only). @default 'ES256' */
  algorithm?: AsymmetricAlgorithm;
  /** `iss` claim; give every portal its own (e.g. its URL) when partners run this package too. @default 'login-with-token' */
  issuer?: string;
  /** Lifetime in seconds, at most 3600; never beyond the connection's. @default 300 */
  ttlSeconds?: number;
  /** `kid` header (1–128 visible ASCII characters). @default derived from the public key */
  keyId?: string;
}

/** Validates {@link ConnectionJwtOptions}; every default is written here. */
export const connectionJwtOptionsSchema = optionSchema<ConnectionJwtOptions>()(
  z
    .strictObject({
      privateKey: z.string().optional(),
      algorithm: z.enum(asymmetricAlgorithms).default('ES256'),
      issuer: z.string().min(1).default('login-with-token'),
      ttlSeconds: z.number().int().positive().max(3600).default(300),
      keyId: z.string().regex(/^[\x21-\x7e]{1,128}$/).optional(),
    })
    .superRefine((jwt, ctx) => {
      if (jwt.privateKey === undefined) {
        // The fresh per-process key is an ES256 key.
        if (jwt.algorithm !== 'ES256') ctx.addIssue({ code: 'custom', path: ['privateKey'], message: `is required for ${jwt.algorithm}` });
        return;
      }
      try {
        parseSigningKey(jwt.privateKey, jwt.algorithm);
      } catch (error) {
        ctx.addIssue({ code: 'custom', path: ['privateKey'], message: (error as Error).message });
      }
    }),
);

/** {@link ConnectionJwtOptions} after validation. */
export type ParsedConnectionJwtOptions = z.output<typeof connectionJwtOptionsSchema>;
