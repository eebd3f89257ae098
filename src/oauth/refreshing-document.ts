import { describeFault } from '../errors/describe-fault.js';
import { isLoginError } from '../errors/login-error.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Clock } from '../time/clock.js';

/** How often a {@link RefreshingDocument} may fetch. */
export interface RefreshSettings {
  /** Least time between two fetches, successful or not (also the back-off after a failure). */
  readonly cooldownMs: number;
  /** Age after which the document is fetched again; the old one stays in use while that fails. */
  readonly maxAgeMs: number;
}

/** A fetched document kept fresh: discovery metadata, a key set. */
export interface RefreshingDocument<T> {
  /**
   * The document, fetched first when there is none; one older than `maxAgeMs` is served while a
   * refresh runs in the background, so no request waits for a slow provider once one fetch worked.
   * @throws LoginError `validator_unavailable` while no fetch has ever succeeded.
   */
  current(): Promise<T>;
  /** Fetches now unless the cool-down forbids it; resolves true when a new document arrived. */
  refresh(): Promise<boolean>;
  /** Whether the last fetch failed: the document kept is then the last good one, maybe outdated. */
  readonly failing: boolean;
}

/**
 * Keeps one document fetched by `load`: at most one fetch at a time, at most one per
 * `cooldownMs` after the last one ended, whatever its outcome — so neither an outage, a slow
 * provider nor clients asking for unknown keys can make every request fetch — and the last
 * good document served while refreshing fails. Pacing is about the network, so `now` should be
 * real time.
 */
export function refreshingDocument<T>(what: string, load: () => Promise<T>, settings: RefreshSettings, now: Clock): RefreshingDocument<T> {
  let document: T | undefined;
  let fetchedAt = -Infinity;
  let attemptedAt = -Infinity;
  let inFlight: Promise<boolean> | undefined;
  // Why the last fetch failed (the reason of our own errors, else name and code), for the audit.
  let lastFault = 'not fetched yet';
  let failing = false;

  function refresh(): Promise<boolean> {
    if (inFlight) return inFlight;
    if (now() - attemptedAt < settings.cooldownMs) return Promise.resolve(false);
    attemptedAt = now();
    inFlight = load()
      .then((loaded) => {
        document = loaded;
        fetchedAt = now();
        failing = false;
        return true;
      })
      .catch((error: unknown) => {
        lastFault = isLoginError(error) && error.reason !== undefined ? error.reason : describeFault(error);
        failing = true;
        return false;
      })
      .finally(() => {
        inFlight = undefined;
        // The cool-down runs from the end of a fetch, so a provider slower than it is not asked back to back.
        attemptedAt = now();
      });
    return inFlight;
  }

  return {
    async current() {
      if (document === undefined) await refresh();
      else if (now() - fetchedAt > settings.maxAgeMs) void refresh();
      if (document === undefined) throw validatorUnavailable(`${what} unavailable: ${lastFault}`);
      return document;
    },
    refresh,
    get failing() {
      return failing;
    },
  };
}
