import type { ApiTokenStore } from './api-token-store.js';
import type { OneTimeLedger } from './one-time-ledger.js';
import type { RateLimitStore } from './rate-limit-store.js';
import type { SessionStore } from './session-store.js';

/**
 * Everything the package keeps between requests, by role. The in-memory store is the embedded
 * default; instances of one portal share a Redis store.
 */
export interface Store {
  /** One-time token ledger: handoff tokens and signed sender tokens (replay protection). */
  readonly ledger: OneTimeLedger;
  /** API tokens issued by the portal. */
  readonly apiTokens: ApiTokenStore;
  /** Session tokens and LogonWithToken connections. */
  readonly sessions: SessionStore;
  /** Brute-force counters. */
  readonly rateLimits: RateLimitStore;
  /**
   * True when several instances share this store (Redis). The package then requires the settings
   * every instance must agree on (`hashKey`, and `logon.jwt.privateKey` when LogonWithToken is used).
   */
  readonly shared?: boolean;
  /** Stops timers and closes connections the store owns. */
  close(): Promise<void>;
}
