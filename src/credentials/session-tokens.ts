import { AttemptAudit, type AuditDependencies } from '../audit/attempt-audit.js';
import type { NameHasher } from '../audit/token-hash.js';
import type { CommandRegistry } from '../commands/command-registry.js';
import { describeBodyIssues } from '../config/describe-issues.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { CommandExecutor } from '../executor/command-executor.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import { toSessionIdentity, type Identity } from '../identity/identity.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import type { BruteForceGuard, GuardedKey } from '../rate-limit/brute-force-guard.js';
import { countingName } from '../rate-limit/counting-name.js';
import type { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import type { ParsedRateLimitOptions } from '../rate-limit/rate-limit-options.js';
import { clientNetwork } from '../request/client-network.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import type { RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Store } from '../store/store.js';
import { rateLimitKeys, storeKeys } from '../store/store-keys.js';
import { neverAborted } from '../time/deadline.js';
import type { UserDirectory } from '../users/user-directory.js';
import { ResponseTimeCover } from './response-time-cover.js';
import type { ParsedSessionTokenOptions } from './session-token-options.js';
import { mintSessionToken } from './session-token.js';
import { tokenRequestSchema, type TokenRequest } from './token-request.js';

/** The shared parts the session-token flow works with. */
export interface SessionTokenServices<User> extends AuditDependencies {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly store: Pick<Store, 'sessions'>;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly placeholders: PlaceholderBuilder;
  readonly guard: BruteForceGuard;
  /** Bounds the partner calls one client network has under way. */
  readonly inFlight: InFlightLimit;
  /** Keyed hash for names in rate-limit counters. */
  readonly nameKey: NameHasher;
}

/** The option groups the session-token flow reads. */
export interface SessionTokenOptionGroups {
  readonly sessionTokens: ParsedSessionTokenOptions;
  readonly rateLimits: ParsedRateLimitOptions;
}

/** A new session token. */
export interface IssuedToken {
  /** The token; shown to the client once and stored only as a hash. */
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Session tokens (flow 2, `POST authentication/token`): checks the body's conditional rules,
 * verifies the credentials through `VerifyCredentials` (username and password) or
 * `VerifyAccessToken` (access-token identifier), resolves the user and opens a session token
 * that lives `sessionTokens.ttlMs`. An unknown user and a wrong password fail identically
 * (`login_failed`); every attempt counts against the client network and the name first.
 */
export class SessionTokens<User> {
  readonly #services: SessionTokenServices<User>;
  readonly #options: SessionTokenOptionGroups;
  /** Makes an unknown organisation take as long as a wrong password. */
  readonly #timingCover: ResponseTimeCover;

  constructor(services: SessionTokenServices<User>, options: SessionTokenOptionGroups) {
    this.#services = services;
    this.#options = options;
    this.#timingCover = new ResponseTimeCover(services.tenants.names);
  }

  /**
   * Issues a session token for the credentials in the request body.
   * @throws LoginError — `invalid_request` (with the offending fields in `description`),
   *   `login_failed`, `user_deactivated`, `tenant_not_found`, `rate_limited`, or 503 on outages.
   */
  issue(request: RequestInfo): Promise<IssuedToken> {
    const audit = new AttemptAudit(this.#services, 'session-token', request);
    return audit.within(() => this.#issue(request, audit));
  }

  async #issue(request: RequestInfo, audit: AttemptAudit): Promise<IssuedToken> {
    const { now, store, users } = this.#services;
    const started = now();
    try {
      const parsed = tokenRequestSchema.safeParse(request.body ?? {});
      if (!parsed.success) {
        throw new LoginError('invalid_request', { reason: 'token request rejected', description: describeBodyIssues(parsed.error, request.body) });
      }
      const body = parsed.data;
      const tenant = (audit.tenant = this.#organisationTenant(request, body.organisation));
      const verified = await this.#verifyCounted(request, tenant, body);
      const userId = (audit.userId = users.idOf(verified.user));
      const token = mintSessionToken();
      const expiresAt = started + this.#options.sessionTokens.ttlMs;
      await store.sessions.create(storeKeys.sessionToken(token), {
        kind: 'session-token',
        tenant: verified.identity.tenant,
        userId,
        identity: toSessionIdentity(verified.identity),
        createdAt: started,
        expiresAt,
      });
      await this.#endOldestSessions(verified.identity.tenant, userId);
      audit.succeeded();
      return { token, expiresAt };
    } catch (error) {
      throw audit.failed(error);
    }
  }

  /** The tenant an `organisation` names when tenants are configured; undefined when it names none. */
  #organisationTenant(request: RequestInfo, organisation: string): string | undefined {
    const { tenants } = this.#services;
    if (!tenants.configured) return tenants.forRequest(request);
    return tenants.names.includes(organisation) ? organisation : undefined;
  }

  /** Counts the attempt, then verifies; only a wrong guess keeps its count. */
  async #verifyCounted(request: RequestInfo, tenant: string | undefined, body: TokenRequest): Promise<{ user: User; identity: Identity }> {
    // An unknown organisation counts under its own name, exactly as a tenant would: shared counters would tell it apart.
    const attempt = await this.#services.guard.attempt(this.#guardedKeys(request, tenant ?? body.organisation, body));
    // Wall time, not the app's clock: the cover is about what a client can measure.
    const checkStarted = performance.now();
    let verified: { user: User; identity: Identity };
    try {
      // An unknown organisation fails like a wrong password, and takes as long: tenant names are not for guessing here.
      if (tenant === undefined) {
        await this.#timingCover.wait(body.organisation);
        throw new LoginError('login_failed', { reason: 'unknown organisation' });
      }
      verified = await this.#verify(request, tenant, body);
    } catch (error) {
      if (isLoginError(error) && error.code === 'login_failed' && tenant !== undefined) this.#timingCover.record(tenant, performance.now() - checkStarted);
      // Only a wrong guess keeps its count; outages and deactivated users give it back.
      if (!isLoginError(error) || error.code !== 'login_failed') await attempt.undecided();
      throw error;
    }
    await attempt.succeeded();
    return verified;
  }

  /**
   * The counters an attempt is charged to: the client network (`tokenFailuresPerIp`); for a
   * username, access-token identifier or authentication code, that name (in its counting form)
   * from this network (`tokenFailuresPerUsername`, reset by a success) and from all networks
   * (`tokenFailuresPerUsernameTotal`); and for authentication codes, which are guessed by trying
   * many, every code attempt of the tenant together (`authenticationCodeFailuresPerTenant`).
   */
  #guardedKeys(request: RequestInfo, tenant: string, body: TokenRequest): GuardedKey[] {
    const { rateLimits } = this.#options;
    const { nameKey } = this.#services;
    const network = clientNetwork(request.ip);
    const keys: GuardedKey[] = [{ key: rateLimitKeys.tokenIp(network), limit: rateLimits.tokenFailuresPerIp, onSuccess: 'refund' }];
    const code = body.access_token_identifier?.authentication_code;
    const name = body.username ?? body.access_token_identifier?.identifier ?? code;
    if (name !== undefined) {
      const counted = countingName(name);
      const hashed = nameKey(tenant, counted);
      keys.push(
        // Only the name itself clears its counter: a variant's owner may not reset another account's.
        { key: rateLimitKeys.tokenNameIp(hashed, network), limit: rateLimits.tokenFailuresPerUsername, onSuccess: name === counted ? 'reset' : 'refund' },
        { key: rateLimitKeys.tokenName(hashed), limit: rateLimits.tokenFailuresPerUsernameTotal, onSuccess: 'refund' },
      );
    }
    if (code !== undefined) keys.push({ key: rateLimitKeys.tokenCode(nameKey(tenant, '')), limit: rateLimits.authenticationCodeFailuresPerTenant, onSuccess: 'refund' });
    return keys;
  }

  /** Keeps a user's live session tokens at `sessionTokens.maxPerUser`, ending the oldest. */
  async #endOldestSessions(tenant: string, userId: string): Promise<void> {
    const { sessions } = this.#services.store;
    const open = (await sessions.listForUser(tenant, userId)).filter((entry) => entry.kind === 'session-token');
    for (const entry of open.slice(0, Math.max(0, open.length - this.#options.sessionTokens.maxPerUser))) await sessions.revoke(entry.key);
  }

  /** Runs the credential command and resolves the user; the identity is kept with the session. */
  async #verify(request: RequestInfo, tenant: string, body: TokenRequest): Promise<{ user: User; identity: Identity }> {
    const { commands, executor, inFlight, placeholders, users, telemetry } = this.#services;
    const access = body.access_token_identifier;
    const name = access === undefined ? 'VerifyCredentials' : 'VerifyAccessToken';
    const command = commands.resolvePartner(name, tenant);
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
    const filled = placeholders.build(request, tenant, values, command.definition);
    const answer = await inFlight.run(clientNetwork(request.ip), () => telemetry.partnerCall(command, () => executor.run(command, filled, neverAborted)));
    if (answer === null) throw new LoginError('login_failed', { reason: `${name} rejected the credentials` });
    const parsed = parseIdentityAnswer(answer, command.definition.identity, access === undefined ? 'credentials' : 'access-token');
    if (parsed.kind === 'malformed') throw validatorUnavailable(`${name} answer is malformed: ${parsed.reason}`);
    if (parsed.kind === 'none') throw new LoginError('login_failed', { reason: `${name} answer names no contact` });
    const identity: Identity = { ...parsed.identity, tenant };
    return { user: await users.resolve(identity), identity };
  }
}
