import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Dispatcher } from 'undici';
import { describeFault } from '../errors/describe-fault.js';
import { readCappedBody } from '../executor/read-capped-body.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Clock } from '../time/clock.js';

/** What {@link createJwksCache} reads of a JWT profile. */
export interface JwksSettings {
  /** Least time between two fetches, successful or not (also the back-off after a failure). */
  readonly jwksCooldownMs: number;
  /** Age after which the keys are refreshed; the old ones stay in use while refreshing fails. */
  readonly jwksMaxAgeMs: number;
  /** Deadline for one fetch: connect, headers and body. */
  readonly jwksTimeoutMs: number;
}

/** Where {@link createJwksCache} fetches from, and its clock. */
export interface JwksCacheDependencies {
  readonly now: Clock;
  /**
   * Where the fetch goes out: the partner dispatcher (`createPartnerDispatcher`), so the JWKS
   * host is held to the same destination policy as the partners' validation calls.
   */
  readonly dispatcher: Dispatcher;
}

const maxJwksBytes = 1024 * 1024;

/**
 * A JWKS key resolver for jose: fetches the document (through `dispatcher`, no redirects,
 * size-capped, time-boxed), keeps the keys, refetches once for an unknown `kid` — at most every `jwksCooldownMs`,
 * whatever the outcome, so neither unknown keys nor an outage can make every request fetch — and
 * keeps serving the last good keys while a refresh fails. With no keys at all it answers
 * `validator_unavailable`.
 */
export function createJwksCache(url: URL, profile: JwksSettings, dependencies: JwksCacheDependencies): JWTVerifyGetKey {
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedAt = -Infinity;
  let attemptedAt = -Infinity;
  let inFlight: Promise<boolean> | undefined;
  // Why the last fetch failed (name and code only), for the audit reason.
  let lastFault = 'not fetched yet';

  /** Fetches when the cool-down allows; resolves true when new keys arrived. */
  function refresh(): Promise<boolean> {
    if (inFlight) return inFlight;
    if (dependencies.now() - attemptedAt < profile.jwksCooldownMs) return Promise.resolve(false);
    attemptedAt = dependencies.now();
    inFlight = fetchJwks(url, dependencies.dispatcher, profile.jwksTimeoutMs)
      .then((document) => {
        keys = createLocalJWKSet(document);
        fetchedAt = dependencies.now();
        return true;
      })
      .catch((error: unknown) => {
        lastFault = describeFault(error);
        return false;
      })
      .finally(() => (inFlight = undefined));
    return inFlight;
  }

  return async (header, token) => {
    if (keys === undefined || dependencies.now() - fetchedAt > profile.jwksMaxAgeMs) await refresh();
    if (keys === undefined) throw validatorUnavailable(`JWKS unavailable: ${lastFault}`);
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || !(await refresh())) throw error;
      return keys(header, token);
    }
  };
}

async function fetchJwks(url: URL, dispatcher: Dispatcher, timeoutMs: number): Promise<JSONWebKeySet> {
  const { statusCode, body } = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: 'GET',
    headers: { accept: 'application/json' },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    signal: AbortSignal.timeout(timeoutMs),
  });
  body.on('error', () => undefined);
  if (statusCode !== 200) {
    await body.dump();
    throw new Error(`JWKS answered ${statusCode}`);
  }
  const text = await readCappedBody(body, maxJwksBytes, () => new Error('JWKS too large'));
  const document = JSON.parse(text.toString('utf8')) as JSONWebKeySet;
  if (!Array.isArray(document?.keys)) throw new Error('not a JWKS');
  return document;
}
