import { z } from 'zod';
import { allowedHostSchema, hostAllowed } from './allowed-hosts.js';
import { maxCommandTimeoutMs } from './command-deadline.js';
import { discoveryUrlOf, endpointUrlSchema, issuerUrlProblem } from './endpoint-url.js';
import { optionSchema } from './option-schema.js';
import { scopeSchema } from './scope-schema.js';
import { durationMs } from './zod-helpers.js';

/** How the portal authenticates to an introspection endpoint (RFC 7662 §2.1 requires it). */
export type IntrospectionClientAuth =
  | {
      /** The portal's client id at the authorization server. */
      clientId: string;
      /** Its secret. */
      clientSecret: string;
      /** RFC 6749 §2.3.1: HTTP Basic (`client_secret_basic`) or form fields (`client_secret_post`). @default 'client_secret_basic' */
      method?: 'client_secret_basic' | 'client_secret_post';
    }
  | {
      /** A bearer token the server issued the portal for calling introspection. */
      bearerToken: string;
    };

/**
 * `ValidateBearer` as OAuth 2.0 Token Introspection (RFC 7662): the token is POSTed
 * form-encoded to the authorization server, which answers whether it is `active`.
 *
 * @example
 * ```ts
 * { kind: 'introspection', issuer: 'https://idp.example/realms/portal',
 *   clientAuth: { clientId: 'portal', clientSecret: process.env.INTROSPECTION_SECRET },
 *   requiredScopes: ['portal.api'], audience: 'portal' }
 * ```
 */
export interface IntrospectionCommandDefinition {
  kind: 'introspection';
  /** The introspection endpoint (https; http only for loopback). @default the `introspection_endpoint` of `issuer`'s discovery document */
  url?: string;
  /**
   * The authorization server's issuer: an answer naming another `iss` is refused, and without
   * `url` its OpenID Connect discovery document names the endpoint.
   * @default any issuer (then `url` is required)
   */
  issuer?: string;
  /** How the portal authenticates to the endpoint. Required. */
  clientAuth: IntrospectionClientAuth;
  /** `token_type_hint` sent with each token. @default 'access_token' */
  tokenTypeHint?: string;
  /** Scopes the token must grant (`scope` or `scp`), else 403 `insufficient_scope`. @default [] */
  requiredScopes?: string[];
  /** Accepted `aud`: when set, an answer whose `aud` names none of them — or has none — is refused. @default any audience */
  audience?: string | string[];
  /** The answer's field naming the user. @default 'sub' */
  userClaim?: string;
  /** Whether that field holds a contact id or an e-mail address. @default 'contactId' */
  userClaimIs?: 'email' | 'contactId';
  /** Leeway for the answer's `nbf`, at most 60 (`exp` is held strictly: no answer is used past it). @default 30 */
  clockToleranceSeconds?: number;
  /** Deadline for one introspection call. @default http.timeoutMs (5000) */
  timeoutMs?: number;
  /** Hosts the endpoint, and a discovered one, may be on; it narrows `http.allowedHosts`, which holds too. @default http.allowedHosts */
  allowedHosts?: string[];
}

/** An introspection command ready to run. */
export interface CompiledIntrospectionCommand {
  readonly kind: 'introspection';
  /** The configured endpoint, or undefined to take the discovered one. */
  readonly url: URL | undefined;
  readonly issuer: string | undefined;
  /** Where `issuer` publishes its metadata, when the endpoint is to be discovered. */
  readonly discoveryUrl: URL | undefined;
  /** Headers of every call: the form's content type, JSON accepted, client authentication. */
  readonly headers: Readonly<Record<string, string>>;
  /** The form fields of every call after `token`, encoded and each led by `&` (hint, `client_secret_post` credentials). */
  readonly formTail: string;
  readonly requiredScopes: readonly string[];
  readonly audience: readonly string[] | undefined;
  readonly userClaim: string;
  readonly userClaimIs: 'email' | 'contactId';
  readonly clockToleranceSeconds: number;
  readonly timeoutMs: number | undefined;
  readonly allowedHosts: readonly string[] | undefined;
  /** Introspection templates nothing: no placeholders. */
  readonly placeholders: readonly string[];
  /** Everything an answer is judged by, but secrets: part of the cache key, so no answer serves another policy. */
  readonly policy: string;
}

const clientAuthSchema = z.union([
  z.strictObject({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    method: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
  }),
  z.strictObject({ bearerToken: z.string().min(1) }),
]);

/** The fields of an introspection command ({@link IntrospectionCommandDefinition}), each default written here. */
export const introspectionCommandFieldsSchema = optionSchema<IntrospectionCommandDefinition>()(
  z.strictObject({
    kind: z.literal('introspection'),
    url: endpointUrlSchema.optional(),
    issuer: z.string().min(1).optional(),
    clientAuth: clientAuthSchema,
    tokenTypeHint: z.string().min(1).default('access_token'),
    requiredScopes: z.array(scopeSchema).default([]),
    audience: z.union([z.string().min(1).transform((one) => [one]), z.array(z.string().min(1)).min(1)]).optional(),
    userClaim: z.string().min(1).default('sub'),
    userClaimIs: z.enum(['email', 'contactId']).default('contactId'),
    clockToleranceSeconds: z.number().int().min(0).max(60).default(30),
    timeoutMs: durationMs(maxCommandTimeoutMs).optional(),
    allowedHosts: z.array(allowedHostSchema).optional(),
  }),
);

/** Validates an introspection command and prepares its fixed parts. */
export const introspectionCommandSchema = introspectionCommandFieldsSchema.transform((def, ctx): CompiledIntrospectionCommand => {
  if (def.url === undefined) {
    const problem = def.issuer === undefined ? 'is required unless issuer is set (for discovery)' : issuerUrlProblem(def.issuer);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: [def.issuer === undefined ? 'url' : 'issuer'], message: problem });
      return z.NEVER;
    }
  }
  const direct = def.url ?? (def.issuer === undefined ? undefined : discoveryUrlOf(def.issuer).href);
  if (def.allowedHosts !== undefined && direct !== undefined && !hostAllowed(direct, def.allowedHosts)) {
    ctx.addIssue({ code: 'custom', path: [def.url === undefined ? 'issuer' : 'url'], message: `host is not on allowedHosts (${def.allowedHosts.join(', ')})` });
    return z.NEVER;
  }
  const auth = def.clientAuth;
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const fields: [string, string][] = [['token_type_hint', def.tokenTypeHint]];
  if ('bearerToken' in auth) headers['authorization'] = `Bearer ${auth.bearerToken}`;
  else if (auth.method === 'client_secret_post') fields.push(['client_id', auth.clientId], ['client_secret', auth.clientSecret]);
  // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
  else headers['authorization'] = `Basic ${Buffer.from(`${formEncode(auth.clientId)}:${formEncode(auth.clientSecret)}`).toString('base64')}`;
  return {
    kind: 'introspection',
    url: def.url === undefined ? undefined : new URL(def.url),
    issuer: def.issuer,
    discoveryUrl: def.url === undefined ? discoveryUrlOf(def.issuer!) : undefined,
    headers,
    formTail: `&${new URLSearchParams(fields).toString()}`,
    requiredScopes: def.requiredScopes,
    audience: def.audience,
    userClaim: def.userClaim,
    userClaimIs: def.userClaimIs,
    clockToleranceSeconds: def.clockToleranceSeconds,
    timeoutMs: def.timeoutMs,
    allowedHosts: def.allowedHosts,
    placeholders: [],
    policy: JSON.stringify([
      def.url ?? null,
      def.issuer ?? null,
      'bearerToken' in auth ? 'bearer' : auth.clientId,
      def.requiredScopes,
      def.audience ?? null,
      def.userClaim,
      def.userClaimIs,
      def.clockToleranceSeconds,
    ]),
  };
});

function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}
