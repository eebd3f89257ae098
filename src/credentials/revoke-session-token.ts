import type { AuditSink } from '../audit/audit-event.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import { bearerChallenge } from '../bearer/bearer-challenge.js';
import { extractBearerToken } from '../bearer/extract-bearer-token.js';
import { LoginError } from '../errors/login-error.js';
import type { RequestInfo } from '../request/request-info.js';
import type { Clock } from '../store/clock.js';
import type { SessionStore } from '../store/session-store.js';
import { isSessionToken, sessionKey } from './session-token.js';

/** What {@link revokeSessionToken} needs. */
export interface RevokeDependencies {
  readonly sessions: SessionStore;
  readonly realm: string;
  readonly allowQueryToken: boolean;
  readonly audit: AuditSink | undefined;
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
}

/**
 * `POST authentication/logout`: ends the session of the presented bearer token at once. As in
 * RFC 7009, an unknown or already revoked token is not an error; a missing or malformed one is.
 */
export async function revokeSessionToken(deps: RevokeDependencies, request: RequestInfo): Promise<void> {
  const extraction = extractBearerToken(request, deps.allowQueryToken);
  if (extraction.kind === 'none') throw new LoginError('token_missing', { headers: { 'www-authenticate': bearerChallenge(deps.realm) } });
  if (extraction.kind === 'malformed') {
    throw new LoginError('invalid_request', { reason: extraction.reason, headers: { 'www-authenticate': bearerChallenge(deps.realm, 'invalid_request') } });
  }
  const started = deps.now();
  const ended = isSessionToken(extraction.token) ? await deps.sessions.revoke(sessionKey(extraction.token)) : undefined;
  emitAudit(deps.audit, {
    type: 'logout',
    outcome: 'ok',
    at: started,
    latencyMs: deps.now() - started,
    ip: request.ip,
    tokenHash: deps.tokenHash(extraction.token),
    ...(ended === undefined ? { reason: 'no live session for this token' } : { tenant: ended.tenant, userId: ended.userId }),
  });
}
