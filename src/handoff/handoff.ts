import { AttemptAudit, type AuditDependencies } from '../audit/attempt-audit.js';
import type { CommandRegistry } from '../commands/command-registry.js';
import type { CompiledPartnerCommand } from '../config/command-schema.js';
import { describeFault } from '../errors/describe-fault.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { Command, CommandExecutor } from '../executor/command-executor.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Identity } from '../identity/identity.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import type { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import type { ParsedRateLimitOptions } from '../rate-limit/rate-limit-options.js';
import { clientNetwork } from '../request/client-network.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import { readParameter, type RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { SingleUse } from '../store/single-use.js';
import { rateLimitKeys, storeKeys } from '../store/store-keys.js';
import { neverAborted } from '../time/deadline.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { ParsedHandoffOptions } from './handoff-options.js';
import { safeReturnTo } from './safe-return-to.js';

/** The shared parts the handoff works with. */
export interface HandoffServices<User> extends AuditDependencies {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly singleUse: SingleUse;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly placeholders: PlaceholderBuilder;
  readonly guard: BruteForceGuard;
  /** Bounds the partner calls one client network has under way. */
  readonly inFlight: InFlightLimit;
}

/** The option groups the handoff reads. */
export interface HandoffOptionGroups {
  readonly handoff: ParsedHandoffOptions;
  readonly rateLimits: ParsedRateLimitOptions;
}

/** A successful handoff. */
export interface HandoffResult<User> {
  readonly user: User;
  readonly identity: Identity;
  readonly tenant: string;
}

/** How the adapter starts the user's session, and ends it again if the redemption is lost. */
export interface SessionControl<User> {
  /** Starts the session; throwing leaves the token unused. */
  start(user: User): Promise<void>;
  /** Ends the session just started. */
  end(): Promise<void>;
}

/** For callers that start the session themselves after success (the Passport strategy). */
export const noSession: SessionControl<unknown> = { start: async () => undefined, end: async () => undefined };

// Printable ASCII without spaces: covers hex, base64(url) and JWT-shaped tokens, refuses anything
// that could smuggle line breaks or odd encodings into a template.
const tokenShape = /^[\x21-\x7e]{1,4096}$/;

/**
 * The handoff (flow 1): redeems the `authToken` of a request exactly once — run the tenant's
 * `LoginWithToken` command, read the identity, resolve the user, start the session, all under
 * the token's single use (`SingleUse`), so a validator timeout never burns it and concurrent
 * redemptions of one token see `token_invalid`. Every attempt counts against the client network
 * (`rateLimits.handoffFailuresPerIp`) before the partner is asked; only rejections keep it.
 */
export class Handoff<User> {
  readonly #services: HandoffServices<User>;
  readonly #options: HandoffOptionGroups;

  constructor(services: HandoffServices<User>, options: HandoffOptionGroups) {
    this.#services = services;
    this.#options = options;
  }

  /**
   * Redeems the request's `authToken` and starts the session through `session`.
   * @throws LoginError with the code the client should see.
   */
  async redeem(request: RequestInfo, session: SessionControl<User>, signal: AbortSignal = neverAborted): Promise<HandoffResult<User>> {
    const audit = new AttemptAudit(this.#services, 'handoff', request);
    const authToken = readParameter(request, 'authToken');
    audit.token = authToken;
    try {
      const tenant = (audit.tenant = this.#services.tenants.forRequest(request));
      if (authToken === undefined || !tokenShape.test(authToken)) {
        throw new LoginError('token_invalid', { reason: authToken === undefined ? 'no authToken' : 'malformed authToken' });
      }
      const result = await audit.within(() => this.#redeemCounted(request, tenant, authToken, session, signal));
      try {
        audit.userId = this.#services.users.idOf(result.user);
      } catch {
        // The sign-in happened; a faulty userIdOf may only cost the audit event its user id.
      }
      audit.succeeded();
      return result;
    } catch (error) {
      throw audit.failed(error);
    }
  }

  /**
   * Where the browser goes after a handoff: the request's `returnTo` when it is a same-origin
   * path (never one holding the token), else `handoff.defaultReturnTo`.
   */
  returnTo(request: RequestInfo): string {
    return safeReturnTo(readParameter(request, 'returnTo'), this.#options.handoff.defaultReturnTo, readParameter(request, 'authToken'));
  }

  async #redeemCounted(request: RequestInfo, tenant: string, authToken: string, session: SessionControl<User>, signal: AbortSignal): Promise<HandoffResult<User>> {
    const command = this.#services.commands.resolvePartner('LoginWithToken', tenant);
    if (command === undefined) throw new LoginError('token_invalid', { reason: 'no LoginWithToken command for this tenant' });
    // Every attempt is counted before the partner is asked, so a burst cannot outrun the limit
    // on guessing partner tokens (nor multiply calls to the partner); only rejections keep it.
    const attempt = await this.#services.guard.attempt([
      { key: rateLimitKeys.handoffIp(clientNetwork(request.ip)), limit: this.#options.rateLimits.handoffFailuresPerIp, onSuccess: 'refund' },
    ]);
    try {
      const token = { key: storeKeys.authToken(authToken), rememberMs: this.#options.handoff.maxTokenAgeMs };
      const result = await this.#services.singleUse.redeem(token, async (redemption) => {
        const { user, identity } = await this.#identify(request, tenant, authToken, command, signal);
        await startSession(session, user);
        // The user must not stay signed in on a token that remains redeemable.
        redemption.onFailure(() => session.end());
        return { user, identity, tenant };
      });
      // The user is signed in and the token spent: a counter the store fails to give back may not turn that into an error.
      try {
        await attempt.succeeded();
      } catch {
        // given up: the count stays until its window ends
      }
      return result;
    } catch (error) {
      if (!isLoginError(error) || error.code !== 'token_invalid') await attempt.undecided();
      throw error;
    }
  }

  /** Asks the partner about the token, reads the identity it names and resolves the user. */
  async #identify(request: RequestInfo, tenant: string, authToken: string, command: Command<CompiledPartnerCommand>, signal: AbortSignal): Promise<{ user: User; identity: Identity }> {
    const { executor, inFlight, placeholders, users, telemetry } = this.#services;
    const values = placeholders.build(request, tenant, { authToken }, command.definition);
    const answer = await inFlight.run(clientNetwork(request.ip), () => telemetry.partnerCall(command, () => executor.run(command, values, signal)));
    if (answer === null) throw new LoginError('token_invalid', { reason: 'partner rejected the token' });
    const parsed = parseIdentityAnswer(answer, command.definition.identity, 'authToken');
    if (parsed.kind === 'none') throw new LoginError('token_invalid', { reason: 'partner answer names no contact' });
    if (parsed.kind === 'malformed') throw validatorUnavailable(`partner answer is malformed: ${parsed.reason}`);
    const identity: Identity = { ...parsed.identity, tenant };
    return { user: await users.resolve(identity), identity };
  }
}

/** Starts the user's session; a failure there is an outage of ours, and leaves the token usable. */
async function startSession<User>(session: SessionControl<User>, user: User): Promise<void> {
  try {
    await session.start(user);
  } catch (error) {
    throw new LoginError('store_unavailable', { reason: `starting the session failed: ${describeFault(error)}`, cause: error });
  }
}
