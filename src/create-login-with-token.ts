import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import { apiErrorHandler } from './adapters/api-error-handler.js';
import { createAuthTokenStrategy } from './adapters/auth-token-strategy.js';
import { createBearerMiddleware } from './adapters/bearer-middleware.js';
import { createBearerStrategy } from './adapters/bearer-strategy.js';
import { createRouter } from './adapters/create-router.js';
import { createEmbeddingMiddleware } from './adapters/embedding.js';
import type { PassportStrategy } from './adapters/passport-strategy.js';
import { ApiTokens } from './api-tokens/api-tokens.js';
import { createKeyedHashes } from './audit/token-hash.js';
import { BearerAuthentication } from './bearer/bearer-authentication.js';
import { BearerRevocation } from './bearer/bearer-revocation.js';
import { RemoteBearerValidator } from './bearer/remote-bearer-validator.js';
import { CommandRegistry } from './commands/command-registry.js';
import { SessionTokens } from './credentials/session-tokens.js';
import { createPartnerDispatcher } from './destination/partner-dispatcher.js';
import { EmbeddingPolicy } from './embedding/embedding-policy.js';
import { createDefaultExecutor } from './executor/default-executor.js';
import { Handoff } from './handoff/handoff.js';
import type { ConfirmedConnection } from './logon/confirm-second-factor.js';
import { ConnectionJwt } from './logon/connection-jwt.js';
import { LogonWithToken } from './logon/logon-with-token.js';
import type { LoginWithTokenOptions } from './options/login-with-token-options.js';
import { parseOptions } from './options/parse-options.js';
import { BruteForceGuard } from './rate-limit/brute-force-guard.js';
import { InFlightLimit } from './rate-limit/in-flight-limit.js';
import { PlaceholderBuilder } from './request/placeholder-builder.js';
import { TenantResolver } from './request/tenant-resolver.js';
import { MemoryStore } from './store/memory-store.js';
import { SingleUse } from './store/single-use.js';
import { UserDirectory } from './users/user-directory.js';

/** What {@link createLoginWithToken} returns: mount the router, register the strategies. */
export interface LoginWithToken {
  /**
   * Routes: `GET|POST /authentication/login` (when `LoginWithToken` is configured),
   * `POST /authentication/token`, `POST /authentication/logout` and the LogonWithToken service
   * (`/Authentication/LogonWithToken`, `GetAllTenantNames`, `GetTokenSettings`, `Logoff`).
   * Mount after express-session and passport.
   */
  readonly router: Router;
  /** The one-time token strategy, named `login-with-token`. */
  readonly authTokenStrategy: PassportStrategy;
  /** The bearer strategy, named `login-with-token-bearer`; use with `{ session: false }`. */
  readonly bearerStrategy: PassportStrategy;
  /** Bearer authentication as plain middleware: `app.use('/api', login.bearer)`. */
  readonly bearer: RequestHandler;
  /** Renders `LoginError`s from `bearer` in the API envelope; mount after the API routes. */
  readonly apiErrorHandler: ErrorRequestHandler;
  /** The portal's API tokens (LogonWithToken `tokenType: "apitoken"`): create, list, revoke. */
  readonly apiTokens: ApiTokens;
  /**
   * Confirms the second factor of a connection whose logon answered `IsVerificationCodeNeeded:
   * true` (after the app checked the code): only then does its id work as a credential, and only
   * now is its JWT issued (hand `JWTToken` to the client). Resolves false when the connection is
   * unknown or over.
   */
  confirmSecondFactor(connectionId: string): Promise<ConfirmedConnection | false>;
  /** The public key of the connection JWTs, as a JWKS document, for clients that verify them. */
  readonly jwks: () => { keys: Record<string, unknown>[] };
  /**
   * Sets `res.locals.noChrome` and, for embedded sessions, the tenant's `frame-ancestors` policy
   * (the router already does this for the requests it sees; mount it app-wide under a prefix).
   */
  readonly embedding: RequestHandler;
  /** Tenant names, in configuration order. */
  readonly tenants: readonly string[];
  /** Closes the default executor's connections and the store the package created. */
  close(): Promise<void>;
}

/**
 * Creates the package for one portal. Options are validated here, once; a bad option throws an
 * `OptionsError` (a `TypeError`) with the `code` and `path` of every problem.
 *
 * @example
 * ```ts
 * const login = createLoginWithToken({
 *   commands: { LoginWithToken: { method: 'GET', url: 'https://partner.example/validate?token={authToken}' } },
 *   resolveUser: (identity) => users.byContact(identity),
 * });
 * passport.use(login.authTokenStrategy);
 * app.use(login.router);
 * ```
 */
export function createLoginWithToken<User>(options: LoginWithTokenOptions<User>): LoginWithToken {
  const parsed = parseOptions(options);
  const { now } = parsed;
  const ownStore = parsed.store === undefined ? new MemoryStore({ now }) : undefined;
  const store = parsed.store ?? ownStore!;
  // One guarded pool for every outgoing call: partner commands and JWKS documents alike.
  const partner = createPartnerDispatcher(parsed.http);
  const ownExecutor = parsed.executor === undefined ? createDefaultExecutor({ ...parsed.http, dispatcher: partner.dispatcher }) : undefined;
  const executor = parsed.executor ?? ownExecutor!;
  const tenants = new TenantResolver(parsed);
  const commands = new CommandRegistry(parsed, tenants.names);
  const placeholders = new PlaceholderBuilder(parsed);
  const inFlight = new InFlightLimit(parsed.rateLimits);
  // What the flows share, built once; each flow takes its option groups by their README names.
  const services = {
    now,
    store,
    executor,
    tenants,
    commands,
    placeholders,
    inFlight,
    audit: parsed.audit,
    ...createKeyedHashes(parsed.hashKey),
    users: new UserDirectory<User>(parsed),
    guard: new BruteForceGuard(store.rateLimits, parsed.rateLimits, now),
    singleUse: new SingleUse(store.ledger, parsed.handoff),
    connectionJwt: new ConnectionJwt(parsed.logon.jwt, now),
    remoteBearer: new RemoteBearerValidator({ commands, executor, placeholders, inFlight, now }, parsed),
    dispatcher: partner.dispatcher,
  };
  const handoff = new Handoff(services, parsed);
  const bearer = new BearerAuthentication(services, parsed);
  const revocation = new BearerRevocation(services, parsed);
  const logon = new LogonWithToken(services, parsed);
  const embedding = new EmbeddingPolicy(parsed);
  const embeddingMiddleware = createEmbeddingMiddleware(embedding);

  return {
    router: createRouter({
      // The handoff route exists only where a LoginWithToken command does (the strategy fails every token without one).
      handoff: commands.has('LoginWithToken') ? handoff : undefined,
      sessionTokens: new SessionTokens(services, parsed),
      revocation,
      logon,
      tenants,
      embedding,
      embeddingMiddleware,
    }),
    authTokenStrategy: createAuthTokenStrategy(handoff),
    bearerStrategy: createBearerStrategy(bearer),
    bearer: createBearerMiddleware(bearer),
    apiErrorHandler,
    apiTokens: new ApiTokens(store.apiTokens, tenants, now),
    confirmSecondFactor: (connectionId) => logon.confirmSecondFactor(connectionId),
    jwks: () => ({ keys: [services.connectionJwt.publicJwk()] }),
    embedding: embeddingMiddleware,
    tenants: tenants.names,
    async close() {
      await Promise.all([ownExecutor?.close?.(), ownStore?.close()]);
      await partner.close();
    },
  };
}
