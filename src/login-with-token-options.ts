import type { AuditSink } from './audit/audit-event.js';
import type { CommandDefinition, CommandOption } from './config/command-schema.js';
import type { AsymmetricAlgorithm, TokenTypeDefinition } from './config/token-type-schema.js';
import type { CommandExecutor, CommandName } from './executor/command-executor.js';
import type { HttpExecutorOptions } from './executor/http-executor.js';
import type { AbsenceDecision, LicenceDecision, LogonContext, TooManySessionsPolicy, TwoStepDecision } from './logon/logon-policies.js';
import type { PlaceholderSource } from './request/placeholder-builder.js';
import type { RequestInfo } from './request/request-info.js';
import type { Clock } from './time/clock.js';
import type { Store } from './store/store.js';
import type { UserDirectoryOptions } from './users/user-directory.js';

/** Options of one tenant. */
export interface TenantOptions {
  /** Command definitions for this tenant; they win over the top-level `commands`. */
  commands?: Partial<Record<CommandName, CommandDefinition>>;
  /** LogonWithToken token types for this tenant; they win over `logon.tokenTypes`. */
  tokenTypes?: Record<string, TokenTypeDefinition>;
  /** Client ids allowed to call LogonWithToken for this tenant (10089 otherwise). @default logon.clientIds */
  clientIds?: string[];
  /** Whether this tenant's LogonWithToken clients must send a `clientId` (10089 otherwise). @default logon.requireClientId */
  requireClientId?: boolean;
  /** Partner origins that may frame this tenant's portal after an embedded handoff. @default embedding.frameAncestors */
  frameAncestors?: string[];
}

/** Options of the iframe (`noChrome`) handoff. */
export interface EmbeddingOptions {
  /**
   * Origins that may frame the signed-in portal after an embedded handoff, sent as
   * `Content-Security-Policy: frame-ancestors …` on its pages. Exact origins
   * (`https://partner.example`), `https://*.partner.example` or `'self'`; never `*`.
   * @default [] — nobody may frame it until you list the partners
   */
  frameAncestors?: string[];
  /**
   * Session cookie of embedded sessions. `sameSite: 'none'` without `secure` is refused at
   * start-up. @default { sameSite: 'none', secure: true, partitioned: true }
   */
  cookie?: { sameSite?: 'none' | 'lax' | 'strict'; secure?: boolean; partitioned?: boolean };
}

/** Settings of the portal's own connection JWTs (`JWTToken`). */
export interface ConnectionJwtOptions {
  /**
   * PEM private key. Required when several instances share a store; without it each process
   * signs with a fresh ES256 key its siblings cannot verify. @default a fresh ES256 key
   */
  privateKey?: string;
  /** Signature algorithm. @default 'ES256' */
  algorithm?: AsymmetricAlgorithm;
  /** `iss` claim. @default 'login-with-token' */
  issuer?: string;
  /** Lifetime; never beyond the connection's. @default 300 */
  ttlSeconds?: number;
  /** `kid` header. @default derived from the public key */
  keyId?: string;
}

/** Options of `Authentication/LogonWithToken` (seed 002). */
export interface LogonOptions<User> {
  /** Token types for every tenant, keyed by the `tokenType` string. @default {} (every type → 10060) */
  tokenTypes?: Record<string, TokenTypeDefinition>;
  /**
   * Client ids allowed to log on: a `clientId` not on the list is refused (10089). A request
   * without `clientId` is accepted (the seed makes it optional) unless `requireClientId`.
   * @default any
   */
  clientIds?: string[];
  /**
   * Refuse LogonWithToken requests that send no `clientId` (10089). Set it with `clientIds` to
   * make the list bind every request. @default false
   */
  requireClientId?: boolean;
  /** Addresses or CIDR blocks a user may log on from (10222 otherwise); undefined allows any. */
  allowedIps?: (user: User, context: LogonContext) => readonly string[] | undefined;
  /** Licence check: refuse (10056, 10057, 10100, 10285; see `LicenceRefusal`) or set the licence flags. @default concurrent licence */
  licence?: (user: User, context: LogonContext) => LicenceDecision | Promise<LicenceDecision>;
  /** Second factor: sets `IsVerificationCodeNeeded` and `PossibleTwoWayAuthenticationType`. @default 'None' */
  twoStepVerification?: (user: User, context: LogonContext) => TwoStepDecision | Promise<TwoStepDecision>;
  /**
   * The user's absence for the answer's `AbsenceInfo`: start and end dates, the deputy's user
   * id. Returning nothing means not absent. @default not absent
   */
  absence?: (user: User, context: LogonContext) => AbsenceDecision | null | undefined | Promise<AbsenceDecision | null | undefined>;
  /** Answer `Authentication/GetAllTenantNames` (the vendor's call lists every tenant to anybody). @default true */
  listTenantNames?: boolean;
  /**
   * Most open connections per user. Bounds what one user (or one stolen API token) can hold in
   * the store; see `onTooManySessions`. @default 100
   */
  maxSessionsPerUser?: number;
  /** At the maximum: refuse (10055) or end the oldest connection. @default 'refuse' */
  onTooManySessions?: TooManySessionsPolicy;
  /** Sliding idle timeout of a connection (`ConnectionTimeoutSeconds`). @default 600 */
  connectionTimeoutSeconds?: number;
  /** Absolute limit of a connection, however active. @default 43200 (12 h) */
  connectionMaxAgeSeconds?: number;
  /** The connection JWTs. */
  jwt?: ConnectionJwtOptions;
}

/** Options of the one-time `authToken` handoff (`{mount}/authentication/login`). */
export interface HandoffOptions {
  /**
   * How long a redeemed token is remembered as used. Partner tokens must expire sooner, or a
   * replay after this age relies on the partner's own single-use check. @default 600000 (10 min)
   */
  maxTokenAgeMs?: number;
  /** How long a redemption in progress holds its token before another request may try. @default 60000 */
  reservationMs?: number;
  /** Where users land when `returnTo` is missing or refused; a same-origin path. @default '/' */
  defaultReturnTo?: string;
}

/** Options of the session tokens issued by `POST {mount}/authentication/token`. */
export interface SessionTokenOptions {
  /** Absolute lifetime; no use extends it. @default 3600000 (1 hour) */
  ttlMs?: number;
  /** Most live session tokens per user; issuing one more ends the oldest. @default 100 */
  maxPerUser?: number;
}

/** Options of bearer authentication (RFC 6750). */
export interface BearerOptions {
  /** `realm` of the `WWW-Authenticate` challenge. @default 'api' */
  realm?: string;
  /** Accept `?access_token=` in the query (leaks into logs and history; avoid). @default false */
  allowQueryToken?: boolean;
  /** How long a partner's positive `ValidateBearer` answer is reused (never past its `exp`). @default 30000 */
  cacheTtlMs?: number;
  /** How long a rejection is reused, at most 5000. @default 0 (not cached) */
  negativeCacheTtlMs?: number;
  /** Most answers cached per process; the oldest goes first. @default 10000 */
  cacheMaxEntries?: number;
  /**
   * Send UUID-shaped tokens that are no live connection of ours to `ValidateBearer`, for partners
   * whose tokens are UUIDs. Off by default: an expired or another tenant's connection id would
   * reach the partner. @default false
   */
  forwardUnknownUuids?: boolean;
}

/** Brute-force limits, counted as failures in fixed windows in the store. */
export interface RateLimitOptions {
  /** Window length. @default 900000 (15 min) */
  windowMs?: number;
  /** Failed `authentication/token` and `LogonWithToken` calls per client address. @default 100 */
  tokenFailuresPerIp?: number;
  /** Failed `authentication/token` calls per username or identifier, from one client network. @default 10 */
  tokenFailuresPerUsername?: number;
  /** Failed `authentication/token` calls per username or identifier, from all networks. @default 100 */
  tokenFailuresPerUsernameTotal?: number;
  /** Failed bearer lookups per client address. @default 100 */
  bearerFailuresPerIp?: number;
  /** Rejected handoff tokens per client address. @default 100 */
  handoffFailuresPerIp?: number;
  /**
   * Failed `authentication/token` calls with an `authentication_code`, per tenant from all
   * networks together: codes are guessed by trying many, so no per-name counter can stop it.
   * Reaching it pauses code sign-ins of that tenant (not passwords) until the window ends. @default 1000
   */
  authenticationCodeFailuresPerTenant?: number;
  /**
   * Partner calls (handoff, credentials, `ValidateBearer`) one client network may have under
   * way at once on one instance; more are refused at once (429), so one client cannot take the
   * whole connection pool (`http.connections`). @default 8
   */
  partnerCallsInFlightPerIp?: number;
}

/**
 * Options of {@link createLoginWithToken}. Validated once, when the factory runs: a bad option
 * throws a `TypeError` naming its path.
 *
 * @example
 * ```ts
 * createLoginWithToken({
 *   commands: { LoginWithToken: { method: 'POST', url: 'https://partner.example/sso/validate',
 *     body: '{"token":"{authToken}","ip":"{ipAddress}"}' } },
 *   resolveUser: async ({ contactId, contactEmail }) => users.find(contactId, contactEmail),
 * });
 * ```
 */
export interface LoginWithTokenOptions<User> extends UserDirectoryOptions<User> {
  /**
   * Command definitions by name (`LoginWithToken`, …): an HTTP template, an in-process
   * `{ run }` function, or a function of the tenant returning either. @default {}
   */
  commands?: Partial<Record<CommandName, CommandOption>>;
  /** Tenants by name, with per-tenant options. @default one tenant called "default" */
  tenants?: Record<string, TenantOptions>;
  /** Picks the tenant of a browser or API request. Required with more than one tenant. */
  resolveTenant?: (request: RequestInfo) => string | undefined;
  /** Extra placeholders for templates, by name, computed from the request. @default {} */
  placeholders?: Record<string, PlaceholderSource>;
  /** Runs commands. @default HTTP templates via undici, `{ run }` functions in process */
  executor?: CommandExecutor;
  /** Settings of the default HTTP executor (ignored with a custom `executor`). */
  http?: HttpExecutorOptions;
  /** Where one-time tokens, sessions and rate-limit counters live. @default a new MemoryStore */
  store?: Store;
  /** The handoff's settings. */
  handoff?: HandoffOptions;
  /** Session tokens from `authentication/token`. */
  sessionTokens?: SessionTokenOptions;
  /** Bearer authentication. */
  bearer?: BearerOptions;
  /** Brute-force limits. */
  rateLimits?: RateLimitOptions;
  /** The iframe handoff: who may frame the portal, and its session cookie there. */
  embedding?: EmbeddingOptions;
  /** `Authentication/LogonWithToken`: token types, policies, connections. */
  logon?: LogonOptions<User>;
  /** Receives one structured, token-free event per attempt (bearer: failures only). @default none */
  audit?: AuditSink;
  /**
   * Key of the HMACs that stand for tokens in audit events and for usernames in rate-limit
   * counters (at least 16 characters). Give every instance the same key, so they count the same
   * names and their audit events correlate. @default 32 random bytes per process
   */
  hashKey?: string;
  /** Time source, for tests. @default Date.now */
  now?: Clock;
}
