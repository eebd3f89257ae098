import { z } from 'zod';
import { identityPathsSchema, type IdentityFieldPaths } from './command-schema.js';
import { optionSchema } from './option-schema.js';
import { parseVerificationKey, type VerificationKey } from './verification-key.js';

/** Signature algorithms a signed token may use: asymmetric only, so a public key can never act as an HMAC secret. */
export const asymmetricAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'] as const;

/** The `ver` claim of signed sender tokens unless a type says otherwise (the vendor's `1.0`). */
export const senderTokenVersion = '1.0';

/** One asymmetric JWS algorithm. */
export type AsymmetricAlgorithm = (typeof asymmetricAlgorithms)[number];

/** API tokens the portal issued (`login.apiTokens.create`). */
export interface ApiTokenTypeDefinition {
  kind: 'apitoken';
}

/**
 * Signed sender tokens (the vendor's "InfoShareToken"): a compact JWS signed with the sender's
 * certificate key, carrying `ver`, `iat` (sender time), `exp`, `jti` and the contact.
 */
export interface SignedSenderTokenTypeDefinition {
  kind: 'signed-sender';
  /** The senders' X.509 certificates or public keys (PEM), or public JWKs, of RSA, EC or Ed25519 keys. Required. */
  keys: (string | Record<string, unknown>)[];
  /** Accepted algorithms. @default ['RS256', 'PS256', 'ES256', 'EdDSA'] */
  algorithms?: AsymmetricAlgorithm[];
  /** The `ver` claim expected. @default '1.0' */
  version?: string;
  /** Longest lifetime (`exp - iat`) accepted. @default 300 */
  maxLifetimeSeconds?: number;
  /** Where the contact sits in the payload. @default { contactId: 'ContactId', contactEmail: 'ContactEmail' } */
  identity?: IdentityFieldPaths;
  /**
   * Whether a token must name its tenant in `aud` (the tenant name, or an array containing it).
   * A token that has `aud` must always name the tenant it is presented to; this decides whether
   * a token without `aud` is refused. `false` is a configuration error when the keys serve more
   * than one tenant (a type in `logon.tokenTypes` with several tenants, or keys that another
   * tenant's signed-sender type trusts too): a token for one tenant would sign in at the others.
   * @default required when the keys serve more than one tenant, else not
   * @example `requireAudience: true` — every partner sends `aud: 'tenant-a'`
   */
  requireAudience?: boolean;
}

/** External JWTs, e.g. from an OpenID Connect provider; the token type is the profile id. */
export interface JwtProfileDefinition {
  kind: 'jwt';
  /** Accepted `iss`. Required. */
  issuer: string | string[];
  /** Accepted `aud`. Required. */
  audience: string | string[];
  /** JWKS document URL (https; http only for loopback): fetched, cached, refetched once on an unknown `kid` (with a cool-down). */
  jwksUrl?: string;
  /** Least time between two JWKS fetches (unknown `kid`s, refreshes, retries after a failure), at least 1000. @default 30000 */
  jwksCooldownMs?: number;
  /**
   * Deadline for one JWKS fetch (connect, headers and body), 100 to 60000. The fetch goes
   * through the partner connection pool, under `http.allowPrivateAddresses` and `http.lookup`.
   * @default 5000
   */
  jwksTimeoutMs?: number;
  /** Age after which the JWKS is fetched again (the old keys stay in use while that fails), from `jwksCooldownMs` up to 86400000 (24 h). @default 600000 */
  jwksMaxAgeMs?: number;
  /** Static public keys (PEM or JWK), instead of or besides `jwksUrl`. */
  keys?: (string | Record<string, unknown>)[];
  /** Accepted algorithms. @default ['RS256'] */
  algorithms?: AsymmetricAlgorithm[];
  /** Leeway for `exp`, `nbf` and `iat`, at most 60. @default 30 */
  clockToleranceSeconds?: number;
  /**
   * Oldest token accepted and longest lifetime: `iat` is required and may be at most this many
   * seconds ago (plus `clockToleranceSeconds`), and `exp - iat` may not exceed it. From 1 to
   * 2592000 (30 days). An `iat` in the future (beyond the tolerance) is always refused.
   * @default 86400
   * @example `maxTokenAgeSeconds: 3600` for an identity provider that issues one-hour tokens
   */
  maxTokenAgeSeconds?: number;
  /** The claim naming the user. @default 'upn' */
  userClaim?: string;
  /** Whether that claim holds an e-mail address or a contact id. @default 'email' */
  userClaimIs?: 'email' | 'contactId';
}

/** One token type. */
export type TokenTypeDefinition = ApiTokenTypeDefinition | SignedSenderTokenTypeDefinition | JwtProfileDefinition;

const keySchema = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((source, ctx): VerificationKey => {
  try {
    return parseVerificationKey(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

const algorithmsSchema = (fallback: AsymmetricAlgorithm[]) =>
  z
    .array(z.enum(asymmetricAlgorithms, { message: `must be one of ${asymmetricAlgorithms.join(', ')} (no "none", no HMAC)` }))
    .min(1)
    .default(fallback);

const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Validates an API token type ({@link ApiTokenTypeDefinition}). */
export const apiTokenTypeSchema = optionSchema<ApiTokenTypeDefinition>()(z.strictObject({ kind: z.literal('apitoken') }));

/** Validates a signed-sender type ({@link SignedSenderTokenTypeDefinition}); every default is written here, keys are parsed once. */
export const signedSenderTypeSchema = optionSchema<SignedSenderTokenTypeDefinition>()(
  z.strictObject({
    kind: z.literal('signed-sender'),
    keys: z.array(keySchema).min(1, 'needs at least one certificate or public key'),
    algorithms: algorithmsSchema(['RS256', 'PS256', 'ES256', 'EdDSA']),
    version: z.string().min(1).default(senderTokenVersion),
    maxLifetimeSeconds: z.number().int().positive().max(86_400).default(300),
    identity: identityPathsSchema,
    // No default here: it depends on how many tenants the keys serve (see shared-sender-keys.ts).
    requireAudience: z.boolean().optional(),
  }),
);

/** Validates a JWT profile ({@link JwtProfileDefinition}); every default is written here, keys are parsed once. */
export const jwtProfileSchema = optionSchema<JwtProfileDefinition>()(
  z
    .strictObject({
      kind: z.literal('jwt'),
      issuer: stringOrList,
      audience: stringOrList,
      jwksUrl: z
        .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
        .refine((url) => url.startsWith('https:') || !URL.canParse(url) || loopback.test(new URL(url).hostname), 'must use https (http only for loopback)')
        .optional(),
      jwksCooldownMs: z.number().int().min(1000).max(600_000).default(30_000),
      jwksTimeoutMs: z.number().int().min(100).max(60_000).default(5_000),
      jwksMaxAgeMs: z.number().int().min(1000).max(86_400_000).default(600_000),
      keys: z.array(keySchema).optional(),
      algorithms: algorithmsSchema(['RS256']),
      clockToleranceSeconds: z.number().int().min(0).max(60).default(30),
      maxTokenAgeSeconds: z.number().int().min(1).max(30 * 86_400).default(86_400),
      userClaim: z.string().min(1).default('upn'),
      userClaimIs: z.enum(['email', 'contactId']).default('email'),
    })
    .refine((profile) => profile.jwksUrl !== undefined || (profile.keys?.length ?? 0) > 0, {
      message: 'needs jwksUrl or keys',
      path: ['jwksUrl'],
    })
    // Refreshing more often than the cool-down allows would never happen.
    .refine((profile) => profile.jwksMaxAgeMs >= profile.jwksCooldownMs, {
      message: 'must not be shorter than jwksCooldownMs',
      path: ['jwksMaxAgeMs'],
    }),
);

/** Validates one token type definition, by its `kind`. */
export const tokenTypeSchema = z.discriminatedUnion('kind', [apiTokenTypeSchema, signedSenderTypeSchema, jwtProfileSchema]);

/** A validated token type. */
export type ParsedTokenType = z.output<typeof tokenTypeSchema>;
/** A validated signed-sender token type. */
export type ParsedSignedSenderType = Extract<ParsedTokenType, { kind: 'signed-sender' }>;
/** A validated JWT profile. */
export type ParsedJwtProfile = Extract<ParsedTokenType, { kind: 'jwt' }>;
