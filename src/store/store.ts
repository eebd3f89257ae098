import type { ApiTokenStore } from './api-token-store.js';
import type { OneTimeLedger } from './one-time-ledger.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { SessionStore } from './session-store.js';

/** The four roles a store plays; each may come from a different store (see {@link ComposedStore}). */
export interface StoreRoles {
  /** One-time token ledger: handoff tokens and signed sender tokens (replay protection). */
  readonly ledger: OneTimeLedger;
  /** API tokens issued by the portal. */
  readonly apiTokens: ApiTokenStore;
  /** Session tokens and LogonWithToken connections. */
  readonly sessions: SessionStore;
  /** Brute-force counters. */
  readonly rateLimits: RateLimitStore;
}

/**
 * Everything the package keeps between requests, by role. The in-memory store is the embedded
 * default; instances of one portal share a Redis or PostgreSQL store.
 */
export interface Store extends StoreRoles {
  /**
   * True when several instances share this store, for roles that do not say so themselves. The
   * package then requires the settings every instance must agree on (`hashKey`, and
   * `logon.jwt.privateKey` when LogonWithToken is used).
   */
  readonly shared?: boolean;
  /** Stops timers and closes connections the store owns. */
  close(): Promise<void>;
}

/**
 * The `store` option put together from roles of different stores, e.g. API tokens and sessions
 * in PostgreSQL, the ledger and counters in Redis. The app closes the stores it took them from.
 *
 * @example
 * ```ts
 * store: { ledger: redis.ledger, rateLimits: redis.rateLimits, sessions: postgres.sessions, apiTokens: postgres.apiTokens }
 * ```
 */
export interface ComposedStore extends StoreRoles {
  /**
   * Roles deliberately kept in each instance's memory while the others are shared, e.g.
   * `['rateLimits']` (each instance then counts on its own). Any other instance-local role mixed
   * with shared ones is refused at start-up.
   * @default []
   */
  readonly instanceLocal?: readonly StoreRole[];
}

/** A role's name. */
export type StoreRole = keyof StoreRoles;
