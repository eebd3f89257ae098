import type { AuditSink } from '../audit/audit-event.js';
import { AttemptAudit } from '../audit/attempt-audit.js';
import type { TokenHasher } from '../audit/token-hash.js';
import type { CommandRegistry } from '../commands/command-registry.js';
import { rateLimitKeys, storeKeys } from '../store/store-keys.js';
import { LoginError, isLoginError } from '../errors/login-error.js';
import type { Command, CommandExecutor } from '../executor/command-executor.js';
import { describeFault } from '../errors/describe-fault.js';
import { neverAborted } from '../time/deadline.js';
import { validatorUnavailable } from '../executor/validator-unavailable.js';
import type { Identity } from '../identity/identity.js';
import { parseIdentityAnswer } from '../identity/parse-identity.js';
import type { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import type { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { clientNetwork } from '../request/client-network.js';
import type { PlaceholderBuilder } from '../request/placeholder-builder.js';
import { readParameter, type RequestInfo } from '../request/request-info.js';
import type { TenantResolver } from '../request/tenant-resolver.js';
import type { Clock } from '../time/clock.js';
import type { OneTimeLedger } from '../store/one-time-ledger.js';
import type { UserDirectory } from '../users/user-directory.js';

/** What {@link redeemAuthToken} needs. */
export interface HandoffDependencies<User> {
  readonly commands: CommandRegistry;
  readonly executor: CommandExecutor;
  readonly ledger: OneTimeLedger;
  readonly users: UserDirectory<User>;
  readonly tenants: TenantResolver;
  readonly placeholders: PlaceholderBuilder;
  readonly audit: AuditSink | undefined;
  /** Keyed hash that stands for a token in audit events. */
  readonly tokenHash: TokenHasher;
  readonly now: Clock;
  /** How long a redeemed token is remembered as used. */
  readonly maxTokenAgeMs: number;
  /** How long a redemption in progress holds its token. */
  readonly reservationMs: number;
  readonly guard: BruteForceGuard;
  /** Rejected handoffs allowed per client network and window. */
  readonly failuresPerIp: number;
  /** Bounds the partner calls one client network has under way. */
  readonly inFlight: InFlightLimit;
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
 * Redeems the `authToken` of `request` exactly once: reserve it in the ledger, run the tenant's
 * `LoginWithToken` command, read the identity, resolve the user, start the session, then mark
 * the token used (ending the session again in the rare case the reservation was lost). Every failure before that last step releases the token, so a validator
 * timeout never burns it; concurrent redemptions of one token see `token_invalid`.
 *
 * @throws LoginError with the code the client should see.
 */
export async function redeemAuthToken<User>(
  deps: HandoffDependencies<User>,
  request: RequestInfo,
  session: SessionControl<User>,
  signal: AbortSignal = neverAborted,
): Promise<HandoffResult<User>> {
  const audit = new AttemptAudit(deps, 'handoff', request);
  const authToken = readParameter(request, 'authToken');
  audit.token = authToken;
  try {
    const tenant = (audit.tenant = deps.tenants.forRequest(request));
    if (authToken === undefined || !tokenShape.test(authToken)) {
      throw new LoginError('token_invalid', { reason: authToken === undefined ? 'no authToken' : 'malformed authToken' });
    }
    const result = await redeemOnce(deps, request, tenant, authToken, session, signal);
    try {
      audit.userId = deps.users.idOf(result.user);
    } catch {
      // The sign-in happened; a faulty userIdOf may only cost the audit event its user id.
    }
    audit.succeeded();
    return result;
  } catch (error) {
    throw audit.failed(error);
  }
}

async function redeemOnce<User>(
  deps: HandoffDependencies<User>,
  request: RequestInfo,
  tenant: string,
  authToken: string,
  session: SessionControl<User>,
  signal: AbortSignal,
): Promise<HandoffResult<User>> {
  const command = deps.commands.resolve('LoginWithToken', tenant);
  if (command === undefined) throw new LoginError('token_invalid', { reason: 'no LoginWithToken command for this tenant' });
  // Every attempt is counted before the partner is asked, so a burst cannot outrun the limit
  // on guessing partner tokens (nor multiply calls to the partner); only rejections keep it.
  const attempt = await deps.guard.attempt([{ key: rateLimitKeys.handoffIp(clientNetwork(request.ip)), limit: deps.failuresPerIp, onSuccess: 'refund' }]);
  try {
    const result = await redeemReserved(deps, request, tenant, authToken, command, session, signal);
    // The user is signed in and the token spent: a counter the store fails to give back may not turn that into an error.
    await attempt.succeeded().catch(() => undefined);
    return result;
  } catch (error) {
    if (!isLoginError(error) || error.code !== 'token_invalid') await attempt.undecided();
    throw error;
  }
}

async function redeemReserved<User>(
  deps: HandoffDependencies<User>,
  request: RequestInfo,
  tenant: string,
  authToken: string,
  command: Command,
  session: SessionControl<User>,
  signal: AbortSignal,
): Promise<HandoffResult<User>> {
  const key = storeKeys.authToken(tenant, authToken);
  const reservation = await deps.ledger.reserve(key, deps.reservationMs);
  if (reservation.status !== 'reserved') {
    throw new LoginError('token_invalid', { reason: reservation.status === 'used' ? 'token already used' : 'token is being redeemed' });
  }
  let sessionStarted = false;
  try {
    const placeholders = deps.placeholders.build(request, tenant, { authToken }, command.definition);
    const answer = await deps.inFlight.run(clientNetwork(request.ip), () => deps.executor.run(command, placeholders, signal));
    if (answer === null) throw new LoginError('token_invalid', { reason: 'partner rejected the token' });
    const parsed = parseIdentityAnswer(answer, command.definition.identity, 'authToken');
    if (parsed.kind === 'none') throw new LoginError('token_invalid', { reason: 'partner answer names no contact' });
    if (parsed.kind === 'malformed') throw validatorUnavailable(`partner answer is malformed: ${parsed.reason}`);
    const identity: Identity = { ...parsed.identity, tenant };
    const user = await deps.users.resolve(identity);
    try {
      await session.start(user);
      sessionStarted = true;
    } catch (error) {
      throw new LoginError('store_unavailable', { reason: `starting the session failed: ${describeFault(error)}`, cause: error });
    }
    if (!(await deps.ledger.consume(key, reservation.id, deps.maxTokenAgeMs))) {
      throw new LoginError('token_invalid', { reason: 'reservation expired before the token was consumed' });
    }
    return { user, identity, tenant };
  } catch (error) {
    // Whatever failed, the user must not stay signed in on a token that remains redeemable.
    if (sessionStarted) await session.end().catch(() => undefined);
    await deps.ledger.release(key, reservation.id).catch(() => undefined);
    throw error;
  }
}
