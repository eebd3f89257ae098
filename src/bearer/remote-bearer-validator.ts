import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { CommandRegistry } from '../commands/command-registry.js';
import type { CompiledPartnerCommand } from '../config/command-schema.js';
import type { Command, CommandExecutor } from '../executor/command-executor.js';
import { maxCommandTimeoutMs } from '../config/command-deadline.js';
import { neverAborted } from '../time/deadline.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import { readPath } from '../identity/read-path.js';
import type { IntrospectionClient } from '../oauth/introspection-client.js';
import type { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { clientNetwork } from '../request/client-network.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import type { RequestInfo } from '../request/request-info.js';
import type { Clock } from '../time/clock.js';
import type { ParsedBearerOptions } from './bearer-options.js';
import { evictOldest } from '../store/evict-oldest.js';
import type { Telemetry } from '../telemetry/telemetry.js';
import type { SessionIdentity } from '../store/session-store.js';

/** The shared parts the validator works with. */
export interface RemoteBearerServices {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly placeholders: PlaceholderBuilder;
  /** Bounds the partner calls one client network has under way. */
  readonly inFlight: InFlightLimit;
  /** Runs introspection commands (RFC 7662). */
  readonly introspection: IntrospectionClient;
  readonly now: Clock;
  readonly telemetry: Telemetry;
}

/** Whom a validated token names, and the scopes it grants when the validator says. */
export interface RemoteAnswer {
  readonly identity: SessionIdentity;
  /** Granted scopes (introspection answers); undefined for partner templates, which name none. */
  readonly scopes?: readonly string[];
}

interface Cached {
  readonly answer: RemoteAnswer | null;
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
 * command — a partner template, a function, or RFC 7662 introspection — with a bounded cache
 * and single-flight: concurrent requests for one uncached token share one upstream call. Cache
 * keys are keyed hashes of tenant, token and what the answer was decided for: the values of
 * any request-derived placeholder the HTTP template sends (`{ipAddress}`, the app's own), so an
 * answer given for one client address is never reused for another, and an introspection
 * command's policy (endpoint, issuer, audience, scopes, user claim), so an answer judged for
 * one policy never serves another. An answer is kept at most `bearer.cacheTtlMs` and never
 * past the token's `exp`; a hit never extends it. The token itself is never held. Outages are
 * not cached. Function commands are keyed by tenant and token only.
 */
export class RemoteBearerValidator {
  readonly #cache = new Map<string, Cached>();
  readonly #flights = new Map<string, Flight>();
  /** SHA-256 already fed the per-process secret; each tenant's key prefix copies it (cheaper than a new HMAC). */
  readonly #secretHash: Hash;
  /** Per tenant, resolved once: its command's request-derived placeholders and introspection policy, which cache keys cover besides the token. */
  readonly #tenants = new Map<string, TenantPolicy>();

  readonly #services: RemoteBearerServices;
  readonly #bearer: ParsedBearerOptions;

  /** Caches answers for `bearer.cacheTtlMs` (rejections `bearer.negativeCacheTtlMs`), at most `bearer.cacheMaxEntries`. */
  constructor(services: RemoteBearerServices, options: { readonly bearer: ParsedBearerOptions }) {
    this.#services = services;
    this.#bearer = options.bearer;
    this.#secretHash = createHash('sha256').update(randomBytes(32));
  }

  /** True when `tenant` has a `ValidateBearer` command. */
  handles(tenant: string): boolean {
    return this.#policyOf(tenant).handles;
  }

  /** The scopes `tenant`'s `ValidateBearer` requires of every token (introspection's `requiredScopes`). */
  requiredScopes(tenant: string): readonly string[] {
    return this.#policyOf(tenant).requiredScopes;
  }

  /**
   * Whom the partner or authorization server says the token names, or `null` when it rejects
   * the token.
   * @throws LoginError `validator_unavailable` when the partner gives no usable answer.
   */
  validate(request: RequestInfo, tenant: string, token: string, key = this.key(request, tenant, token)): Promise<RemoteAnswer | null> {
    const cached = this.cached(key);
    if (cached !== undefined) return Promise.resolve(cached);
    const joined = this.#flights.get(key);
    if (joined !== undefined) return joined.answer.then(answerOf);
    // Only the request that makes the call takes one of its network's partner-call slots; it is
    // refused before there is a flight, so no request of another network shares that refusal.
    let network: string;
    try {
      network = clientNetwork(request.ip);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#services.inFlight.run(network, () => this.#fly(request, tenant, token, key));
  }

  /** Makes the upstream call for `key`, which later requests join until it lands. */
  #fly(request: RequestInfo, tenant: string, token: string, key: string): Promise<RemoteAnswer | null> {
    const flight: Flight = { answer: this.#ask(request, tenant, token), forgotten: false };
    this.#flights.set(key, flight);
    const land = () => {
      clearTimeout(abandon);
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    // A call that never settles — an executor, a dispatcher or a DNS lookup of the app's that
    // ignores its deadline — may not hold every later request for this token.
    const abandon = setTimeout(land, maxCommandTimeoutMs + 1000).unref();
    return flight.answer.then(
      (answer) => {
        land();
        if (!flight.forgotten) this.#remember(key, answer);
        return answer.answer;
      },
      (error: unknown) => {
        land();
        throw error;
      },
    );
  }

  /** The cached answer under `key`: whom it names, `null` for a cached rejection, undefined when not cached. */
  cached(key: string): RemoteAnswer | null | undefined {
    const cached = this.#cache.get(key);
    if (cached === undefined) return undefined;
    if (cached.until > this.#services.now()) return cached.answer;
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
   * The cache key of `token` for this request: a keyed SHA-256 of tenant, token, the values of
   * the request-derived placeholders the tenant's template sends, and its introspection policy.
   */
  key(request: RequestInfo, tenant: string, token: string): string {
    const keyed = this.#policyOf(tenant);
    const hash = keyed.keyPrefix.copy().update(token);
    if (keyed.placeholders.length > 0) for (const value of this.#services.placeholders.requestValues(request, keyed.placeholders)) hash.update(`\u0000${value}`);
    return hash.digest('base64url');
  }

  #policyOf(tenant: string): TenantPolicy {
    let policy = this.#tenants.get(tenant);
    if (policy === undefined) {
      const definition = this.#services.commands.resolve('ValidateBearer', tenant)?.definition;
      const used = [...new Set(definition?.placeholders ?? [])];
      const decidedBy = definition?.kind === 'introspection' ? definition.policy : '';
      policy = {
        handles: definition !== undefined,
        // Tokens looked up never hold a NUL (extractBearerToken), so the token's end is never in doubt.
        keyPrefix: this.#secretHash.copy().update(`${tenant}\u0000${decidedBy}\u0000`),
        placeholders: used.filter((name) => name !== 'bearerToken' && name !== 'requestId' && name !== 'tenant'),
        requiredScopes: definition?.kind === 'introspection' ? definition.requiredScopes : noScopes,
      };
      this.#tenants.set(tenant, policy);
    }
    return policy;
  }

  /** Number of cached answers. */
  get size(): number {
    return this.#cache.size;
  }

  #ask(request: RequestInfo, tenant: string, token: string): Promise<Cached> {
    const command = this.#services.commands.resolve('ValidateBearer', tenant)!;
    return this.#services.telemetry.partnerCall(command, () => this.#askFor(request, tenant, token, command), isRejection);
  }

  #askFor(request: RequestInfo, tenant: string, token: string, command: Command): Promise<Cached> {
    if (command.definition.kind === 'introspection') {
      // An active verdict is itself the answer: whom the token names and the scopes it grants.
      return this.#services.introspection.introspect(command.definition, token).then((verdict) => (verdict.active ? this.#accepted(verdict, verdict.expiresAt) : this.#rejected()));
    }
    return this.#askPartner(request, tenant, token, command as Command<CompiledPartnerCommand>);
  }

  async #askPartner(request: RequestInfo, tenant: string, token: string, command: Command<CompiledPartnerCommand>): Promise<Cached> {
    const placeholders = this.#services.placeholders.build(request, tenant, { bearerToken: token }, command.definition);
    // The upstream call is shared, so no single client's disconnect may cancel it.
    const answer = await this.#services.executor.run(command, placeholders, neverAborted);
    if (answer === null) return this.#rejected();
    const parsed = parseIdentityAnswer(answer, command.definition.identity, 'bearer');
    if (parsed.kind === 'malformed') throw validatorUnavailable(`partner answer is malformed: ${parsed.reason}`);
    if (parsed.kind === 'none') return this.#rejected();
    return this.#accepted({ identity: parsed.identity }, answerExpiry(answer, this.#services.now()));
  }

  /** An accepted answer, kept `bearer.cacheTtlMs` but never past `expiresAt` (one already past is a rejection). */
  #accepted(answer: RemoteAnswer, expiresAt: number | undefined): Cached {
    const now = this.#services.now();
    if (expiresAt !== undefined && expiresAt <= now) return this.#rejected();
    return { answer, until: Math.min(now + this.#bearer.cacheTtlMs, expiresAt ?? Infinity) };
  }

  #rejected(): Cached {
    return { answer: null, until: this.#services.now() + this.#bearer.negativeCacheTtlMs };
  }

  #remember(key: string, answer: Cached): void {
    if (answer.until <= this.#services.now()) return;
    evictOldest(this.#cache, this.#bearer.cacheMaxEntries);
    this.#cache.set(key, answer);
  }
}

const noScopes: readonly string[] = [];

/** What a tenant's `ValidateBearer` decides answers by. */
interface TenantPolicy {
  readonly handles: boolean;
  /** The secret, tenant and introspection policy, already hashed: each key copies it and adds the token. */
  readonly keyPrefix: Hash;
  readonly placeholders: readonly string[];
  readonly requiredScopes: readonly string[];
}

function isRejection(cached: Cached): boolean {
  return cached.answer === null;
}

function answerOf(cached: Cached): RemoteAnswer | null {
  return cached.answer;
}

/** The answer's expiry: `exp` (seconds since the epoch) or `expires_in` (seconds from now). */
function answerExpiry(answer: unknown, now: number): number | undefined {
  const exp = readPath(answer, 'exp');
  if (typeof exp === 'number' && Number.isFinite(exp)) return exp * 1000;
  const expiresIn = readPath(answer, 'expires_in');
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn)) return now + expiresIn * 1000;
  return undefined;
}
