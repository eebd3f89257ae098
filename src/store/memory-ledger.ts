import { LoginError } from '../errors/login-error.js';
import type { Clock } from '../time/clock.js';
import type { OneTimeLedger, Reservation } from './one-time-ledger.js';
import { digestShard, ShardedMap } from './sharded-map.js';
import { SlicedSweep, sweepMap } from './sliced-sweep.js';

/**
 * In-process {@link OneTimeLedger}. Used keys are kept with their expiry in whole seconds relative
 * to the ledger's start (small integers stay unboxed in V8), so every entry costs about one short
 * string and one map slot. Expired entries go in sweeps a slice at a time ({@link SlicedSweep}):
 * the store's interval starts one, and a full ledger runs a slice before it refuses.
 */
export class MemoryLedger implements OneTimeLedger {
  readonly shared = false;
  // Keys are digests (`storeKeys`); sharded, so that growing or shrinking never rebuilds a table of a million.
  readonly #used = new ShardedMap<number>(digestShard);
  readonly #reserved = new ShardedMap<{ id: string; until: number }>(digestShard);
  readonly #maxEntries: number;
  readonly #now: Clock;
  readonly #startMs: number;
  /** Drops expired entries a slice at a time; `MemoryStore` starts it on its interval. */
  readonly sweeper = new SlicedSweep(() => this.#sweepSteps());
  #nextId = 0;

  constructor(options: { maxLedgerEntries: number; now: Clock }) {
    this.#maxEntries = options.maxLedgerEntries;
    this.#now = options.now;
    this.#startMs = options.now();
  }

  /** Number of used and reserved keys currently held. */
  get size(): number {
    return this.#used.size + this.#reserved.size;
  }

  async reserve(key: string, holdMs: number): Promise<Reservation> {
    const now = this.#now();
    const usedUntil = this.#used.get(key);
    if (usedUntil !== undefined && usedUntil > this.#seconds(now)) return { status: 'used' };
    const held = this.#reserved.get(key);
    if (held !== undefined && held.until > now) return { status: 'in-use' };
    if (held === undefined && this.size >= this.#maxEntries) {
      this.sweeper.slice();
      if (this.size >= this.#maxEntries) throw new LoginError('store_unavailable', { reason: 'one-time ledger is full' });
    }
    const id = String(++this.#nextId);
    this.#reserved.set(key, { id, until: now + holdMs });
    return { status: 'reserved', id };
  }

  async consume(key: string, id: string, rememberMs: number): Promise<boolean> {
    const now = this.#now();
    const held = this.#reserved.get(key);
    if (held !== undefined && held.id !== id) return false;
    const usedUntil = this.#used.get(key);
    if (held === undefined && usedUntil !== undefined && usedUntil > this.#seconds(now)) return false;
    this.#reserved.delete(key);
    this.#used.set(key, Math.ceil(this.#seconds(now) + rememberMs / 1000));
    return true;
  }

  async release(key: string, id: string): Promise<void> {
    if (this.#reserved.get(key)?.id === id) this.#reserved.delete(key);
  }

  /** Drops every expired entry now, in one go. */
  sweep(): void {
    this.sweeper.all();
  }

  *#sweepSteps(): Generator<void, void, void> {
    yield* sweepMap(this.#used, this.#now, (until, now) => until <= this.#seconds(now));
    yield* sweepMap(this.#reserved, this.#now, (held, now) => held.until <= now);
  }

  #seconds(ms: number): number {
    return (ms - this.#startMs) / 1000;
  }
}
