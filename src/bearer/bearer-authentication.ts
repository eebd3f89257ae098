import { andThen, isPromise, type MaybePromise } from '../async/maybe-promise.js';
import { AttemptAudit, type AuditDependencies } from '../audit/attempt-audit.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';
import type { VerifiedToken } from '../logon/token-verifier.js';
import { missingScopes } from '../oauth/scopes.js';
import type { BruteForceGuard, GuardedAttempt, GuardedKey } from '../rate-limit/brute-force-guard.js';
import type { ParsedRateLimitOptions } from '../rate-limit/rate-limit-options.js';
import { clientNetwork } from '../request/client-network.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { SessionIdentity } from '../store/session-store.js';
import type { Store } from '../store/store.js';
import { rateLimitKeys } from '../store/store-keys.js';
import type { FlowSpan } from '../telemetry/telemetry.js';
import type { UserDirectory } from '../users/user-directory.js';
import { bearerChallenge, insufficientScope } from './bearer-challenge.js';
import type { BearerJwtProfile, BearerJwtProfiles } from './bearer-jwt-profiles.js';
import type { ParsedBearerOptions } from './bearer-options.js';
import { extractBearerToken } from './extract-bearer-token.js';
import { classifyOwnToken } from './own-tokens.js';
import type { RemoteAnswer, RemoteBearerValidator } from './remote-bearer-validator.js';

/** The shared parts bearer authentication works with. */
export interface BearerServices<User> extends AuditDependencies {
  readonly store: Pick<Store, 'sessions'>;
  readonly remoteBearer: RemoteBearerValidator;
  /** Identity providers' JWTs verified here, without a round trip. */
  readonly bearerJwtProfiles: BearerJwtProfiles;
  /** Signs and checks the JWTs of LogonWithToken connections. */
  readonly connectionJwt: ConnectionJwt;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly guard: BruteForceGuard;
}

/** The option groups bearer authentication reads. */
export interface BearerOptionGroups {
  readonly bearer: ParsedBearerOptions;
  readonly rateLimits: ParsedRateLimitOptions;
}

/** Facts about an accepted bearer token, for `req.authInfo`. */
export interface BearerInfo {
  readonly tenant: string;
  /**
   * `session-token`, `connection-id` or `connection-jwt` (ours), `bearer` (validated by the
   * partner or by introspection), or the id of the JWT profile that verified it.
   */
  readonly tokenType: string;
  /** Absolute expiry of our own tokens and of verified JWTs, milliseconds since the epoch. */
  readonly expiresAt?: number;
  /**
   * The scopes the token grants (`scope` / `scp` of a JWT or an introspection answer);
   * undefined for our own tokens and partner templates, which grant none — `requireScopes`
   * refuses those.
   */
  readonly scopes?: readonly string[];
}

/** An accepted bearer token. */
export interface BearerResult<User> {
  readonly user: User;
  readonly info: BearerInfo;
}

type Lookup =
  | { readonly identity: SessionIdentity; readonly info: BearerInfo; readonly requiredScopes?: readonly string[] }
  | { readonly miss: true; readonly counted: boolean; readonly reason?: string };

const notFound: Lookup = { miss: true, counted: false };
/** The partner rejected the token, and the attempt it took stays counted. */
const countedMiss: Lookup = { miss: true, counted: true };

/**
 * Bearer authentication on API routes (RFC 6750): our own session tokens, connection ids and
 * connection JWTs from the store (using a connection slides its idle timeout), identity
 * providers' JWTs of the tenant's `jwtProfiles` verified locally (`BearerJwtProfiles`), any
 * other token through the tenant's `ValidateBearer` command (`RemoteBearerValidator`). A token
 * lacking a scope its profile or introspection command requires is refused with 403.
 */
export class BearerAuthentication<User> {
  readonly #services: BearerServices<User>;
  readonly #options: BearerOptionGroups;

  constructor(services: BearerServices<User>, options: BearerOptionGroups) {
    this.#services = services;
    this.#options = options;
  }

  /**
   * Authenticates a request by its bearer token. Answers synchronously when it can — our own
   * session token, the memory store and a synchronous `resolveUser` — and with a promise
   * otherwise; failures always come as a rejected promise: `token_missing` (401, challenge
   * without error), `invalid_request` (400), `token_invalid` (401, `error="invalid_token"`),
   * `insufficient_scope` (403, `error="insufficient_scope"`), `rate_limited` (429), or 503 on
   * outages.
   */
  authenticate(request: RequestInfo): MaybePromise<BearerResult<User>> {
    const { realm, allowQueryToken } = this.#options.bearer;
    const extraction = extractBearerToken(request, allowQueryToken);
    if (extraction.kind === 'none') {
      return Promise.reject(new LoginError('token_missing', { headers: { 'www-authenticate': bearerChallenge(realm) } }));
    }
    if (extraction.kind === 'malformed') {
      const headers = { 'www-authenticate': bearerChallenge(realm, 'invalid_request') };
      return Promise.reject(new LoginError('invalid_request', { reason: extraction.reason, headers }));
    }
    const token = extraction.token;
    const flow = this.#services.telemetry.startFlow('bearer');
    const result = flow.within(() => this.#authenticateToken(request, token, flow));
    if (!flow.recorded) return result;
    return andThen(result, (accepted) => {
      flow.end('ok', accepted.info);
      return accepted;
    });
  }

  #authenticateToken(request: RequestInfo, token: string, flow: FlowSpan): MaybePromise<BearerResult<User>> {
    const started = this.#services.now();
    let tenant: string | undefined;
    try {
      const forTenant = (tenant = this.#services.tenants.forRequest(request));
      const found = this.#lookUp(request, forTenant, token);
      if (isPromise(found)) return this.#acceptLater(request, forTenant, token, started, flow, found);
      const accepted = this.#accept(request, forTenant, found);
      return isPromise(accepted)
        ? accepted.catch((error: unknown) => {
            throw this.#failed(request, forTenant, token, started, flow, error);
          })
        : accepted;
    } catch (error) {
      return Promise.reject(this.#failed(request, tenant, token, started, flow, error));
    }
  }

  /** A lookup under way: it and its acceptance settle in one step, unless accepting waits for the user. */
  #acceptLater(request: RequestInfo, tenant: string, token: string, started: number, flow: FlowSpan, found: Promise<Lookup>): Promise<BearerResult<User>> {
    const fail = (error: unknown): never => {
      throw this.#failed(request, tenant, token, started, flow, error);
    };
    return found.then((lookup) => {
      let accepted: MaybePromise<BearerResult<User>>;
      try {
        accepted = this.#accept(request, tenant, lookup);
      } catch (error) {
        return fail(error);
      }
      return isPromise(accepted) ? accepted.catch(fail) : accepted;
    }, fail);
  }

  /** Successes are not audited (one per API call would flood the sink), so a failure's record is made here. */
  #failed(request: RequestInfo, tenant: string | undefined, token: string, started: number, flow: FlowSpan, error: unknown): LoginError {
    const audit = new AttemptAudit(this.#services, 'bearer', request, started, flow);
    audit.tenant = tenant;
    audit.token = token;
    return audit.failed(error);
  }

  /** Turns a lookup into the user, or into a refusal. */
  #accept(request: RequestInfo, tenant: string, found: Lookup): MaybePromise<BearerResult<User>> {
    if ('miss' in found) return this.#refuse(request, found.reason ?? 'unknown, expired or revoked token', found.counted);
    if (found.requiredScopes !== undefined) {
      const missing = missingScopes(found.info.scopes, found.requiredScopes);
      if (missing.length > 0) throw insufficientScope(this.#options.bearer.realm, found.requiredScopes, missing);
    }
    let user: MaybePromise<User>;
    try {
      user = this.#services.users.resolve({ ...found.identity, tenant });
    } catch (error) {
      return this.#userGone(request, error);
    }
    return isPromise(user) ? user.then((resolved) => ({ user: resolved, info: found.info }), (error: unknown) => this.#userGone(request, error)) : { user, info: found.info };
  }

  /** A token whose user is gone or deactivated is as good as revoked; other failures stand. */
  #userGone(request: RequestInfo, error: unknown): Promise<never> {
    if (isLoginError(error) && (error.code === 'login_failed' || error.code === 'user_deactivated')) {
      return this.#refuse(request, `token's user can no longer sign in: ${error.code}`, false);
    }
    throw error;
  }

  #lookUp(request: RequestInfo, tenant: string, token: string): MaybePromise<Lookup> {
    const shape = classifyOwnToken(token, this.#services.connectionJwt);
    if (shape === undefined) {
      const profile = this.#services.bearerJwtProfiles.match(tenant, token);
      return profile === undefined ? this.#lookUpRemote(request, tenant, token) : this.#lookUpJwt(tenant, token, profile);
    }
    if (shape.kind === 'refused') return notFound;
    if (shape.kind === 'connection-jwt') return this.#lookUpConnectionJwt(tenant, token);
    return andThen(this.#services.store.sessions.use(shape.key, tenant), (session): MaybePromise<Lookup> => {
      if (session === undefined) {
        // A UUID that is no connection of ours — in no tenant — may be a partner's token, if the app says so.
        return shape.kind === 'connection-id' && this.#options.bearer.forwardUnknownUuids ? this.#lookUpUnknownUuid(request, tenant, token, shape.key) : notFound;
      }
      if ((shape.kind === 'session-token') !== (session.kind === 'session-token') || session.pendingSecondFactor === true) return notFound;
      return { identity: session.identity, info: { tenant, tokenType: shape.kind, expiresAt: session.expiresAt } };
    });
  }

  async #lookUpUnknownUuid(request: RequestInfo, tenant: string, token: string, key: string): Promise<Lookup> {
    return (await this.#services.store.sessions.exists(key)) ? notFound : this.#lookUpRemote(request, tenant, token);
  }

  async #lookUpConnectionJwt(tenant: string, token: string): Promise<Lookup> {
    const claims = await this.#services.connectionJwt.verify(token);
    if (claims === undefined || claims.tenant !== tenant) return notFound;
    const session = await this.#services.store.sessions.use(claims.sid, tenant);
    if (session === undefined || session.kind !== 'connection' || session.userId !== claims.userId || session.pendingSecondFactor === true) return notFound;
    return { identity: session.identity, info: { tenant, tokenType: 'connection-jwt', expiresAt: session.expiresAt } };
  }

  /** An identity provider's JWT: its profile verifies it here; only an outage (no keys) is not a refusal. */
  async #lookUpJwt(tenant: string, token: string, profile: BearerJwtProfile): Promise<Lookup> {
    let verified: VerifiedToken;
    try {
      verified = await profile.verifier.verify(token, tenant);
    } catch (error) {
      if (isLoginError(error) && error.code !== 'validator_unavailable') return { miss: true, counted: false, reason: `${profile.id}: ${error.reason ?? error.code}` };
      throw error;
    }
    const info = { tenant, tokenType: profile.id, expiresAt: verified.expiresAt, scopes: verified.scopes };
    return { identity: verified.identity, info, requiredScopes: verified.requiredScopes };
  }

  /** A token for `ValidateBearer`: a cached answer at once (no promise), else the partner's. */
  #lookUpRemote(request: RequestInfo, tenant: string, token: string): MaybePromise<Lookup> {
    const { remoteBearer } = this.#services;
    if (!remoteBearer.handles(tenant)) return notFound;
    const key = remoteBearer.key(request, tenant, token);
    const cached = remoteBearer.cached(key);
    this.#services.telemetry.bearerCacheLookup(cached !== undefined);
    if (cached !== undefined) return cached === null ? notFound : remoteLookup(tenant, cached, remoteBearer.requiredScopes(tenant));
    return this.#askRemote(request, tenant, token, key);
  }

  #askRemote(request: RequestInfo, tenant: string, token: string, key: string): Promise<Lookup> {
    // Each uncached lookup is counted before the partner is asked, so parallel guessing cannot
    // outrun the limit; a token that turns out valid, or an outage, gives the count back. (The
    // memory store counts synchronously: no step waits on it then.)
    const counted = this.#services.guard.attempt([this.#networkCounter(request)]);
    return isPromise(counted) ? counted.then((attempt) => this.#askCounted(request, tenant, token, key, attempt)) : this.#askCounted(request, tenant, token, key, counted);
  }

  #askCounted(request: RequestInfo, tenant: string, token: string, key: string, attempt: GuardedAttempt): Promise<Lookup> {
    const { remoteBearer } = this.#services;
    return remoteBearer.validate(request, tenant, token, key).then(
      (answer) => (answer === null ? countedMiss : andThen(attempt.succeeded(), () => remoteLookup(tenant, answer, remoteBearer.requiredScopes(tenant)))),
      (error: unknown) =>
        andThen(attempt.undecided(), () => {
          throw error;
        }),
    );
  }

  /** Refuses with `invalid_token`, or with 429 once the client network has failed too often. */
  async #refuse(request: RequestInfo, reason: string, counted: boolean): Promise<never> {
    if (!counted) await this.#services.guard.attempt([this.#networkCounter(request)]);
    throw new LoginError('token_invalid', { reason, headers: { 'www-authenticate': bearerChallenge(this.#options.bearer.realm, 'invalid_token') } });
  }

  /** Failed lookups of the client network, at most `rateLimits.bearerFailuresPerIp` per window. */
  #networkCounter(request: RequestInfo): GuardedKey {
    return { key: rateLimitKeys.bearerIp(clientNetwork(request.ip)), limit: this.#options.rateLimits.bearerFailuresPerIp, onSuccess: 'refund' };
  }
}

/** A remote answer as a lookup: the scopes it grants, those the tenant's command requires. */
function remoteLookup(tenant: string, answer: RemoteAnswer, requiredScopes: readonly string[]): Lookup {
  const info: BearerInfo = answer.scopes === undefined ? { tenant, tokenType: 'bearer' } : { tenant, tokenType: 'bearer', scopes: answer.scopes };
  return { identity: answer.identity, info, requiredScopes };
}
