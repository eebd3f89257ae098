import type { MaybePromise } from '../async/maybe-promise.js';
import type { Clock } from '../time/clock.js';
import { evictOldest } from './evict-oldest.js';
import type { RateCounter, RateLimitStore } from './rate-limit-store.js';
import { SlicedSweep, sweepMap } from './sliced-sweep.js';

/** How many of the oldest open counters are looked at for a single-hit one when the store is full. */
const evictionScan = 64;

interface Counter {
  count: number;
  resetAt: number;
  limit: number;
}

/**
 * In-process {@link RateLimitStore}: fixed windows, at most `maxEntries` keys. When full, a
 * counter still below its limit makes room — the oldest single-hit one among the first few,
 * else the oldest — so spraying new names can never push out a counter that locks somebody
 * out. Locking counters may fill at most half the store (past that the oldest go), so a flood
 * of lockouts cannot leave ordinary counters no room to count in.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly shared = false;
  /** Counters below their limit, oldest first. */
  readonly #open = new Map<string, Counter>();
  /** Counters at or over their limit, oldest first. */
  readonly #locking = new Map<string, Counter>();
  readonly #now: Clock;
  readonly #maxEntries: number;
  /** Drops closed windows a slice at a time; `MemoryStore` starts it on its interval. */
  readonly sweeper = new SlicedSweep(() => this.#sweepSteps());

  constructor(options: { maxRateLimitEntries: number; now: Clock }) {
    this.#now = options.now;
    this.#maxEntries = options.maxRateLimitEntries;
  }

  /** Number of counters held, closed windows included. */
  get size(): number {
    return this.#open.size + this.#locking.size;
  }

  /** Counts synchronously: never a promise, though typed as the role's method so tests may stand in for it. */
  add(key: string, delta: number, windowMs: number, limit = Infinity): MaybePromise<RateCounter> {
    const now = this.#now();
    let counter = this.#open.get(key) ?? this.#locking.get(key);
    if (counter !== undefined && counter.resetAt <= now) {
      this.#delete(key);
      counter = undefined;
    }
    if (counter === undefined) {
      if (delta <= 0) return { count: 0, resetAt: now };
      this.#makeRoom(now);
      counter = { count: 0, resetAt: now + windowMs, limit };
    }
    counter.count = Math.max(0, counter.count + delta);
    counter.limit = limit;
    this.#file(key, counter);
    return { count: counter.count, resetAt: counter.resetAt };
  }

  reset(key: string): MaybePromise<void> {
    this.#delete(key);
  }

  /** Drops every closed window now, in one go. */
  sweep(): void {
    this.sweeper.all();
  }

  *#sweepSteps(): Generator<void, void, void> {
    for (const map of [this.#open, this.#locking]) yield* sweepMap(map, this.#now, closed);
  }

  /** Keeps `counter` in the map its count belongs to. */
  #file(key: string, counter: Counter): void {
    const locking = counter.count >= counter.limit;
    const [home, other] = locking ? [this.#locking, this.#open] : [this.#open, this.#locking];
    if (other.delete(key) || !home.has(key)) home.set(key, counter);
    // At most half the store: past that the oldest lockouts go, a batch at a time (`evictOldest`).
    if (locking) evictOldest(this.#locking, Math.floor(this.#maxEntries / 2) + 1);
  }

  #delete(key: string): void {
    if (!this.#open.delete(key)) this.#locking.delete(key);
  }

  #makeRoom(now: number): void {
    if (this.size < this.#maxEntries) return;
    const [oldestLock, lock] = this.#locking.entries().next().value ?? [];
    if (lock !== undefined && lock.resetAt <= now) {
      this.#locking.delete(oldestLock!);
      return;
    }
    let scanned = 0;
    for (const [key, counter] of this.#open) {
      if (counter.resetAt <= now || counter.count <= 1) {
        this.#open.delete(key);
        return;
      }
      if (++scanned >= evictionScan) break;
    }
    const oldest = this.#open.keys().next().value ?? this.#locking.keys().next().value;
    if (oldest !== undefined) this.#delete(oldest);
  }
}

function closed(counter: Counter, now: number): boolean {
  return counter.resetAt <= now;
}
