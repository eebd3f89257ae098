import { maxCommandTimeoutMs } from '../config/command-deadline.js';
import { LoginError } from '../errors/login-error.js';

/**
 * Bounds how many partner calls one client network may have under way at once on this
 * instance, so one client's burst cannot take the whole connection pool and starve everybody
 * else's sign-ins. Kept in process on purpose: what it protects — the pool and its
 * sockets — belongs to the instance. A call over the bound is refused at once with
 * `rate_limited` (429, `Retry-After: 1`), before anything is spent. A slot is held at most
 * `maxHoldMs`, even by a call that never settles (a custom executor ignoring its deadline).
 */
export class InFlightLimit {
  readonly #running = new Map<string, number>();
  readonly #max: number;
  readonly #maxHoldMs: number;

  /**
   * At most `rateLimits.partnerCallsInFlightPerIp` calls per network. No command's deadline is
   * longer than the default `maxHoldMs`, so only a call that ignores its deadline loses its slot early.
   */
  constructor(rateLimits: { readonly partnerCallsInFlightPerIp: number }, maxHoldMs = maxCommandTimeoutMs + 1000) {
    this.#max = rateLimits.partnerCallsInFlightPerIp;
    this.#maxHoldMs = maxHoldMs;
  }

  /** Runs `task` in one of `key`'s slots; throws `rate_limited` when all are taken. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key) ?? 0;
    if (running >= this.#max) {
      return Promise.reject(new LoginError('rate_limited', { reason: 'too many partner calls under way from this network', headers: { 'retry-after': '1' } }));
    }
    this.#running.set(key, running + 1);
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      clearTimeout(ceiling);
      const left = this.#running.get(key)! - 1;
      if (left === 0) this.#running.delete(key);
      else this.#running.set(key, left);
    };
    const ceiling = setTimeout(release, this.#maxHoldMs).unref();
    let result: Promise<T>;
    try {
      // An app's executor written in JavaScript may answer with a plain value.
      result = Promise.resolve(task());
    } catch (error) {
      release();
      return Promise.reject(error);
    }
    // Released once the task settles; the promise handed back is the task's own, unwrapped.
    result.then(release, release);
    return result;
  }
}
