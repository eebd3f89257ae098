/** A fixed-window counter. */
export interface RateCounter {
  readonly count: number;
  /** When the window ends, milliseconds since the epoch. */
  readonly resetAt: number;
}

/** Counters for brute-force protection, by key (a client network or a keyed hash of a name). */
export interface RateLimitStore {
  /**
   * Adds `delta` to `key` in its current window and returns the result. A positive delta opens a
   * window of `windowMs` when none is open; a negative one never goes below zero or opens one.
   */
  add(key: string, delta: number, windowMs: number): Promise<RateCounter>;
  /** Clears `key`. */
  reset(key: string): Promise<void>;
}
