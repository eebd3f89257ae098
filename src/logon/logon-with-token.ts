import { AttemptAudit, type AuditDependencies } from '../audit/attempt-audit.js';
import { describeBodyIssues } from '../config/describe-issues.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { Identity } from '../identity/identity.js';
import { missingScopes } from '../oauth/scopes.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import type { ParsedRateLimitOptions } from '../rate-limit/rate-limit-options.js';
import { clientNetwork } from '../request/client-network.js';
import { readParameter, type RequestInfo } from '../request/request-info.js';
import { unknownTenant, type TenantResolver } from '../request/tenant-resolver.js';
import type { Store } from '../store/store.js';
import type { SingleUse } from '../store/single-use.js';
import { rateLimitKeys } from '../store/store-keys.js';
import type { UserDirectory } from '../users/user-directory.js';
import { toAbsenceInfo } from './absence-info.js';
import { checkClientId, type ClientIdOptions } from './client-id-policy.js';
import { confirmSecondFactor, type ConfirmedConnection } from './confirm-second-factor.js';
import type { ConnectionJwt } from './connection-jwt.js';
import { checkAllowedIp } from './ip-allow-list.js';
import { checkLicence } from './licence-policy.js';
import type { ParsedLogonOptions } from './logon-options.js';
import type { LogonContext } from './logon-hooks.js';
import { logonRequestSchema } from './logon-request.js';
import { logonResult, type LogonResultContract } from './logon-result.js';
import { openConnection } from './open-connection.js';
import { refuseWhenFull } from './session-cap.js';
import type { TokenTypeOptions, TokenTypeRegistry } from './token-type-registry.js';
import type { TokenVerifier } from './token-verifier.js';

/** The shared parts LogonWithToken works with. */
export interface LogonServices<User> extends AuditDependencies {
  readonly store: Pick<Store, 'sessions' | 'apiTokens'>;
  readonly singleUse: SingleUse;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly connectionJwt: ConnectionJwt;
  readonly guard: BruteForceGuard;
  /** Every tenant's token types and their verifiers. */
  readonly tokenTypes: TokenTypeRegistry;
}

/** The option groups LogonWithToken reads. */
export interface LogonOptionGroups {
  readonly logon: ParsedLogonOptions;
  /** Each tenant's own client ids and token types. */
  readonly tenants: Readonly<Record<string, ClientIdOptions['tenants'][string] & TokenTypeOptions['tenants'][string]>>;
  readonly rateLimits: ParsedRateLimitOptions;
}

/**
 * LogonWithToken (flow 3, seed 002): picks the tenant (10038) and checks the client id (10089),
 * verifies the token with its token type (10060 when unknown), resolves the user (10006,
 * deactivated), applies the IP allow-list (10222), the licence hook (10056, 10057, 10100,
 * 10285) and the maximum-sessions rule (10055), asks the second-factor and absence hooks, then
 * opens a connection with a sliding idle timeout and a JWT bound to it. Single-use token types
 * are marked used only when all of that succeeded (`SingleUse`).
 */
export class LogonWithToken<User> {
  readonly #services: LogonServices<User>;
  readonly #options: LogonOptionGroups;
  /**
   * Tenant names are not public (`logon.listTenantNames: false`): an unknown `tenantName` goes
   * through the shared token types and fails like a bad token, instead of answering 10038.
   */
  readonly #hideTenantNames: boolean;

  constructor(services: LogonServices<User>, options: LogonOptionGroups) {
    this.#services = services;
    this.#options = options;
    this.#hideTenantNames = !options.logon.listTenantNames;
  }

  /**
   * Logs the client on with the token in the request body.
   * @throws LoginError with the number that fits.
   */
  logon(request: RequestInfo): Promise<LogonResultContract> {
    const audit = new AttemptAudit(this.#services, 'logon-with-token', request);
    return audit.within(() => this.#logon(request, audit));
  }

  async #logon(request: RequestInfo, audit: AttemptAudit): Promise<LogonResultContract> {
    const parsed = logonRequestSchema.safeParse(request.body ?? {});
    try {
      if (!parsed.success) {
        throw new LoginError('invalid_request', { reason: 'logon request rejected', description: describeBodyIssues(parsed.error, request.body ?? {}) });
      }
      const body = parsed.data;
      audit.token = body.token;
      // Where tenant names are not public, an unknown one answers as a failed logon would (see #logOn).
      const tenant = this.#services.tenants.byClientName(body.tenantName, this.#hideTenantNames);
      if (tenant !== unknownTenant) audit.tenant = tenant;
      // The seed: "Optional … used for licence validation. Default: null" (an empty one is none too).
      const clientId = body.clientId || null;
      // Tenants may list their own client ids, so where names are private the check waits until
      // the token proved its holder knows the tenant (see #logOn).
      if (!this.#hideTenantNames) checkClientId(this.#options, tenant, clientId);
      const verifier = this.#services.tokenTypes.resolve(tenant, body.tokenType);
      if (verifier === undefined) throw new LoginError('token_type_unknown', { reason: 'no such token type for this tenant' });
      // As configured, not as the client spelt it: spans name a bounded set of types.
      audit.tokenType = this.#services.tokenTypes.nameOf(tenant, body.tokenType);
      const attempt = await this.#services.guard.attempt([
        { key: rateLimitKeys.logonIp(clientNetwork(request.ip)), limit: this.#options.rateLimits.tokenFailuresPerIp, onSuccess: 'refund' },
      ]);
      const context: LogonContext = { tenant, clientId, ip: request.ip, tokenType: body.tokenType };
      let result: LogonResultContract;
      try {
        result = await this.#logOn(context, verifier, body.token, audit);
      } catch (error) {
        // Rejected tokens keep their count; policy refusals and outages give it back.
        if (!isLoginError(error) || error.status !== 401) await attempt.undecided();
        throw error;
      }
      // The connection is open: a counter the store fails to give back may not turn that into an error.
      try {
        await attempt.succeeded();
      } catch {
        // given up: the count stays until its window ends
      }
      audit.succeeded();
      return result;
    } catch (error) {
      throw audit.failed(error);
    }
  }

  /**
   * `GetTokenSettings`: the public settings of the JWT profile the request names (`profileId`
   * or `tokenType`, in `tenantName`), never keys.
   * @throws LoginError `token_type_unknown` for any other id.
   */
  tokenSettings(request: RequestInfo): Record<string, unknown> {
    const tenant = this.#services.tenants.byClientName(readParameter(request, 'tenantName'), this.#hideTenantNames);
    const profileId = readParameter(request, 'profileId') ?? readParameter(request, 'tokenType') ?? '';
    const settings = this.#services.tokenTypes.resolve(tenant, profileId)?.publicSettings?.();
    if (settings === undefined) throw new LoginError('token_type_unknown', { reason: 'no JWT profile with this id' });
    return settings;
  }

  /** `GetAllTenantNames`: every tenant, or undefined where names are private (`logon.listTenantNames: false`). */
  tenantNames(): readonly string[] | undefined {
    return this.#hideTenantNames ? undefined : this.#services.tenants.names;
  }

  /** See `LoginWithToken.confirmSecondFactor`. */
  confirmSecondFactor(connectionId: string): Promise<ConfirmedConnection | false> {
    return confirmSecondFactor({ sessions: this.#services.store.sessions, connectionJwt: this.#services.connectionJwt }, connectionId);
  }

  /** Verifies the token, then — under its single use — lets the policies decide and opens the connection. */
  async #logOn(context: LogonContext, verifier: TokenVerifier, token: string, audit: AttemptAudit): Promise<LogonResultContract> {
    const { tenant } = context;
    const { users, singleUse, store, connectionJwt, now } = this.#services;
    const logon = this.#options.logon;
    const verified = await verifier.verify(token, tenant);
    if (tenant === unknownTenant) throw new LoginError('token_invalid', { reason: 'unknown tenant name' });
    const missing = missingScopes(verified.scopes, verified.requiredScopes ?? []);
    if (missing.length > 0) throw new LoginError('insufficient_scope', { reason: `token lacks scope ${missing.join(' ')}` });
    if (this.#hideTenantNames) checkClientId(this.#options, tenant, context.clientId);
    return singleUse.redeem(verified.oneTime, async (redemption) => {
      const identity: Identity = { ...verified.identity, tenant };
      const user = await users.resolve(identity);
      const userId = (audit.userId = users.idOf(user));
      checkAllowedIp(logon.allowedIps, user, context);
      const licence = await checkLicence(logon.licence, user, context);
      await refuseWhenFull(store.sessions, logon, tenant, userId);
      const twoStep = (await logon.twoStepVerification?.(user, context)) ?? { type: 'None' };
      const absenceDecision = await logon.absence?.(user, context);
      const at = now();
      const absence = toAbsenceInfo(absenceDecision, at);
      const pendingSecondFactor = twoStep.type !== 'None';
      const owner = { tenant, userId, identity, pendingSecondFactor, createdAt: at };
      const connection = await openConnection({ sessions: store.sessions, connectionJwt }, logon, owner, redemption);
      return logonResult({ ...connection, connectionTimeoutSeconds: logon.connectionTimeoutSeconds, licence, twoStep, absence });
    });
  }
}
