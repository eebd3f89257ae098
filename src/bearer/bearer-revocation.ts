import { AttemptAudit, type AuditDependencies } from '../audit/attempt-audit.js';
import { LoginError } from '../errors/login-error.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Store } from '../store/store.js';
import { bearerChallenge } from './bearer-challenge.js';
import type { ParsedBearerOptions } from './bearer-options.js';
import { extractBearerToken } from './extract-bearer-token.js';
import { resolveOwnToken } from './own-tokens.js';
import type { RemoteBearerValidator } from './remote-bearer-validator.js';

/** The shared parts revocation works with. */
export interface RevocationServices extends AuditDependencies {
  readonly store: Pick<Store, 'sessions'>;
  readonly connectionJwt: ConnectionJwt;
  readonly remoteBearer: RemoteBearerValidator;
  readonly tenants: TenantResolver;
}

/**
 * `POST authentication/logout` and `Authentication/Logoff`: ends the session or connection of
 * the presented bearer token (a session token, connection id or connection JWT) at once; a
 * connection's JWT dies with it. A partner's token is only dropped from the validation cache: it
 * stays valid at the partner. As in RFC 7009, an unknown or already revoked token is not an
 * error; a missing or malformed one is. `connectionId` may also come in the body.
 */
export class BearerRevocation {
  readonly #services: RevocationServices;
  readonly #bearer: ParsedBearerOptions;

  /** Reads the token as bearer authentication does (`bearer.allowQueryToken`, `bearer.realm`). */
  constructor(services: RevocationServices, options: { readonly bearer: ParsedBearerOptions }) {
    this.#services = services;
    this.#bearer = options.bearer;
  }

  /** Ends what the request's token stands for. @throws LoginError `token_missing` or `invalid_request`. */
  async revoke(request: RequestInfo): Promise<void> {
    const { realm, allowQueryToken } = this.#bearer;
    const fromBody = (request.body as { connectionId?: unknown } | undefined)?.connectionId;
    const extraction =
      typeof fromBody === 'string' && request.headers.authorization === undefined
        ? ({ kind: 'token', token: fromBody } as const)
        : extractBearerToken(request, allowQueryToken);
    if (extraction.kind === 'none') throw new LoginError('token_missing', { headers: { 'www-authenticate': bearerChallenge(realm) } });
    if (extraction.kind === 'malformed') {
      throw new LoginError('invalid_request', { reason: extraction.reason, headers: { 'www-authenticate': bearerChallenge(realm, 'invalid_request') } });
    }
    const audit = new AttemptAudit(this.#services, 'logout', request);
    audit.token = extraction.token;
    return audit.within(() => this.#revoke(request, extraction.token, audit));
  }

  async #revoke(request: RequestInfo, token: string, audit: AttemptAudit): Promise<void> {
    try {
      const own = await resolveOwnToken(token, this.#services.connectionJwt);
      const ended = own !== undefined && own.kind !== 'invalid' ? await this.#services.store.sessions.revoke(own.key) : undefined;
      // A UUID that was no connection of ours may have been a partner's token (`bearer.forwardUnknownUuids`).
      if (ended === undefined && (own === undefined || own.kind === 'connection-id')) this.#forgetPartnerToken(request, token);
      audit.tenant = ended?.tenant;
      audit.userId = ended?.userId;
      audit.succeeded(ended === undefined ? 'no live session for this token' : undefined);
    } catch (error) {
      throw audit.failed(error);
    }
  }

  #forgetPartnerToken(request: RequestInfo, token: string): void {
    try {
      this.#services.remoteBearer.forget(request, this.#services.tenants.forRequest(request), token);
    } catch {
      // No tenant for this request: nothing can be cached for it either.
    }
  }
}
