import type { AuditSink } from './audit/audit-event.js';
import type { CommandDefinition, CommandOption } from './config/command-schema.js';
import type { CommandExecutor, CommandName } from './executor/command-executor.js';
import type { HttpExecutorOptions } from './executor/http-executor.js';
import type { PlaceholderSource } from './request/placeholder-builder.js';
import type { RequestInfo } from './request/request-info.js';
import type { Clock } from './store/clock.js';
import type { Store } from './store/store.js';
import type { UserDirectoryOptions } from './users/user-directory.js';

/** Options of one tenant. */
export interface TenantOptions {
  /** Command definitions for this tenant; they win over the top-level `commands`. */
  commands?: Partial<Record<CommandName, CommandDefinition>>;
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
}

/** Brute-force limits, counted as failures in fixed windows in the store. */
export interface RateLimitOptions {
  /** Window length. @default 900000 (15 min) */
  windowMs?: number;
  /** Failed `authentication/token` calls per client address. @default 100 */
  tokenFailuresPerIp?: number;
  /** Failed `authentication/token` calls per username (and tenant). @default 10 */
  tokenFailuresPerUsername?: number;
  /** Failed bearer lookups per client address. @default 100 */
  bearerFailuresPerIp?: number;
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
  /** Receives one structured, token-free event per attempt (bearer: failures only). @default none */
  audit?: AuditSink;
  /**
   * Key of the hash that stands for tokens in audit events; give every instance the same key to
   * correlate events across instances. @default 32 random bytes per process
   */
  auditKey?: string;
  /** Time source, for tests. @default Date.now */
  now?: Clock;
}
