import { z } from 'zod';
import { identityPathsSchema, type IdentityFieldPaths } from './command-schema.js';
import { discoveryUrlOf, endpointUrlSchema, issuerUrlProblem, providerDocumentDefaults } from './endpoint-url.js';
import { scopeSchema } from './scope-schema.js';
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
  /**
   * JWKS document URL (https; http only for loopback): fetched, cached, refetched once on an
   * unknown `kid` (with a cool-down).
   * @default the `jwks_uri` of the issuer's discovery document, when neither this nor `keys` is set
   */
  jwksUrl?: string;
  /**
   * The OpenID Connect discovery document naming `jwks_uri`, when it is not at
   * `{issuer}/.well-known/openid-configuration` (Entra ID v1 tokens, whose issuer is
   * `https://sts.windows.net/{tenant}/`). Its `issuer` must be one of `issuer`.
   * @default the issuer's own, `{issuer}/.well-known/openid-configuration` (with a single `issuer`)
   */
  discoveryUrl?: string;
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
  /** Scopes the token must grant (`scope` or `scp`, a space-separated string or a list); else 403 `insufficient_scope`. @default [] */
  requiredScopes?: string[];
  /**
   * Claims the token must carry with exactly these values (a list claim must contain the value),
   * e.g. `{ tid: '…' }` for one Entra ID directory or `{ azp: 'portal' }`.
   * @default {}
   */
  requiredClaims?: Record<string, string | number | boolean>;
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
      jwksUrl: endpointUrlSchema.optional(),
      discoveryUrl: endpointUrlSchema.optional(),
      jwksCooldownMs: z.number().int().min(1000).max(600_000).default(providerDocumentDefaults.cooldownMs),
      jwksTimeoutMs: z.number().int().min(100).max(60_000).default(providerDocumentDefaults.timeoutMs),
      jwksMaxAgeMs: z.number().int().min(1000).max(86_400_000).default(providerDocumentDefaults.maxAgeMs),
      keys: z.array(keySchema).optional(),
      algorithms: algorithmsSchema(['RS256']),
      clockToleranceSeconds: z.number().int().min(0).max(60).default(30),
      maxTokenAgeSeconds: z.number().int().min(1).max(30 * 86_400).default(86_400),
      userClaim: z.string().min(1).default('upn'),
      userClaimIs: z.enum(['email', 'contactId']).default('email'),
      requiredScopes: z.array(scopeSchema).default([]),
      requiredClaims: z.record(z.string().min(1), z.union([z.string(), z.number(), z.boolean()])).default({}),
    })
    .refine((profile) => profile.jwksUrl === undefined || profile.discoveryUrl === undefined, {
      message: 'set jwksUrl or discoveryUrl, not both',
      path: ['discoveryUrl'],
    })
    .superRefine((profile, ctx) => {
      if (profile.jwksUrl !== undefined || (profile.keys?.length ?? 0) > 0 || profile.discoveryUrl !== undefined) return;
      // Neither keys nor where to find them: they are discovered from the issuer.
      const problem = typeof profile.issuer === 'string' ? issuerUrlProblem(profile.issuer) : 'lists several issuers: set jwksUrl, discoveryUrl or keys';
      if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['issuer'], message: `${problem} (no jwksUrl or keys: the keys are discovered from the issuer)` });
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

/**
 * Where a JWT profile's keys are discovered: its `discoveryUrl`, or with neither `jwksUrl` nor
 * `keys`, its issuer's discovery document; undefined when the profile names its keys itself.
 */
export function keyDiscoveryUrl(profile: ParsedJwtProfile): URL | undefined {
  if (profile.discoveryUrl !== undefined) return new URL(profile.discoveryUrl);
  if (profile.jwksUrl !== undefined || (profile.keys?.length ?? 0) > 0) return undefined;
  // The schema refuses a profile without keys whose issuer is not one URL.
  return discoveryUrlOf(profile.issuer as string);
}

/** The issuers a JWT profile accepts, as a list (`issuer` takes one or several). */
export function profileIssuers(profile: ParsedJwtProfile): readonly string[] {
  return typeof profile.issuer === 'string' ? [profile.issuer] : profile.issuer;
}
