import type { Clock } from './clock.js';
import type { RateCounter, RateLimitStore } from './rate-limit-store.js';

/** How many of the oldest counters are looked at for one worth dropping when the store is full. */
const evictionScan = 64;

/**
 * In-process {@link RateLimitStore}: fixed windows, at most `maxEntries` keys. When full, the
 * oldest counter with a single hit is dropped first, so spraying new names cannot push out the
 * counters that lock an attacker out.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #counters = new Map<string, { count: number; resetAt: number }>();
  readonly #now: Clock;
  readonly #maxEntries: number;

  constructor(options: { now: Clock; maxEntries: number }) {
    this.#now = options.now;
    this.#maxEntries = options.maxEntries;
  }

  async add(key: string, delta: number, windowMs: number): Promise<RateCounter> {
    const now = this.#now();
    let counter = this.#counters.get(key);
    if (counter !== undefined && counter.resetAt <= now) {
      this.#counters.delete(key);
      counter = undefined;
    }
    if (counter === undefined) {
      if (delta <= 0) return { count: 0, resetAt: now };
      this.#makeRoom(now);
      counter = { count: 0, resetAt: now + windowMs };
      this.#counters.set(key, counter);
    }
    counter.count = Math.max(0, counter.count + delta);
    return { ...counter };
  }

  async reset(key: string): Promise<void> {
    this.#counters.delete(key);
  }

  /** Drops every closed window now. */
  sweep(): void {
    const now = this.#now();
    for (const [key, counter] of this.#counters) if (counter.resetAt <= now) this.#counters.delete(key);
  }

  #makeRoom(now: number): void {
    if (this.#counters.size < this.#maxEntries) return;
    let scanned = 0;
    let oldest: string | undefined;
    for (const [key, counter] of this.#counters) {
      oldest ??= key;
      if (counter.resetAt <= now || counter.count <= 1) {
        this.#counters.delete(key);
        return;
      }
      if (++scanned >= evictionScan) break;
    }
    if (oldest !== undefined) this.#counters.delete(oldest);
  }
}
