import type { ResponseTimeCover } from './response-time-cover.js';
import type { AuditSink } from '../audit/audit-event.js';
import { AttemptAudit } from '../audit/attempt-audit.js';
import type { CommandRegistry } from '../commands/command-registry.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { CommandExecutor } from '../executor/command-executor.js';
import { neverAborted } from '../time/deadline.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Identity } from '../identity/identity.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import type { NameHasher, TokenHasher } from '../audit/token-hash.js';
import type { BruteForceGuard, GuardedKey } from '../rate-limit/brute-force-guard.js';
import type { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { clientNetwork } from '../request/client-network.js';
import { countingName } from '../rate-limit/counting-name.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../time/clock.js';
import { toSessionIdentity } from '../identity/identity.js';
import type { SessionStore } from '../store/session-store.js';
import type { UserDirectory } from '../users/user-directory.js';
import { rateLimitKeys, storeKeys } from '../store/store-keys.js';
import { mintSessionToken } from './session-token.js';
import { describeBodyIssues } from '../config/describe-issues.js';
import { tokenRequestSchema, type TokenRequest } from './token-request.js';

/** What {@link issueSessionToken} needs. */
export interface CredentialDependencies<User> {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly sessions: SessionStore;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly placeholders: PlaceholderBuilder;
  readonly guard: BruteForceGuard;
  readonly limits: {
    readonly failuresPerIp: number;
    /** Per name (username or access-token identifier) and client network. */
    readonly failuresPerUsername: number;
    /** Per name, from all networks together. */
    readonly failuresPerUsernameTotal: number;
    /** Authentication-code attempts per tenant, from all networks together. */
    readonly authenticationCodeFailuresPerTenant: number;
  };
  /** Bounds the partner calls one client network has under way. */
  readonly inFlight: InFlightLimit;
  /** Makes an unknown organisation take as long as a wrong password. */
  readonly timingCover: ResponseTimeCover;
  /** Keyed hash for names in rate-limit counters. */
  readonly nameKey: NameHasher;
  /** Absolute lifetime of a session token. */
  readonly ttlMs: number;
  /** Most live session tokens per user; the oldest end first. */
  readonly maxPerUser: number;
  readonly audit: AuditSink | undefined;
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
}

/** A new session token. */
export interface IssuedToken {
  /** The token; shown to the client once and stored only as a hash. */
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * `POST authentication/token`: checks the body's conditional rules, verifies the credentials
 * through `VerifyCredentials` (username and password) or `VerifyAccessToken` (access-token
 * identifier), resolves the user and opens a session token. An unknown user and a wrong
 * password fail identically (`login_failed`); failures count against the client address and
 * the username.
 *
 * @throws LoginError — `invalid_request` (with the offending fields in `description`),
 *   `login_failed`, `user_deactivated`, `tenant_not_found`, `rate_limited`, or 503 on outages.
 */
export async function issueSessionToken<User>(deps: CredentialDependencies<User>, request: RequestInfo): Promise<IssuedToken> {
  const audit = new AttemptAudit(deps, 'session-token', request);
  const started = deps.now();
  try {
    const parsed = tokenRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new LoginError('invalid_request', { reason: 'token request rejected', description: describeBodyIssues(parsed.error, request.body) });
    }
    const body = parsed.data;
    const tenant = (audit.tenant = organisationTenant(deps, request, body.organisation));
    // An unknown organisation counts under its own name, exactly as a tenant would: shared counters would tell it apart.
    const attempt = await deps.guard.attempt(guardedKeys(deps, request, tenant ?? body.organisation, body));
    let verified: { user: User; identity: Identity };
    // Wall time, not the app's clock: the cover is about what a client can measure.
    const checkStarted = performance.now();
    try {
      // An unknown organisation fails like a wrong password, and takes as long: tenant names are not for guessing here.
      if (tenant === undefined) {
        await deps.timingCover.wait(body.organisation);
        throw new LoginError('login_failed', { reason: 'unknown organisation' });
      }
      verified = await verify(deps, request, tenant, body);
    } catch (error) {
      if (isLoginError(error) && error.code === 'login_failed' && tenant !== undefined) deps.timingCover.record(tenant, performance.now() - checkStarted);
      // Only a wrong guess keeps its count; outages and deactivated users give it back.
      if (!isLoginError(error) || error.code !== 'login_failed') await attempt.undecided();
      throw error;
    }
    await attempt.succeeded();
    const userId = (audit.userId = deps.users.idOf(verified.user));
    const token = mintSessionToken();
    const expiresAt = started + deps.ttlMs;
    await deps.sessions.create(storeKeys.sessionToken(token), {
      kind: 'session-token',
      tenant,
      userId,
      identity: toSessionIdentity(verified.identity),
      createdAt: started,
      expiresAt,
    });
    await endOldestSessions(deps, tenant, userId);
    audit.succeeded();
    return { token, expiresAt };
  } catch (error) {
    throw audit.failed(error);
  }
}

/** The tenant an `organisation` names when tenants are configured; undefined when it names none. */
function organisationTenant<User>(deps: CredentialDependencies<User>, request: RequestInfo, organisation: string): string | undefined {
  if (!deps.tenants.configured) return deps.tenants.forRequest(request);
  return deps.tenants.names.includes(organisation) ? organisation : undefined;
}

/**
 * The counters an attempt is charged to: the client network; for a username, access-token
 * identifier or authentication code, that name (in its counting form) from this network (reset
 * by a success) and from all networks together; and for authentication codes, which are guessed
 * by trying many, every code attempt of the tenant together.
 */
function guardedKeys<User>(deps: CredentialDependencies<User>, request: RequestInfo, tenant: string, body: TokenRequest): GuardedKey[] {
  const network = clientNetwork(request.ip);
  const keys: GuardedKey[] = [{ key: rateLimitKeys.tokenIp(network), limit: deps.limits.failuresPerIp, onSuccess: 'refund' }];
  const code = body.access_token_identifier?.authentication_code;
  const name = body.username ?? body.access_token_identifier?.identifier ?? code;
  if (name !== undefined) {
    const counted = countingName(name);
    const nameKey = deps.nameKey(tenant, counted);
    keys.push(
      // Only the name itself clears its counter: a variant's owner may not reset another account's.
      { key: rateLimitKeys.tokenNameIp(nameKey, network), limit: deps.limits.failuresPerUsername, onSuccess: name === counted ? 'reset' : 'refund' },
      { key: rateLimitKeys.tokenName(nameKey), limit: deps.limits.failuresPerUsernameTotal, onSuccess: 'refund' },
    );
  }
  if (code !== undefined) keys.push({ key: rateLimitKeys.tokenCode(deps.nameKey(tenant, '')), limit: deps.limits.authenticationCodeFailuresPerTenant, onSuccess: 'refund' });
  return keys;
}

/** Keeps a user's live session tokens at `maxPerUser`, ending the oldest. */
async function endOldestSessions<User>(deps: CredentialDependencies<User>, tenant: string, userId: string): Promise<void> {
  const open = (await deps.sessions.listForUser(tenant, userId)).filter((entry) => entry.kind === 'session-token');
  for (const entry of open.slice(0, Math.max(0, open.length - deps.maxPerUser))) await deps.sessions.revoke(entry.key);
}

/** Runs the credential command and resolves the user; the identity is kept with the session. */
async function verify<User>(
  deps: CredentialDependencies<User>,
  request: RequestInfo,
  tenant: string,
  body: TokenRequest,
): Promise<{ user: User; identity: Identity }> {
  const access = body.access_token_identifier;
  const name = access === undefined ? 'VerifyCredentials' : 'VerifyAccessToken';
  const command = deps.commands.resolve(name, tenant);
  if (command === undefined) throw new LoginError('login_failed', { reason: `no ${name} command for this tenant` });
  const values: Record<string, string> = { organisation: body.organisation };
  if (body.unit !== undefined) values['unit'] = body.unit;
  if (access === undefined) {
    values['username'] = body.username!;
    values['password'] = body.password!;
  } else {
    if (access.authentication_code !== undefined) values['authenticationCode'] = access.authentication_code;
    if (access.identifier !== undefined) values['identifier'] = access.identifier;
    if (access.pass_code !== undefined) values['passCode'] = access.pass_code;
  }
  const placeholders = deps.placeholders.build(request, tenant, values, command.definition);
  const answer = await deps.inFlight.run(clientNetwork(request.ip), () => deps.executor.run(command, placeholders, neverAborted));
  if (answer === null) throw new LoginError('login_failed', { reason: `${name} rejected the credentials` });
  const parsed = parseIdentityAnswer(answer, command.definition.identity, access === undefined ? 'credentials' : 'access-token');
  if (parsed.kind === 'malformed') throw validatorUnavailable(`${name} answer is malformed: ${parsed.reason}`);
  if (parsed.kind === 'none') throw new LoginError('login_failed', { reason: `${name} answer names no contact` });
  const identity: Identity = { ...parsed.identity, tenant };
  return { user: await deps.users.resolve(identity), identity };
}
