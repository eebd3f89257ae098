import { andThen, isPromise, type MaybePromise } from '../async/maybe-promise.js';
import type { AuditSink } from '../audit/audit-event.js';
import { AttemptAudit } from '../audit/attempt-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import { clientNetwork } from '../request/client-network.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../time/clock.js';
import type { SessionIdentity, SessionStore } from '../store/session-store.js';
import type { UserDirectory } from '../users/user-directory.js';
import { bearerChallenge } from './bearer-challenge.js';
import { extractBearerToken } from './extract-bearer-token.js';
import { classifyOwnToken } from './own-tokens.js';
import { rateLimitKeys } from '../store/store-keys.js';
import type { RemoteBearerValidator } from './remote-bearer-validator.js';

/** What {@link authenticateBearer} needs. */
export interface BearerDependencies<User> {
  readonly sessions: SessionStore;
  readonly remote: RemoteBearerValidator;
  /** Signs and checks the JWTs of LogonWithToken connections. */
  readonly connectionJwt: ConnectionJwt;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly guard: BruteForceGuard;
  /** Failed lookups allowed per client address and window. */
  readonly failuresPerIp: number;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  /** Whether UUIDs that are no connection of ours may go to the partner. */
  readonly forwardUnknownUuids: boolean;
  readonly audit: AuditSink | undefined;
  /** Keyed hash that stands for a token in audit events. */
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
}

/** Facts about an accepted bearer token, for `req.authInfo`. */
export interface BearerInfo {
  readonly tenant: string;
  /**
   * `session-token`, `connection-id` or `connection-jwt` (ours), or `bearer` (validated by the
   * partner).
   */
  readonly tokenType: string;
  /** Absolute expiry of our own tokens, milliseconds since the epoch. */
  readonly expiresAt?: number;
}

/** An accepted bearer token. */
export interface BearerResult<User> {
  readonly user: User;
  readonly info: BearerInfo;
}

/**
 * Authenticates a request by its bearer token (RFC 6750): our own session tokens, connection ids
 * and connection JWTs from the store (using a connection slides its idle timeout), any other
 * token through the tenant's `ValidateBearer` command.
 *
 * Answers synchronously when it can — our own session token, the memory store and a synchronous
 * `resolveUser` — and with a promise otherwise; failures always come as a rejected promise.
 *
 * Failures: `token_missing` (401, challenge without error), `invalid_request` (400),
 * `token_invalid` (401, `error="invalid_token"`), `rate_limited` (429), or 503 on outages.
 */
export function authenticateBearer<User>(deps: BearerDependencies<User>, request: RequestInfo): MaybePromise<BearerResult<User>> {
  const extraction = extractBearerToken(request, deps.allowQueryToken);
  if (extraction.kind === 'none') {
    return Promise.reject(new LoginError('token_missing', { headers: { 'www-authenticate': bearerChallenge(deps.realm) } }));
  }
  if (extraction.kind === 'malformed') {
    const headers = { 'www-authenticate': bearerChallenge(deps.realm, 'invalid_request') };
    return Promise.reject(new LoginError('invalid_request', { reason: extraction.reason, headers }));
  }
  const token = extraction.token;
  const started = deps.now();
  let tenant: string | undefined;
  // Successes are not audited (one per API call would flood the sink), so the record is made here.
  const failure = (error: unknown): LoginError => {
    const audit = new AttemptAudit(deps, 'bearer', request, started);
    audit.tenant = tenant;
    audit.token = token;
    return audit.failed(error);
  };
  try {
    const forTenant = (tenant = deps.tenants.forRequest(request));
    const outcome = andThen(lookUp(deps, request, forTenant, token), (found) => accept(deps, request, forTenant, found));
    return isPromise(outcome)
      ? outcome.catch((error: unknown) => {
          throw failure(error);
        })
      : outcome;
  } catch (error) {
    return Promise.reject(failure(error));
  }
}

type Lookup = { readonly identity: SessionIdentity; readonly info: BearerInfo } | { readonly miss: true; readonly counted: boolean };

const notFound: Lookup = { miss: true, counted: false };

/** Turns a lookup into the user, or into a refusal. */
function accept<User>(deps: BearerDependencies<User>, request: RequestInfo, tenant: string, found: Lookup): MaybePromise<BearerResult<User>> {
  if ('miss' in found) return refuse(deps, request, 'unknown, expired or revoked token', found.counted);
  // A token whose user is gone or deactivated is as good as revoked.
  const userGone = (error: unknown) => {
    if (isLoginError(error) && (error.code === 'login_failed' || error.code === 'user_deactivated')) {
      return refuse(deps, request, `token's user can no longer sign in: ${error.code}`, false);
    }
    throw error;
  };
  let user: MaybePromise<User>;
  try {
    user = deps.users.resolve({ ...found.identity, tenant });
  } catch (error) {
    return userGone(error);
  }
  return isPromise(user) ? user.then((resolved) => ({ user: resolved, info: found.info }), userGone) : { user, info: found.info };
}

function lookUp<User>(deps: BearerDependencies<User>, request: RequestInfo, tenant: string, token: string): MaybePromise<Lookup> {
  const shape = classifyOwnToken(token, deps.connectionJwt);
  if (shape === undefined) return lookUpRemote(deps, request, tenant, token);
  if (shape.kind === 'refused') return notFound;
  if (shape.kind === 'connection-jwt') return lookUpConnectionJwt(deps, tenant, token);
  return andThen(deps.sessions.use(shape.key, tenant), (session): MaybePromise<Lookup> => {
    if (session === undefined) {
      // A UUID that is no connection of ours — in no tenant — may be a partner's token, if the app says so.
      return shape.kind === 'connection-id' && deps.forwardUnknownUuids ? lookUpUnknownUuid(deps, request, tenant, token, shape.key) : notFound;
    }
    if ((shape.kind === 'session-token') !== (session.kind === 'session-token') || session.pendingSecondFactor === true) return notFound;
    return { identity: session.identity, info: { tenant, tokenType: shape.kind, expiresAt: session.expiresAt } };
  });
}

async function lookUpUnknownUuid<User>(deps: BearerDependencies<User>, request: RequestInfo, tenant: string, token: string, key: string): Promise<Lookup> {
  return (await deps.sessions.exists(key)) ? notFound : lookUpRemote(deps, request, tenant, token);
}

async function lookUpConnectionJwt<User>(deps: BearerDependencies<User>, tenant: string, token: string): Promise<Lookup> {
  const claims = await deps.connectionJwt.verify(token);
  if (claims === undefined || claims.tenant !== tenant) return notFound;
  const session = await deps.sessions.use(claims.sid, tenant);
  if (session === undefined || session.kind !== 'connection' || session.userId !== claims.userId || session.pendingSecondFactor === true) return notFound;
  return { identity: session.identity, info: { tenant, tokenType: 'connection-jwt', expiresAt: session.expiresAt } };
}

async function lookUpRemote<User>(deps: BearerDependencies<User>, request: RequestInfo, tenant: string, token: string): Promise<Lookup> {
  if (!deps.remote.handles(tenant)) return notFound;
  const key = deps.remote.key(request, tenant, token);
  const cached = deps.remote.cached(key);
  if (cached !== undefined) return cached === null ? notFound : { identity: cached, info: { tenant, tokenType: 'bearer' } };
  // Each uncached lookup is counted before the partner is asked, so parallel guessing cannot
  // outrun the limit; a token that turns out valid, or an outage, gives the count back.
  const attempt = await deps.guard.attempt([ipGuard(deps, request)]);
  let identity: SessionIdentity | null;
  try {
    identity = await deps.remote.validate(request, tenant, token, key);
  } catch (error) {
    await attempt.undecided();
    throw error;
  }
  if (identity === null) return { miss: true, counted: true };
  await attempt.succeeded();
  return { identity, info: { tenant, tokenType: 'bearer' } };
}

/** Refuses with `invalid_token`, or with 429 once the client network has failed too often. */
async function refuse<User>(deps: BearerDependencies<User>, request: RequestInfo, reason: string, counted: boolean): Promise<never> {
  if (!counted) await deps.guard.attempt([ipGuard(deps, request)]);
  throw new LoginError('token_invalid', { reason, headers: { 'www-authenticate': bearerChallenge(deps.realm, 'invalid_token') } });
}

function ipGuard<User>(deps: BearerDependencies<User>, request: RequestInfo) {
  return { key: rateLimitKeys.bearerIp(clientNetwork(request.ip)), limit: deps.failuresPerIp, onSuccess: 'refund' } as const;
}
