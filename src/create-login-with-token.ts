import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import { apiErrorHandler } from './adapters/api-error-handler.js';
import { createAuthTokenStrategy } from './adapters/auth-token-strategy.js';
import { createBearerMiddleware } from './adapters/bearer-middleware.js';
import { createBearerStrategy } from './adapters/bearer-strategy.js';
import { createRouter } from './adapters/create-router.js';
import { createEmbeddingMiddleware } from './adapters/embedding.js';
import type { PassportStrategy } from './adapters/passport-strategy.js';
import { ApiTokens } from './api-tokens/api-tokens.js';
import { ResponseTimeCover } from './credentials/response-time-cover.js';
import { createKeyedHashes } from './audit/token-hash.js';
import type { BearerDependencies } from './bearer/authenticate-bearer.js';
import { RemoteBearerValidator } from './bearer/remote-bearer-validator.js';
import { CommandRegistry } from './commands/command-registry.js';
import { maxCommandTimeoutMs } from './config/command-schema.js';
import type { CredentialDependencies } from './credentials/issue-session-token.js';
import type { EmbeddingPolicy } from './embedding/frame-ancestors.js';
import { createPartnerDispatcher } from './destination/partner-dispatcher.js';
import { createDefaultExecutor } from './executor/default-executor.js';
import type { HandoffDependencies } from './handoff/redeem-auth-token.js';
import type { LoginWithTokenOptions } from './login-with-token-options.js';
import { confirmSecondFactor, type ConfirmedConnection } from './logon/confirm-second-factor.js';
import { ConnectionJwt } from './logon/connection-jwt.js';
import type { LogonDependencies } from './logon/logon-with-token.js';
import { TokenTypeRegistry } from './logon/token-type-registry.js';
import { parseOptions } from './parse-options.js';
import { BruteForceGuard } from './rate-limit/brute-force-guard.js';
import { InFlightLimit } from './rate-limit/in-flight-limit.js';
import { PlaceholderBuilder } from './request/placeholder-builder.js';
import { TenantResolver } from './request/tenant-resolver.js';
import { systemClock } from './time/clock.js';
import { MemoryStore } from './store/memory-store.js';
import { builtInPlaceholders } from './request/placeholder-builder.js';
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
 * Creates the package for one portal. Options are validated here, once; a bad option throws a
 * `TypeError` naming its path.
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
  const now = parsed.now ?? systemClock;
  const ownStore = parsed.store === undefined ? new MemoryStore({ now }) : undefined;
  const store = parsed.store ?? ownStore!;
  // One guarded pool for every outgoing call: partner commands and JWKS documents alike.
  const partner = createPartnerDispatcher(parsed.http);
  const ownExecutor = parsed.executor === undefined ? createDefaultExecutor({ ...parsed.http, dispatcher: partner.dispatcher }) : undefined;
  const executor = parsed.executor ?? ownExecutor!;
  const tenants = new TenantResolver(Object.keys(parsed.tenants), parsed.resolveTenant);
  const commands = new CommandRegistry({
    defaults: parsed.commands,
    byTenant: Object.fromEntries(Object.entries(parsed.tenants).map(([tenant, settings]) => [tenant, settings.commands])),
    knownPlaceholders: new Set([...builtInPlaceholders, ...Object.keys(parsed.placeholders)]),
    allowedHosts: parsed.http.allowedHosts,
  });
  // Per-tenant command functions are checked now for every tenant the app named.
  for (const tenant of tenants.names) for (const name of Object.keys(parsed.commands)) commands.resolve(name, tenant);

  const users = new UserDirectory<User>(options);
  const placeholders = new PlaceholderBuilder(parsed.placeholders);
  const { tokenHash, nameKey } = createKeyedHashes(parsed.hashKey);
  const guard = new BruteForceGuard(store.rateLimits, parsed.rateLimits.windowMs, now);
  // No command's deadline is longer, so only a call that ignores its deadline loses its slot early.
  const inFlight = new InFlightLimit(parsed.rateLimits.partnerCallsInFlightPerIp, maxCommandTimeoutMs + 1000);
  const shared = { users, tenants, audit: parsed.audit, tokenHash, now };
  const logonOptions = parsed.logon;
  const connectionJwt = new ConnectionJwt(logonOptions.jwt, now);
  const tokenTypes = new TokenTypeRegistry(
    tenants.names,
    logonOptions.tokenTypes,
    Object.fromEntries(Object.entries(parsed.tenants).map(([tenant, settings]) => [tenant, settings.tokenTypes])),
    { apiTokens: store.apiTokens, now, dispatcher: partner.dispatcher },
  );

  const handoff: HandoffDependencies<User> = {
    ...shared,
    commands,
    executor,
    ledger: store.ledger,
    placeholders,
    maxTokenAgeMs: parsed.handoff.maxTokenAgeMs,
    reservationMs: parsed.handoff.reservationMs,
    guard,
    failuresPerIp: parsed.rateLimits.handoffFailuresPerIp,
    inFlight,
  };
  const bearer: BearerDependencies<User> = {
    ...shared,
    sessions: store.sessions,
    remote: new RemoteBearerValidator(
      { commands, executor, placeholders, inFlight, now },
      {
        ttlMs: parsed.bearer.cacheTtlMs,
        negativeTtlMs: parsed.bearer.negativeCacheTtlMs,
        maxEntries: parsed.bearer.cacheMaxEntries,
      },
    ),
    connectionJwt,
    guard,
    failuresPerIp: parsed.rateLimits.bearerFailuresPerIp,
    realm: parsed.bearer.realm,
    allowQueryToken: parsed.bearer.allowQueryToken,
    forwardUnknownUuids: parsed.bearer.forwardUnknownUuids,
  };
  const credentials: CredentialDependencies<User> = {
    ...shared,
    commands,
    executor,
    sessions: store.sessions,
    placeholders,
    guard,
    inFlight,
    timingCover: new ResponseTimeCover(tenants.names),
    limits: {
      failuresPerIp: parsed.rateLimits.tokenFailuresPerIp,
      failuresPerUsername: parsed.rateLimits.tokenFailuresPerUsername,
      failuresPerUsernameTotal: parsed.rateLimits.tokenFailuresPerUsernameTotal,
      authenticationCodeFailuresPerTenant: parsed.rateLimits.authenticationCodeFailuresPerTenant,
    },
    nameKey,
    ttlMs: parsed.sessionTokens.ttlMs,
    maxPerUser: parsed.sessionTokens.maxPerUser,
  };

  const logon: LogonDependencies<User> = {
    ...shared,
    tokenTypes,
    ledger: store.ledger,
    sessions: store.sessions,
    connectionJwt,
    guard,
    failuresPerIp: parsed.rateLimits.tokenFailuresPerIp,
    hideTenantNames: !logonOptions.listTenantNames,
    reservationMs: parsed.handoff.reservationMs,
    policies: {
      clientIds: (tenant) => parsed.tenants[tenant]?.clientIds ?? logonOptions.clientIds,
      requireClientId: (tenant) => parsed.tenants[tenant]?.requireClientId ?? logonOptions.requireClientId,
      allowedIps: logonOptions.allowedIps as LogonDependencies<User>['policies']['allowedIps'],
      licence: logonOptions.licence as LogonDependencies<User>['policies']['licence'],
      twoStep: logonOptions.twoStepVerification as LogonDependencies<User>['policies']['twoStep'],
      absence: logonOptions.absence as LogonDependencies<User>['policies']['absence'],
      maxSessionsPerUser: logonOptions.maxSessionsPerUser,
      onTooManySessions: logonOptions.onTooManySessions,
      idleTimeoutSeconds: logonOptions.connectionTimeoutSeconds,
      maxAgeSeconds: logonOptions.connectionMaxAgeSeconds,
    },
  };
  const revoke = {
    ...shared,
    sessions: store.sessions,
    connectionJwt,
    remote: bearer.remote,
    realm: bearer.realm,
    allowQueryToken: bearer.allowQueryToken,
  };

  const embedding: EmbeddingPolicy = {
    frameAncestors: (tenant) => parsed.tenants[tenant]?.frameAncestors ?? parsed.embedding.frameAncestors,
    cookie: parsed.embedding.cookie,
  };
  const embeddingMiddleware = createEmbeddingMiddleware(embedding);

  return {
    router: createRouter({
      handoff: commands.has('LoginWithToken') ? { deps: handoff, defaultReturnTo: parsed.handoff.defaultReturnTo } : undefined,
      credentials,
      revoke,
      logon,
      tokenTypes,
      embedding,
      embeddingMiddleware,
    }),
    authTokenStrategy: createAuthTokenStrategy(handoff),
    bearerStrategy: createBearerStrategy(bearer),
    bearer: createBearerMiddleware(bearer),
    apiErrorHandler,
    apiTokens: new ApiTokens(store.apiTokens, tenants, now),
    confirmSecondFactor: (connectionId) => confirmSecondFactor({ sessions: store.sessions, connectionJwt }, connectionId),
    jwks: () => ({ keys: [connectionJwt.publicJwk()] }),
    embedding: embeddingMiddleware,
    tenants: tenants.names,
    async close() {
      await Promise.all([ownExecutor?.close?.(), ownStore?.close()]);
      await partner.close();
    },
  };
}
