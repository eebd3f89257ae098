import { systemClock, type Clock } from '../time/clock.js';
import { MemoryApiTokenStore } from './memory-api-token-store.js';
import { MemoryLedger } from './memory-ledger.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { MemorySessionStore } from './memory-session-store.js';
import type { Store } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most one-time tokens remembered at once; past it new redemptions get `store_unavailable`. @default 1_000_000 */
  maxLedgerEntries?: number;
  /** Most session tokens and connections at once; past it new ones get `store_unavailable`. @default 1_000_000 */
  maxSessions?: number;
  /** Most rate-limit counters held at once (counters below their limit make room first; lockouts fill at most half). @default 100_000 */
  maxRateLimitEntries?: number;
  /** How often expired entries are swept. @default 30000 */
  sweepIntervalMs?: number;
  /** Time source, for tests. @default Date.now */
  now?: Clock;
}

/**
 * The embedded default store: everything in this process's memory, bounded and swept. Right
 * for one instance; use a shared store (Redis) when the portal runs on several.
 */
export class MemoryStore implements Store {
  readonly ledger: MemoryLedger;
  readonly apiTokens: MemoryApiTokenStore;
  readonly sessions: MemorySessionStore;
  readonly rateLimits: MemoryRateLimitStore;
  readonly #timer: NodeJS.Timeout;

  constructor(options: MemoryStoreOptions = {}) {
    const now = options.now ?? systemClock;
    this.ledger = new MemoryLedger({ maxEntries: options.maxLedgerEntries ?? 1_000_000, now });
    this.apiTokens = new MemoryApiTokenStore({ now });
    this.sessions = new MemorySessionStore({ now, maxEntries: options.maxSessions ?? 1_000_000 });
    this.rateLimits = new MemoryRateLimitStore({ now, maxEntries: options.maxRateLimitEntries ?? 100_000 });
    this.#timer = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000).unref();
  }

  /** Drops every expired entry now. */
  sweep(): void {
    this.ledger.sweep();
    this.sessions.sweep();
    this.apiTokens.sweep();
    this.rateLimits.sweep();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
  }
}
