import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import type { Dispatcher } from 'undici';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Clock } from '../time/clock.js';
import { fetchJsonDocument } from './fetch-json-document.js';
import { refreshingDocument } from './refreshing-document.js';

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

/**
 * A JWKS key resolver for jose: fetches the document from `location` (a URL, or a function
 * finding it — in a discovery document) through `dispatcher` (no redirects, size-capped,
 * time-boxed), keeps the keys, refetches once for an unknown `kid` — at most every
 * `jwksCooldownMs`, whatever the outcome, so neither unknown keys nor an outage can make every
 * request fetch — and keeps serving the last good keys while a refresh fails. With no keys at
 * all, or no key for the token while fetching fails, it answers `validator_unavailable`.
 */
export function createJwksCache(location: URL | (() => Promise<URL>), profile: JwksSettings, dependencies: JwksCacheDependencies): JWTVerifyGetKey {
  const locate = location instanceof URL ? () => Promise.resolve(location) : location;
  const load = async () => {
    const document = await fetchJsonDocument(await locate(), 'JWKS', { dispatcher: dependencies.dispatcher, timeoutMs: profile.jwksTimeoutMs });
    if (!Array.isArray((document as Partial<JSONWebKeySet> | null)?.keys)) throw validatorUnavailable('JWKS is not a key set');
    return createLocalJWKSet(document as JSONWebKeySet);
  };
  const keySet = refreshingDocument('JWKS', load, { cooldownMs: profile.jwksCooldownMs, maxAgeMs: profile.jwksMaxAgeMs }, dependencies.now);

  return async (header, token) => {
    const keys = await keySet.current();
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey)) throw error;
      if (await keySet.refresh()) return (await keySet.current())(header, token);
      // A key rotated in while the key set cannot be fetched is an outage, not a forged token.
      if (keySet.failing) throw validatorUnavailable('JWKS unavailable: no key for the token while fetching the key set fails');
      throw error;
    }
  };
}
