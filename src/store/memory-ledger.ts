import { LoginError } from '../errors/login-error.js';
import type { Clock } from '../time/clock.js';
import type { OneTimeLedger, Reservation } from './one-time-ledger.js';

/**
 * In-process {@link OneTimeLedger}. Used keys are kept with their expiry in whole seconds relative
 * to the ledger's start (small integers stay unboxed in V8), so every entry costs about one short
 * string and one map slot. Each reservation drops a few expired entries from the front (most
 * entries share one lifetime, so the oldest expire first); `sweep()` scans them all, since
 * signed sender tokens bring other lifetimes.
 */
export class MemoryLedger implements OneTimeLedger {
  readonly shared = false;
  readonly #used = new Map<string, number>();
  readonly #reserved = new Map<string, { id: string; until: number }>();
  readonly #maxEntries: number;
  readonly #now: Clock;
  readonly #startMs: number;
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
    this.#sweepUsed(now, 4);
    const usedUntil = this.#used.get(key);
    if (usedUntil !== undefined && usedUntil > this.#seconds(now)) return { status: 'used' };
    const held = this.#reserved.get(key);
    if (held !== undefined && held.until > now) return { status: 'in-use' };
    if (held === undefined && this.size >= this.#maxEntries) {
      this.sweep();
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
    this.#used.delete(key); // keep insertion order equal to expiry order
    this.#used.set(key, Math.ceil(this.#seconds(now) + rememberMs / 1000));
    return true;
  }

  async release(key: string, id: string): Promise<void> {
    if (this.#reserved.get(key)?.id === id) this.#reserved.delete(key);
  }

  /** Drops every expired entry now (it also happens a little on each reservation). */
  sweep(): void {
    const now = this.#now();
    const seconds = this.#seconds(now);
    for (const [key, until] of this.#used) if (until <= seconds) this.#used.delete(key);
    for (const [key, held] of this.#reserved) if (held.until <= now) this.#reserved.delete(key);
  }

  #sweepUsed(now: number, budget: number): void {
    const seconds = this.#seconds(now);
    for (const [key, until] of this.#used) {
      if (until > seconds || budget-- <= 0) return;
      this.#used.delete(key);
    }
  }

  #seconds(ms: number): number {
    return (ms - this.#startMs) / 1000;
  }
}
