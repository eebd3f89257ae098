import type { AuditSink } from '../audit/audit-event.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { Identity } from '../identity/identity.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
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
    if (found === undefined) return await refuse(deps, request, 'unknown, expired or revoked token');
    const identity: Identity = { ...found.identity, tenant };
    try {
      const user = await deps.users.resolve(identity);
      return { user, info: found.info };
    } catch (error) {
      if (isLoginError(error) && (error.code === 'login_failed' || error.code === 'user_deactivated')) {
        return await refuse(deps, request, `token's user can no longer sign in: ${error.code}`);
      }
      throw error;
    }
  } catch (error) {
    const failure = isLoginError(error) ? error : new LoginError('store_unavailable', { reason: String((error as Error)?.name), cause: error });
    emitAudit(deps.audit, {
      type: 'bearer',
      outcome: failure.code,
      at: started,
      latencyMs: deps.now() - started,
      ip: request.ip,
      tokenHash: deps.tokenHash(token),
      ...(tenant === undefined ? {} : { tenant }),
      ...(failure.reason === undefined ? {} : { reason: failure.reason }),
    });
    throw failure;
  }
}

async function lookUp<User>(
  deps: BearerDependencies<User>,
  request: RequestInfo,
  tenant: string,
  token: string,
): Promise<{ identity: SessionIdentity; info: BearerInfo } | undefined> {
  const own = await resolveOwnToken(token, deps.connectionJwt);
  if (own !== undefined) {
    if (own.kind === 'invalid') return undefined;
    const session = await deps.sessions.use(own.key);
    if (session === undefined || session.tenant !== tenant) return undefined;
    if (own.kind === 'connection-jwt' && (own.tenant !== tenant || own.userId !== session.userId)) return undefined;
    if ((own.kind === 'session-token') !== (session.kind === 'session-token')) return undefined;
    return { identity: session.identity, info: { tenant, tokenType: own.kind, expiresAt: session.expiresAt } };
  }
  if (!deps.remote.handles(tenant)) return undefined;
  // A client that keeps failing may not make us call the partner again and again.
  await deps.guard.assertAllowed([ipKey(request)].map((key) => ({ key, limit: deps.failuresPerIp })));
  const identity = await deps.remote.validate(request, tenant, token);
  return identity === null ? undefined : { identity, info: { tenant, tokenType: 'bearer' } };
}

/** Counts the failure against the client address, then refuses with `invalid_token` (or 429 past the limit). */
async function refuse<User>(deps: BearerDependencies<User>, request: RequestInfo, reason: string): Promise<never> {
  const guarded = [{ key: ipKey(request), limit: deps.failuresPerIp }];
  await deps.guard.assertAllowed(guarded);
  await deps.guard.recordFailure(guarded);
  throw new LoginError('token_invalid', { reason, headers: { 'www-authenticate': bearerChallenge(deps.realm, 'invalid_token') } });
}

function ipKey(request: RequestInfo): string {
  return `bearer-ip:${request.ip}`;
}
