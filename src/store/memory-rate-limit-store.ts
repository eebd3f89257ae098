import type { Clock } from './clock.js';
import type { RateCounter, RateLimitStore } from './rate-limit-store.js';

/**
 * In-process {@link RateLimitStore}: fixed windows, at most `maxEntries` keys (the oldest window
 * is dropped first when an attacker sprays addresses).
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, { count: number; resetAt: number }>();
  readonly #now: Clock;
  readonly #maxEntries: number;

  constructor(options: { now: Clock; maxEntries: number }) {
    this.#now = options.now;
    this.#maxEntries = options.maxEntries;
  }

  async increment(key: string, windowMs: number): Promise<RateCounter> {
    const now = this.#now();
    const open = this.#counters.get(key);
    if (open !== undefined && open.resetAt > now) {
      open.count++;
      return { ...open };
    }
    if (open !== undefined) this.#counters.delete(key);
    if (this.#counters.size >= this.#maxEntries) this.#counters.delete(this.#counters.keys().next().value!);
    const counter = { count: 1, resetAt: now + windowMs };
    this.#counters.set(key, counter);
    return { ...counter };
  }

  async get(key: string): Promise<RateCounter | undefined> {
    const open = this.#counters.get(key);
    return open !== undefined && open.resetAt > this.#now() ? { ...open } : undefined;
  }

  async reset(key: string): Promise<void> {
    this.#counters.delete(key);
  }

  /** Drops every closed window now. */
  sweep(): void {
    const now = this.#now();
    for (const [key, counter] of this.#counters) if (counter.resetAt <= now) this.#counters.delete(key);
  }
}
