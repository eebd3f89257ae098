import { isPromise, type MaybePromise } from '../async/maybe-promise.js';
import { LoginError } from '../errors/login-error.js';
import type { Clock } from '../time/clock.js';
import type { RateCounter, RateLimitStore } from '../store/rate-limit-store.js';

/**
 * A counter to watch, its limit within the window, and what a success does to it: `refund`
 * takes the attempt back (client addresses), `reset` clears the counter (a user's own failures).
 */
export interface GuardedKey {
  readonly key: string;
  readonly limit: number;
  readonly onSuccess: 'refund' | 'reset';
}

/** An attempt under way; tell the guard how it ended (synchronously when the store counts so). */
export interface GuardedAttempt {
  /** The attempt succeeded: refund or reset its counters. */
  succeeded(): MaybePromise<void>;
  /** The attempt could not be judged (an outage): take it back everywhere. */
  undecided(): MaybePromise<void>;
}

/**
 * Brute-force protection that holds under concurrency: every attempt is counted *before* the
 * expensive check, and one that takes a counter past its limit is refused with `rate_limited`
 * (429, `Retry-After`). Failures keep their count; successes and outages give it back.
 */
export class BruteForceGuard {
  readonly #store: RateLimitStore;
  readonly #windowMs: number;
  readonly #now: Clock;

  /** Counts in `store`, in fixed windows of `rateLimits.windowMs`. */
  constructor(store: RateLimitStore, rateLimits: { readonly windowMs: number }, now: Clock) {
    this.#store = store;
    this.#windowMs = rateLimits.windowMs;
    this.#now = now;
  }

  /**
   * Counts one attempt against each key; throws `rate_limited` when any is over its limit. When
   * the store fails on some keys, the others are given back and the store's error is thrown: an
   * attempt that was never judged leaves no count anywhere. With a store that counts
   * synchronously (the memory store) an attempt let through is answered at once, without a
   * promise; refusals and failures always come as a rejected promise.
   */
  attempt(keys: readonly GuardedKey[]): MaybePromise<GuardedAttempt> {
    const added: MaybePromise<Settled<RateCounter>>[] = [];
    let waiting = false;
    for (const guarded of keys) {
      const result = settle(() => this.#store.add(guarded.key, 1, this.#windowMs, guarded.limit));
      waiting ||= isPromise(result);
      added.push(result);
    }
    return waiting ? Promise.all(added).then((settled) => this.#judge(keys, settled)) : this.#judge(keys, added as Settled<RateCounter>[]);
  }

  #judge(keys: readonly GuardedKey[], added: readonly Settled<RateCounter>[]): MaybePromise<GuardedAttempt> {
    let resetAt = 0;
    for (let i = 0; i < keys.length; i++) {
      const result = added[i]!;
      if (result.status === 'rejected') {
        const counted = keys.filter((_guarded, index) => added[index]!.status === 'fulfilled');
        return Promise.allSettled(counted.map((guarded) => refund(this.#store, this.#windowMs, guarded))).then(() => Promise.reject(result.reason));
      }
      if (result.value.count > keys[i]!.limit) resetAt = Math.max(resetAt, result.value.resetAt);
    }
    if (resetAt > 0) {
      // A refused attempt was never judged: it may not count against the other keys (or one
      // network's lockout would spill into the name's total and lock its owner out everywhere).
      // The refusal stands even if a refund fails: the client is over a limit either way.
      return Promise.allSettled(keys.map((guarded) => refund(this.#store, this.#windowMs, guarded))).then(() => Promise.reject(this.#limited(resetAt)));
    }
    return new CountedAttempt(this.#store, this.#windowMs, keys);
  }

  #limited(resetAt: number): LoginError {
    const seconds = Math.max(1, Math.ceil((resetAt - this.#now()) / 1000));
    return new LoginError('rate_limited', { reason: 'too many failures', headers: { 'retry-after': String(seconds) } });
  }
}

/** An attempt let through: its counters, to give back as it ends. */
class CountedAttempt implements GuardedAttempt {
  readonly #store: RateLimitStore;
  readonly #windowMs: number;
  readonly #keys: readonly GuardedKey[];

  constructor(store: RateLimitStore, windowMs: number, keys: readonly GuardedKey[]) {
    this.#store = store;
    this.#windowMs = windowMs;
    this.#keys = keys;
  }

  succeeded(): MaybePromise<void> {
    return whenAll(this.#keys.map((guarded) => (guarded.onSuccess === 'reset' ? this.#store.reset(guarded.key) : refund(this.#store, this.#windowMs, guarded))));
  }

  undecided(): MaybePromise<void> {
    return whenAll(this.#keys.map((guarded) => refund(this.#store, this.#windowMs, guarded)));
  }
}

/** Takes one attempt back from `guarded`'s counter. */
function refund(store: RateLimitStore, windowMs: number, guarded: GuardedKey): MaybePromise<RateCounter> {
  return store.add(guarded.key, -1, windowMs, guarded.limit);
}

type Settled<T> = PromiseSettledResult<T>;

/** What `work` gives, as a settled result: now when it answers synchronously, else once it settles. */
function settle<T>(work: () => MaybePromise<T>): MaybePromise<Settled<T>> {
  let value: MaybePromise<T>;
  try {
    value = work();
  } catch (reason) {
    return { status: 'rejected', reason };
  }
  return isPromise(value)
    ? value.then(
        (fulfilled): Settled<T> => ({ status: 'fulfilled', value: fulfilled }),
        (reason: unknown): Settled<T> => ({ status: 'rejected', reason }),
      )
    : { status: 'fulfilled', value };
}

/** Done once every store call is: now when all answered synchronously, else a promise. */
function whenAll(calls: readonly MaybePromise<unknown>[]): MaybePromise<void> {
  return calls.some(isPromise) ? Promise.all(calls).then(() => undefined) : undefined;
}
