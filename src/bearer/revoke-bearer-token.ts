import type { AuditSink } from '../audit/audit-event.js';
import { AttemptAudit } from '../audit/attempt-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import { LoginError } from '../errors/login-error.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../time/clock.js';
import type { SessionStore } from '../store/session-store.js';
import { bearerChallenge } from './bearer-challenge.js';
import { extractBearerToken } from './extract-bearer-token.js';
import { resolveOwnToken } from './own-tokens.js';
import type { RemoteBearerValidator } from './remote-bearer-validator.js';

/** What {@link revokeBearerToken} needs. */
export interface RevokeDependencies {
  readonly sessions: SessionStore;
  readonly connectionJwt: ConnectionJwt;
  readonly remote: RemoteBearerValidator;
  readonly tenants: TenantResolver;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  readonly audit: AuditSink | undefined;
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
}

/**
 * `POST authentication/logout` and `Authentication/Logoff`: ends the session or connection of
 * the presented bearer token (a session token, connection id or connection JWT) at once; a
 * connection's JWT dies with it. A partner's token is only dropped from the validation cache: it
 * stays valid at the partner. As in RFC 7009, an unknown or already revoked token is not an
 * error; a missing or malformed one is. `connectionId` may also come in the body.
 */
export async function revokeBearerToken(deps: RevokeDependencies, request: RequestInfo): Promise<void> {
  const fromBody = (request.body as { connectionId?: unknown } | undefined)?.connectionId;
  const extraction =
    typeof fromBody === 'string' && request.headers.authorization === undefined
      ? ({ kind: 'token', token: fromBody } as const)
      : extractBearerToken(request, deps.allowQueryToken);
  if (extraction.kind === 'none') throw new LoginError('token_missing', { headers: { 'www-authenticate': bearerChallenge(deps.realm) } });
  if (extraction.kind === 'malformed') {
    throw new LoginError('invalid_request', { reason: extraction.reason, headers: { 'www-authenticate': bearerChallenge(deps.realm, 'invalid_request') } });
  }
  const audit = new AttemptAudit(deps, 'logout', request);
  audit.token = extraction.token;
  try {
    const own = await resolveOwnToken(extraction.token, deps.connectionJwt);
    const ended = own !== undefined && own.kind !== 'invalid' ? await deps.sessions.revoke(own.key) : undefined;
    if (ended === undefined && own === undefined) forgetPartnerToken(deps, request, extraction.token);
    audit.tenant = ended?.tenant;
    audit.userId = ended?.userId;
    audit.succeeded(ended === undefined ? 'no live session for this token' : undefined);
  } catch (error) {
    throw audit.failed(error);
  }
}

function forgetPartnerToken(deps: RevokeDependencies, request: RequestInfo, token: string): void {
  try {
    deps.remote.forget(request, deps.tenants.forRequest(request), token);
  } catch {
    // No tenant for this request: nothing can be cached for it either.
  }
}
