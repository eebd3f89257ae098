/** A fixed-window counter. */
export interface RateCounter {
  readonly count: number;
  /** When the window ends, milliseconds since the epoch. */
  readonly resetAt: number;
}

/** Counters for brute-force protection, by key (client address or a username hash). */
export interface RateLimitStore {
  /** Adds one to `key` in its current window (a new window starts when none is open). */
  increment(key: string, windowMs: number): Promise<RateCounter>;
  /** The counter of `key`, undefined when no window is open. */
  get(key: string): Promise<RateCounter | undefined>;
  /** Clears `key`. */
  reset(key: string): Promise<void>;
}
