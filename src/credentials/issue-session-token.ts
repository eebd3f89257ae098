import type { AuditSink } from '../audit/audit-event.js';
import { emitAudit } from '../audit/emit-audit.js';
import type { CommandRegistry } from '../commands/command-registry.js';
import { secretHash } from '../crypto/secret-hash.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { CommandExecutor } from '../executor/command-executor.js';
import { describeFault, validatorUnavailable } from '../executor/unavailable.js';
import type { Identity } from '../identity/identity.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import type { BruteForceGuard, GuardedKey } from '../rate-limit/brute-force-guard.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../store/clock.js';
import type { SessionStore } from '../store/session-store.js';
import type { UserDirectory } from '../users/user-directory.js';
import { mintSessionToken, sessionKey } from './session-token.js';
import { describeTokenRequestIssues, tokenRequestSchema, type TokenRequest } from './token-request.js';

/** What {@link issueSessionToken} needs. */
export interface CredentialDependencies<User> {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly sessions: SessionStore;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly placeholders: PlaceholderBuilder;
  readonly guard: BruteForceGuard;
  readonly limits: { readonly failuresPerIp: number; readonly failuresPerUsername: number };
  /** Absolute lifetime of a session token. */
  readonly ttlMs: number;
  readonly audit: AuditSink | undefined;
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
  const started = deps.now();
  let tenant: string | undefined;
  let userId: string | undefined;
  try {
    const parsed = tokenRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success) {
      throw new LoginError('invalid_request', { reason: 'token request rejected', description: describeTokenRequestIssues(parsed.error) });
    }
    const body = parsed.data;
    tenant = deps.tenants.configured ? deps.tenants.byName(body.organisation) : deps.tenants.forRequest(request);
    const guarded: GuardedKey[] = [{ key: `token-ip:${request.ip}`, limit: deps.limits.failuresPerIp }];
    if (body.username !== undefined) {
      guarded.push({ key: `token-user:${secretHash(tenant, body.username.toLowerCase())}`, limit: deps.limits.failuresPerUsername });
    }
    await deps.guard.assertAllowed(guarded);
    let verified: { user: User; identity: Identity };
    try {
      verified = await verify(deps, request, tenant, body);
    } catch (error) {
      if (isLoginError(error) && error.code === 'login_failed') await deps.guard.recordFailure(guarded);
      throw error;
    }
    if (guarded[1] !== undefined) await deps.guard.reset(guarded[1].key);
    userId = deps.users.idOf(verified.user);
    const token = mintSessionToken();
    const expiresAt = started + deps.ttlMs;
    await deps.sessions.create(sessionKey(token), {
      kind: 'session-token',
      tenant,
      userId,
      identity: {
        ...(verified.identity.contactId === undefined ? {} : { contactId: verified.identity.contactId }),
        ...(verified.identity.contactEmail === undefined ? {} : { contactEmail: verified.identity.contactEmail }),
        tokenType: verified.identity.tokenType,
      },
      createdAt: started,
      expiresAt,
    });
    emitAudit(deps.audit, { type: 'session-token', outcome: 'ok', at: started, latencyMs: deps.now() - started, ip: request.ip, tenant, userId });
    return { token, expiresAt };
  } catch (error) {
    const failure = isLoginError(error) ? error : new LoginError('store_unavailable', { reason: describeFault(error), cause: error });
    emitAudit(deps.audit, {
      type: 'session-token',
      outcome: failure.code,
      at: started,
      latencyMs: deps.now() - started,
      ip: request.ip,
      ...(tenant === undefined ? {} : { tenant }),
      ...(failure.reason === undefined ? {} : { reason: failure.reason }),
    });
    throw failure;
  }
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
  const answer = await deps.executor.run(command, deps.placeholders.build(request, tenant, values), new AbortController().signal);
  if (answer === null) throw new LoginError('login_failed', { reason: `${name} rejected the credentials` });
  const parsed = parseIdentityAnswer(answer, command.definition.identity);
  if (parsed.kind === 'malformed') throw validatorUnavailable(`${name} answer is malformed: ${parsed.reason}`);
  if (parsed.kind === 'none') throw new LoginError('login_failed', { reason: `${name} answer names no contact` });
  const identity: Identity = {
    ...(parsed.contactId === undefined ? {} : { contactId: parsed.contactId }),
    ...(parsed.contactEmail === undefined ? {} : { contactEmail: parsed.contactEmail }),
    tenant,
    tokenType: access === undefined ? 'credentials' : 'access-token',
  };
  return { user: await deps.users.resolve(identity), identity };
}
