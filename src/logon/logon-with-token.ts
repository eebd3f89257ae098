import { randomUUID } from 'node:crypto';
import { describeBodyIssues } from '../config/describe-issues.js';
import type { AuditSink } from '../audit/audit-event.js';
import { AttemptAudit } from '../audit/attempt-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import { rateLimitKeys, storeKeys } from '../store/store-keys.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { Identity } from '../identity/identity.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import { clientNetwork } from '../request/client-network.js';
import type { RequestInfo } from '../request/request-info.js';
import { unknownTenant, type TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../time/clock.js';
import type { OneTimeLedger } from '../store/one-time-ledger.js';
import { toSessionIdentity } from '../identity/identity.js';
import type { SessionStore } from '../store/session-store.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { ConnectionJwt } from './connection-jwt.js';
import { ipAllowed } from './ip-allow-list.js';
import { logonRequestSchema } from './logon-request.js';
import { toAbsenceInfo, type AbsenceInfoContract } from './absence-info.js';
import type { AbsenceDecision, LicenceDecision, LicenceRefusal, LogonContext, TooManySessionsPolicy, TwoStepDecision } from './logon-policies.js';
import type { ErrorCode } from '../errors/catalogue.js';
import type { TokenTypeRegistry } from './token-type-registry.js';

/** The vendor's `LogonResultContract`, field for field. */
export interface LogonResultContract {
  /** The user's absence (by default: not absent, no dates, no deputy). */
  AbsenceInfo: AbsenceInfoContract;
  ConnectionId: string;
  ConnectionTimeoutSeconds: number;
  IsApplicationLicence: boolean;
  IsConcurrentLicence: boolean;
  IsNamedLicence: boolean;
  IsVerificationCodeNeeded: boolean;
  PossibleTwoWayAuthenticationType: string;
  TwoWayAuthenticationTargetMail: string | null;
  JWTToken: string;
}

/** The policy hooks and limits of LogonWithToken. */
export interface LogonPolicies<User> {
  /** Client ids allowed per tenant; a tenant without a list accepts any. */
  readonly clientIds: (tenant: string) => readonly string[] | undefined;
  /** Whether a tenant's clients must name themselves (`clientId`); otherwise an absent one is accepted. */
  readonly requireClientId: (tenant: string) => boolean;
  /** Addresses or CIDR blocks the user may log on from; undefined allows any. */
  readonly allowedIps: ((user: User, context: LogonContext) => readonly string[] | undefined) | undefined;
  readonly licence: ((user: User, context: LogonContext) => LicenceDecision | Promise<LicenceDecision>) | undefined;
  readonly twoStep: ((user: User, context: LogonContext) => TwoStepDecision | Promise<TwoStepDecision>) | undefined;
  readonly absence: ((user: User, context: LogonContext) => AbsenceDecision | null | undefined | Promise<AbsenceDecision | null | undefined>) | undefined;
  /** Most open connections per user. */
  readonly maxSessionsPerUser: number;
  readonly onTooManySessions: TooManySessionsPolicy;
  /** Sliding idle timeout of a connection. */
  readonly idleTimeoutSeconds: number;
  /** Absolute limit of a connection, however active. */
  readonly maxAgeSeconds: number;
}

/** What {@link logonWithToken} needs. */
export interface LogonDependencies<User> {
  readonly tokenTypes: TokenTypeRegistry;
  readonly ledger: OneTimeLedger;
  readonly sessions: SessionStore;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly connectionJwt: ConnectionJwt;
  readonly guard: BruteForceGuard;
  readonly failuresPerIp: number;
  /**
   * Tenant names are not public (`listTenantNames: false`): an unknown `tenantName` goes through
   * the shared token types and fails like a bad token, instead of answering 10038.
   */
  readonly hideTenantNames: boolean;
  /** How long a logon in progress holds a single-use token. */
  readonly reservationMs: number;
  readonly policies: LogonPolicies<User>;
  readonly audit: AuditSink | undefined;
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
}

/**
 * `Authentication/LogonWithToken`: picks the tenant (10038) and checks the client id (10089),
 * verifies the token with its token type (10060 when unknown), resolves the user (10006,
 * deactivated), applies the IP allow-list (10222), the licence hook (10056, 10057, 10100, 10285)
 * and the maximum-sessions rule (10055), asks the absence hook, then opens a connection with a
 * sliding idle timeout and a JWT bound to it. Single-use token types are marked used only when all of that succeeded.
 */
export async function logonWithToken<User>(deps: LogonDependencies<User>, request: RequestInfo): Promise<LogonResultContract> {
  const audit = new AttemptAudit(deps, 'logon-with-token', request);
  const parsed = logonRequestSchema.safeParse(request.body ?? {});
  try {
    if (!parsed.success) {
      throw new LoginError('invalid_request', { reason: 'logon request rejected', description: describeBodyIssues(parsed.error, request.body ?? {}) });
    }
    const body = parsed.data;
    audit.token = body.token;
    // Where tenant names are not public, an unknown one answers as a failed logon would (see openConnection).
    const tenant = deps.tenants.byClientName(body.tenantName, deps.hideTenantNames);
    if (tenant !== unknownTenant) audit.tenant = tenant;
    // The seed: "Optional … used for licence validation. Default: null" (an empty one is none too).
    const clientId = body.clientId || null;
    // Tenants may list their own client ids, so where names are private the check waits until
    // the token proved its holder knows the tenant (see openConnection).
    if (!deps.hideTenantNames) checkClientId(deps.policies, tenant, clientId);
    const verifier = deps.tokenTypes.resolve(tenant, body.tokenType);
    if (verifier === undefined) throw new LoginError('token_type_unknown', { reason: 'no such token type for this tenant' });
    const attempt = await deps.guard.attempt([{ key: rateLimitKeys.logonIp(clientNetwork(request.ip)), limit: deps.failuresPerIp, onSuccess: 'refund' }]);
    const context: LogonContext = { tenant, clientId, ip: request.ip, tokenType: body.tokenType };
    let result: LogonResultContract;
    try {
      result = await openConnection(deps, context, verifier, body.token, (id) => (audit.userId = id));
    } catch (error) {
      // Rejected tokens keep their count; policy refusals and outages give it back.
      if (!isLoginError(error) || error.status !== 401) await attempt.undecided();
      throw error;
    }
    // The connection is open: a counter the store fails to give back may not turn that into an error.
    await attempt.succeeded().catch(() => undefined);
    audit.succeeded();
    return result;
  } catch (error) {
    throw audit.failed(error);
  }
}

async function openConnection<User>(
  deps: LogonDependencies<User>,
  context: LogonContext,
  verifier: NonNullable<ReturnType<TokenTypeRegistry['resolve']>>,
  token: string,
  onUser: (userId: string) => void,
): Promise<LogonResultContract> {
  const { tenant } = context;
  const verified = await verifier.verify(token, tenant);
  if (tenant === unknownTenant) throw new LoginError('token_invalid', { reason: 'unknown tenant name' });
  if (deps.hideTenantNames) checkClientId(deps.policies, tenant, context.clientId);
  const reservation = verified.oneTime === undefined ? undefined : await deps.ledger.reserve(verified.oneTime.key, deps.reservationMs);
  if (reservation !== undefined && reservation.status !== 'reserved') {
    throw new LoginError('token_invalid', { reason: 'signed token already used' });
  }
  let connection: string | undefined;
  try {
    const identity: Identity = { ...verified.identity, tenant };
    const user = await deps.users.resolve(identity);
    const userId = deps.users.idOf(user);
    onUser(userId);
    const policies = deps.policies;
    const ranges = policies.allowedIps?.(user, context);
    if (ranges !== undefined && !ipAllowed(context.ip, ranges)) throw new LoginError('ip_not_allowed', { reason: 'address not on the user allow-list' });
    const licence = (await policies.licence?.(user, context)) ?? { allowed: true, isConcurrentLicence: true };
    if (!licence.allowed) throw licenceRefused(licence);
    await refuseWhenFull(deps, tenant, userId);
    const twoStep = (await policies.twoStep?.(user, context)) ?? { type: 'None' };
    const absenceDecision = await policies.absence?.(user, context);

    const now = deps.now();
    const absence = toAbsenceInfo(absenceDecision, now);
    const connectionId = randomUUID();
    connection = storeKeys.connection(connectionId);
    const expiresAt = now + policies.maxAgeSeconds * 1000;
    await deps.sessions.create(connection, {
      kind: 'connection',
      tenant,
      userId,
      identity: toSessionIdentity(identity),
      createdAt: now,
      expiresAt,
      idleTimeoutMs: policies.idleTimeoutSeconds * 1000,
      // Not a credential until the app confirms the second factor (login.confirmSecondFactor).
      pendingSecondFactor: twoStep.type !== 'None',
    });
    await enforceMaxSessions(deps, tenant, userId, connection);
    // A JWT verifies offline, where nobody would see the pending flag: it comes with confirmSecondFactor.
    const jwt = twoStep.type === 'None' ? deps.connectionJwt.sign({ sid: connection, tenant, userId }, expiresAt) : '';
    if (reservation?.status === 'reserved' && !(await deps.ledger.consume(verified.oneTime!.key, reservation.id, verified.oneTime!.rememberMs))) {
      throw new LoginError('token_invalid', { reason: 'reservation lost before the token was consumed' });
    }
    return {
      AbsenceInfo: absence,
      ConnectionId: connectionId,
      ConnectionTimeoutSeconds: policies.idleTimeoutSeconds,
      IsApplicationLicence: licence.isApplicationLicence ?? false,
      IsConcurrentLicence: licence.isConcurrentLicence ?? false,
      IsNamedLicence: licence.isNamedLicence ?? false,
      IsVerificationCodeNeeded: twoStep.type !== 'None',
      PossibleTwoWayAuthenticationType: twoStep.type,
      TwoWayAuthenticationTargetMail: twoStep.targetMail ?? null,
      JWTToken: jwt,
    };
  } catch (error) {
    if (connection !== undefined) await deps.sessions.revoke(connection).catch(() => undefined);
    if (reservation?.status === 'reserved') await deps.ledger.release(verified.oneTime!.key, reservation.id).catch(() => undefined);
    throw error;
  }
}

/** 10089 for a client id off the tenant's list, or for none where the tenant requires one. */
function checkClientId<User>(policies: LogonPolicies<User>, tenant: string, clientId: string | null): void {
  if (clientId === null) {
    if (policies.requireClientId(tenant)) throw new LoginError('client_id', { reason: 'no client id, and this tenant requires one' });
    return;
  }
  const allowed = policies.clientIds(tenant);
  if (allowed !== undefined && !allowed.includes(clientId)) throw new LoginError('client_id', { reason: 'client id not on the allow-list' });
}

/** The catalogue entry of each reason the licence hook may give; an unknown reason is 10056. */
const licenceRefusals: Record<LicenceRefusal, ErrorCode> = {
  'no-licence': 'licence_unavailable',
  'named-licence-unavailable': 'named_licence_unavailable',
  'feature-missing': 'licence_feature_missing',
  'no-interactive-application-licence': 'interactive_logon_not_allowed',
};

function licenceRefused(decision: Extract<LicenceDecision, { allowed: false }>): LoginError {
  const code = Object.hasOwn(licenceRefusals, decision.reason) ? licenceRefusals[decision.reason] : 'licence_unavailable';
  const feature = decision.reason === 'feature-missing' && decision.featureId !== undefined ? `: feature ${String(decision.featureId)} missing` : '';
  return new LoginError(code, { reason: `licence hook refused (${String(decision.reason)})${feature}` });
}

/** Fails early (10055) when the user is already at the maximum and the policy is to refuse. */
async function refuseWhenFull<User>(deps: LogonDependencies<User>, tenant: string, userId: string): Promise<void> {
  const max = deps.policies.maxSessionsPerUser;
  if (deps.policies.onTooManySessions !== 'refuse') return;
  const open = (await deps.sessions.listForUser(tenant, userId)).filter((entry) => entry.kind === 'connection');
  if (open.length >= max) throw new LoginError('too_many_sessions', { reason: `${open.length} connections open` });
}

/**
 * The maximum-sessions rule, checked after the new connection was written: connections are
 * listed in write order, which every concurrent logon sees alike. Refusing, a connection that is
 * not among the first `max` withdraws (10055) — so parallel logons can never end up above the
 * maximum; ending the oldest, everything before the newest `max` is ended.
 */
async function enforceMaxSessions<User>(deps: LogonDependencies<User>, tenant: string, userId: string, own: string): Promise<void> {
  const max = deps.policies.maxSessionsPerUser;
  const open = (await deps.sessions.listForUser(tenant, userId)).filter((entry) => entry.kind === 'connection');
  if (open.length <= max) return;
  if (deps.policies.onTooManySessions === 'refuse') {
    if (open.findIndex((entry) => entry.key === own) >= max) throw new LoginError('too_many_sessions', { reason: `${open.length} connections open` });
    return;
  }
  for (const entry of open.slice(0, open.length - max)) if (entry.key !== own) await deps.sessions.revoke(entry.key);
}
