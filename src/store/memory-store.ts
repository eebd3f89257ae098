import { validateOptions } from '../config/validate-options.js';
import { memoryStoreOptionsSchema, type MemoryStoreOptions } from './memory-store-options.js';
import { MemoryApiTokenStore } from './memory-api-token-store.js';
import { MemoryLedger } from './memory-ledger.js';
import { MemoryRateLimitStore } from './memory-rate-limit-store.js';
import { MemorySessionStore } from './memory-session-store.js';
import type { SlicedSweep } from './sliced-sweep.js';
import type { Store } from './store.js';

/**
 * The embedded default store: everything in this process's memory, bounded and swept. Right
 * for one instance; use a shared store (Redis, PostgreSQL) when the portal runs on several.
 *
 * @example
 * ```ts
 * createLoginWithToken({ store: new MemoryStore({ maxSessions: 100_000 }), … });
 * ```
 */
export class MemoryStore implements Store {
  readonly ledger: MemoryLedger;
  readonly apiTokens: MemoryApiTokenStore;
  readonly sessions: MemorySessionStore;
  readonly rateLimits: MemoryRateLimitStore;
  readonly #timer: NodeJS.Timeout;
  readonly #sweepers: readonly SlicedSweep[];

  /** Checks `options` like the factory checks its own (an `OptionsError` names a bad one). */
  constructor(options: MemoryStoreOptions = {}) {
    const valid = validateOptions(memoryStoreOptionsSchema, options, 'MemoryStore');
    const now = valid.now;
    this.ledger = new MemoryLedger({ maxLedgerEntries: valid.maxLedgerEntries, now });
    this.apiTokens = new MemoryApiTokenStore({ now });
    this.sessions = new MemorySessionStore({ maxSessions: valid.maxSessions, now });
    this.rateLimits = new MemoryRateLimitStore({ maxRateLimitEntries: valid.maxRateLimitEntries, now });
    this.#sweepers = [this.ledger.sweeper, this.sessions.sweeper, this.apiTokens.sweeper, this.rateLimits.sweeper];
    // Each interval starts a sweep of every role, a few milliseconds per turn of the event loop,
    // so that a store of millions of entries never holds it for long.
    this.#timer = setInterval(() => this.#sweepers.forEach((sweeper) => sweeper.start()), valid.sweepIntervalMs).unref();
  }

  /** Drops every expired entry now, in one go: the time it takes grows with the store. */
  sweep(): void {
    for (const sweeper of this.#sweepers) sweeper.all();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    for (const sweeper of this.#sweepers) sweeper.stop();
  }
}
