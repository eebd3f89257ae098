import { z } from 'zod';
import { optionSchema } from '../config/option-schema.js';
import { durationMs, functionSchema } from '../config/zod-helpers.js';
import { systemClock, type Clock } from '../time/clock.js';

/** Options of `new MemoryStore(…)`. */
export interface MemoryStoreOptions {
  /** Most one-time tokens remembered at once; past it new redemptions get `store_unavailable`. @default 1000000 */
  maxLedgerEntries?: number;
  /** Most session tokens and connections at once; past it new ones get `store_unavailable`. @default 1000000 */
  maxSessions?: number;
  /**
   * Most rate-limit counters held at once: when full, a counter below its limit makes room
   * (single hits first); lockouts fill at most half.
   * @default 100000
   */
  maxRateLimitEntries?: number;
  /**
   * How often a sweep of expired entries starts, at most every 24 hours. It runs in the
   * background, at most 4 ms per turn of the event loop.
   * @default 30000
   */
  sweepIntervalMs?: number;
  /** Time source, for tests. @default Date.now */
  now?: Clock;
}

const entries = () => z.number().int().positive().max(100_000_000);

/** Validates {@link MemoryStoreOptions}; every default is written here. */
export const memoryStoreOptionsSchema = optionSchema<MemoryStoreOptions>()(
  z.strictObject({
    maxLedgerEntries: entries().default(1_000_000),
    maxSessions: entries().default(1_000_000),
    maxRateLimitEntries: entries().default(100_000),
    sweepIntervalMs: durationMs(24 * 3600_000).default(30_000),
    now: functionSchema<Clock>().default(() => systemClock),
  }),
);
