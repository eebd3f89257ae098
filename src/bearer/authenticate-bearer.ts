import type { AuditSink } from '../audit/audit-event.js';
import { AttemptAudit } from '../audit/attempt-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { Identity } from '../identity/identity.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import { clientNetwork } from '../request/client-network.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../store/clock.js';
import type { SessionIdentity, SessionStore } from '../store/session-store.js';
import type { UserDirectory } from '../users/user-directory.js';
import { bearerChallenge } from './bearer-challenge.js';
import { extractBearerToken } from './extract-bearer-token.js';
import { resolveOwnToken } from './own-tokens.js';
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
 * @throws LoginError — `token_missing` (401, challenge without error), `invalid_request` (400),
 *   `token_invalid` (401, `error="invalid_token"`), `rate_limited` (429), or 503 on outages.
 */
export async function authenticateBearer<User>(deps: BearerDependencies<User>, request: RequestInfo): Promise<BearerResult<User>> {
  const extraction = extractBearerToken(request, deps.allowQueryToken);
  if (extraction.kind === 'none') {
    throw new LoginError('token_missing', { headers: { 'www-authenticate': bearerChallenge(deps.realm) } });
  }
  if (extraction.kind === 'malformed') {
    throw new LoginError('invalid_request', {
      reason: extraction.reason,
      headers: { 'www-authenticate': bearerChallenge(deps.realm, 'invalid_request') },
    });
  }
  const token = extraction.token;
  const started = deps.now();
  let tenant: string | undefined;
  try {
    tenant = deps.tenants.forRequest(request);
    const found = await lookUp(deps, request, tenant, token);
    if ('miss' in found) return await refuse(deps, request, 'unknown, expired or revoked token', found.counted);
    const identity: Identity = { ...found.identity, tenant };
    try {
      const user = await deps.users.resolve(identity);
      return { user, info: found.info };
    } catch (error) {
      if (isLoginError(error) && (error.code === 'login_failed' || error.code === 'user_deactivated')) {
        return await refuse(deps, request, `token's user can no longer sign in: ${error.code}`, false);
      }
      throw error;
    }
  } catch (error) {
    // Successes are not audited (one per API call would flood the sink), so the record is made here.
    const audit = new AttemptAudit(deps, 'bearer', request, started);
    audit.tenant = tenant;
    audit.token = token;
    throw audit.failed(error);
  }
}

type Lookup = { readonly identity: SessionIdentity; readonly info: BearerInfo } | { readonly miss: true; readonly counted: boolean };

async function lookUp<User>(deps: BearerDependencies<User>, request: RequestInfo, tenant: string, token: string): Promise<Lookup> {
  const own = await resolveOwnToken(token, deps.connectionJwt);
  if (own !== undefined && own.kind !== 'invalid') {
    const session = await deps.sessions.use(own.key, tenant);
    if (session !== undefined) {
      const matches =
        (own.kind === 'session-token') === (session.kind === 'session-token') &&
        (own.kind !== 'connection-jwt' || (own.tenant === tenant && own.userId === session.userId));
      if (!matches) return { miss: true, counted: false };
      return { identity: session.identity, info: { tenant, tokenType: own.kind, expiresAt: session.expiresAt } };
    }
  }
  // A UUID that is no connection of ours may be a partner's token; everything else of ours is final.
  if ((own !== undefined && own.kind !== 'connection-id') || !deps.remote.handles(tenant)) return { miss: true, counted: false };
  const key = deps.remote.key(request, tenant, token);
  const cached = deps.remote.cached(key);
  if (cached !== undefined) {
    return cached === null ? { miss: true, counted: false } : { identity: cached, info: { tenant, tokenType: 'bearer' } };
  }
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
  return { key: `bearer-ip:${clientNetwork(request.ip)}`, limit: deps.failuresPerIp, onSuccess: 'refund' } as const;
}
