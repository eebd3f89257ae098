import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { CommandRegistry } from '../commands/command-registry.js';
import { maxCommandTimeoutMs } from '../config/command-deadline.js';
import type { CommandExecutor } from '../executor/command-executor.js';
import { neverAborted } from '../time/deadline.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import { readPath } from '../identity/read-path.js';
import type { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { clientNetwork } from '../request/client-network.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import type { RequestInfo } from '../request/request-info.js';
import type { Clock } from '../time/clock.js';
import type { ParsedBearerOptions } from './bearer-options.js';
import type { SessionIdentity } from '../store/session-store.js';

/** The shared parts the validator works with. */
export interface RemoteBearerServices {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly placeholders: PlaceholderBuilder;
  /** Bounds the partner calls one client network has under way. */
  readonly inFlight: InFlightLimit;
  readonly now: Clock;
}

interface Cached {
  readonly identity: SessionIdentity | null;
  readonly until: number;
}

/** A partner call under way, which requests for the same key join. */
interface Flight {
  readonly answer: Promise<Cached>;
  /** A logout asked to forget the token while the call was under way: its answer is not cached. */
  forgotten: boolean;
}

/**
 * Validates bearer tokens the portal did not issue through the tenant's `ValidateBearer`
 * command, with a bounded cache and single-flight: concurrent requests for one uncached token
 * share one upstream call. Cache keys are keyed hashes of tenant, token and the values of any
 * request-derived placeholder the HTTP template sends (`{ipAddress}`, the app's own), so an
 * answer given for one client address is never reused for another. The token itself is never
 * held. Outages are not cached. Function commands are keyed by tenant and token only.
 */
export class RemoteBearerValidator {
  readonly #cache = new Map<string, Cached>();
  readonly #flights = new Map<string, Flight>();
  /** SHA-256 already fed the per-process secret; each key copies it (cheaper than a new HMAC). */
  readonly #keyed: Hash;
  /** Request-derived placeholders each tenant's template uses, which the cache key must cover. */
  readonly #keyedPlaceholders = new Map<string, readonly string[]>();

  readonly #services: RemoteBearerServices;
  readonly #bearer: ParsedBearerOptions;

  /** Caches answers for `bearer.cacheTtlMs` (rejections `bearer.negativeCacheTtlMs`), at most `bearer.cacheMaxEntries`. */
  constructor(services: RemoteBearerServices, options: { readonly bearer: ParsedBearerOptions }) {
    this.#services = services;
    this.#bearer = options.bearer;
    this.#keyed = createHash('sha256').update(randomBytes(32));
  }

  /** True when `tenant` has a `ValidateBearer` command. */
  handles(tenant: string): boolean {
    return this.#services.commands.resolve('ValidateBearer', tenant) !== undefined;
  }

  /**
   * The identity the partner vouches for, or `null` when it rejects the token.
   * @throws LoginError `validator_unavailable` when the partner gives no usable answer.
   */
  async validate(request: RequestInfo, tenant: string, token: string, key = this.key(request, tenant, token)): Promise<SessionIdentity | null> {
    const cached = this.cached(key);
    if (cached !== undefined) return cached;
    const joined = this.#flights.get(key);
    if (joined !== undefined) return (await joined.answer).identity;
    // Only the request that makes the call takes one of its network's partner-call slots; it is
    // refused before there is a flight, so no request of another network shares that refusal.
    return this.#services.inFlight.run(clientNetwork(request.ip), async () => {
      const flight: Flight = { answer: this.#ask(request, tenant, token), forgotten: false };
      this.#flights.set(key, flight);
      const land = () => {
        if (this.#flights.get(key) === flight) this.#flights.delete(key);
      };
      // An executor that ignores its deadline may not hold every later request for this token.
      const abandon = setTimeout(land, maxCommandTimeoutMs + 1000).unref();
      try {
        const answer = await flight.answer;
        if (!flight.forgotten) this.#remember(key, answer);
        return answer.identity;
      } finally {
        clearTimeout(abandon);
        land();
      }
    });
  }

  /** The cached answer under `key`: an identity, `null` for a cached rejection, undefined when not cached. */
  cached(key: string): SessionIdentity | null | undefined {
    const cached = this.#cache.get(key);
    if (cached === undefined) return undefined;
    if (cached.until > this.#services.now()) return cached.identity;
    this.#cache.delete(key);
    return undefined;
  }

  /** Drops the cached answer for `token` (after a logout), also one still on its way. */
  forget(request: RequestInfo, tenant: string, token: string): void {
    const key = this.key(request, tenant, token);
    this.#cache.delete(key);
    const flight = this.#flights.get(key);
    if (flight !== undefined) flight.forgotten = true;
  }

  /**
   * The cache key of `token` for this request: a keyed SHA-256 of tenant, token and the values
   * of the request-derived placeholders the tenant's template sends.
   */
  key(request: RequestInfo, tenant: string, token: string): string {
    let names = this.#keyedPlaceholders.get(tenant);
    if (names === undefined) {
      const used = this.#services.commands.resolve('ValidateBearer', tenant)?.definition.placeholders ?? [];
      names = [...new Set(used)].filter((name) => name !== 'bearerToken' && name !== 'requestId' && name !== 'tenant');
      this.#keyedPlaceholders.set(tenant, names);
    }
    const hash = this.#keyed.copy().update(`${tenant}\u0000${token}`);
    if (names.length > 0) for (const value of this.#services.placeholders.requestValues(request, names)) hash.update(`\u0000${value}`);
    return hash.digest('base64url');
  }

  /** Number of cached answers. */
  get size(): number {
    return this.#cache.size;
  }

  async #ask(request: RequestInfo, tenant: string, token: string): Promise<Cached> {
    const command = this.#services.commands.resolve('ValidateBearer', tenant)!;
    const placeholders = this.#services.placeholders.build(request, tenant, { bearerToken: token }, command.definition);
    // The upstream call is shared, so no single client's disconnect may cancel it.
    const answer = await this.#services.executor.run(command, placeholders, neverAborted);
    const now = this.#services.now();
    const rejected = { identity: null, until: now + this.#bearer.negativeCacheTtlMs };
    if (answer === null) return rejected;
    const parsed = parseIdentityAnswer(answer, command.definition.identity, 'bearer');
    if (parsed.kind === 'malformed') throw validatorUnavailable(`partner answer is malformed: ${parsed.reason}`);
    if (parsed.kind === 'none') return rejected;
    const expiresAt = answerExpiry(answer, now);
    if (expiresAt !== undefined && expiresAt <= now) return rejected;
    return { identity: parsed.identity, until: Math.min(now + this.#bearer.cacheTtlMs, expiresAt ?? Infinity) };
  }

  #remember(key: string, answer: Cached): void {
    if (answer.until <= this.#services.now()) return;
    if (this.#cache.size >= this.#bearer.cacheMaxEntries) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, answer);
  }
}

/** The answer's expiry: `exp` (seconds since the epoch) or `expires_in` (seconds from now). */
function answerExpiry(answer: unknown, now: number): number | undefined {
  const exp = readPath(answer, 'exp');
  if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
  const expiresIn = readPath(answer, 'expires_in');
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn)) return now + expiresIn * 1000;
  return undefined;
}
