import type { ErrorRequestHandler, RequestHandler, Router } from 'express';
import { apiErrorHandler } from './adapters/api-error-handler.js';
import { createAuthTokenStrategy } from './adapters/auth-token-strategy.js';
import { createBearerMiddleware } from './adapters/bearer-middleware.js';
import { createBearerStrategy } from './adapters/bearer-strategy.js';
import { createRequireScopes } from './adapters/require-scopes.js';
import { createRouter } from './adapters/create-router.js';
import { createEmbeddingMiddleware } from './adapters/embedding.js';
import type { PassportStrategy } from './adapters/passport-strategy.js';
import { ApiTokens } from './api-tokens/api-tokens.js';
import { BearerAuthentication } from './bearer/bearer-authentication.js';
import { BearerRevocation } from './bearer/bearer-revocation.js';
import { SessionTokens } from './credentials/session-tokens.js';
import { EmbeddingPolicy } from './embedding/embedding-policy.js';
import { Handoff } from './handoff/handoff.js';
import type { ConfirmedConnection } from './logon/confirm-second-factor.js';
import { LogonWithToken } from './logon/logon-with-token.js';
import type { LoginWithTokenOptions } from './options/login-with-token-options.js';
import { parseOptions } from './options/parse-options.js';
import { createPortalServices } from './options/portal-services.js';

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
  /**
   * Middleware for one route behind `bearer`: 403 `insufficient_scope` unless the token grants
   * every scope — `api.delete('/orders/:id', login.requireScopes('orders.write'), …)`. Our own
   * session and connection tokens grant none.
   */
  requireScopes(...scopes: string[]): RequestHandler;
  /** Renders `LoginError`s from `bearer` and `requireScopes` in the API envelope; mount after the API routes. */
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
  const services = createPortalServices(parsed);
  const { commands, tenants } = services;
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
    requireScopes: createRequireScopes(parsed.bearer.realm),
    apiErrorHandler,
    apiTokens: new ApiTokens(services.store.apiTokens, tenants, parsed.now),
    confirmSecondFactor: (connectionId) => logon.confirmSecondFactor(connectionId),
    jwks: () => ({ keys: [services.connectionJwt.publicJwk()] }),
    embedding: embeddingMiddleware,
    tenants: tenants.names,
    close: () => services.close(),
  };
}
