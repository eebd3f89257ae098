import { LoginError } from '../errors/login-error.js';
import type { Clock } from '../store/clock.js';
import type { RateLimitStore } from '../store/rate-limit-store.js';

/** A counter to watch and its limit within the window. */
export interface GuardedKey {
  readonly key: string;
  readonly limit: number;
}

/**
 * Brute-force protection: counts failures per key (client address, username hash) in fixed
 * windows and refuses with `rate_limited` (429, `Retry-After`) once a key reaches its limit.
 */
export class BruteForceGuard {
  readonly #store: RateLimitStore;
  readonly #windowMs: number;
  readonly #now: Clock;

  constructor(store: RateLimitStore, windowMs: number, now: Clock) {
    this.#store = store;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Throws `rate_limited` when any key has used up its failures. */
  async assertAllowed(keys: readonly GuardedKey[]): Promise<void> {
    const counters = await Promise.all(keys.map((guarded) => this.#store.get(guarded.key)));
    let resetAt = 0;
    counters.forEach((counter, index) => {
      if (counter !== undefined && counter.count >= keys[index]!.limit) resetAt = Math.max(resetAt, counter.resetAt);
    });
    if (resetAt > 0) throw this.#limited(resetAt);
  }

  /** Counts one failure for each key. */
  async recordFailure(keys: readonly GuardedKey[]): Promise<void> {
    await Promise.all(keys.map((guarded) => this.#store.increment(guarded.key, this.#windowMs)));
  }

  /** Forgets the failures of `key` (after a success). */
  async reset(key: string): Promise<void> {
    await this.#store.reset(key);
  }

  #limited(resetAt: number): LoginError {
    const seconds = Math.max(1, Math.ceil((resetAt - this.#now()) / 1000));
    return new LoginError('rate_limited', { reason: 'too many failures', headers: { 'retry-after': String(seconds) } });
  }
}
