import type { MaybePromise } from '../async/maybe-promise.js';

/** A fixed-window counter. */
export interface RateCounter {
  readonly count: number;
  /** When the window ends, milliseconds since the epoch. */
  readonly resetAt: number;
}

/** Counters for brute-force protection, by key (a client network or a keyed hash of a name). */
export interface RateLimitStore {
  /** True when every instance of the portal sees the same records (Redis, PostgreSQL); absent: this process only. */
  readonly shared?: boolean;
  /**
   * Adds `delta` to `key` in its current window and returns the result. A positive delta opens a
   * window of `windowMs` when none is open; a negative one never goes below zero or opens one.
   * `limit` is the key's limit: a store that drops counters to stay bounded must keep those at
   * their limit while any other can go (a shared store may ignore it). A store in process may
   * answer synchronously.
   */
  add(key: string, delta: number, windowMs: number, limit: number): MaybePromise<RateCounter>;
  /** Clears `key`. */
  reset(key: string): MaybePromise<void>;
}
