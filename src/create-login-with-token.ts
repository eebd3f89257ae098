import express, { type RequestHandler, type Router } from 'express';
import { createAuthTokenStrategy } from './adapters/auth-token-strategy.js';
import { addHandoffRoutes } from './adapters/handoff-routes.js';
import { noChromeLocals } from './adapters/no-chrome-locals.js';
import type { PassportStrategy } from './adapters/passport-strategy.js';
import { requestErrorHandler } from './adapters/request-error-handler.js';
import { CommandRegistry } from './commands/command-registry.js';
import { createDefaultExecutor } from './executor/default-executor.js';
import type { HandoffDependencies } from './handoff/redeem-auth-token.js';
import type { LoginWithTokenOptions } from './login-with-token-options.js';
import { parseOptions } from './parse-options.js';
import { PlaceholderBuilder } from './request/placeholder-builder.js';
import { TenantResolver } from './request/tenant-resolver.js';
import { systemClock } from './store/clock.js';
import { MemoryStore } from './store/memory-store.js';
import { builtInPlaceholders } from './template/placeholders.js';
import { UserDirectory } from './users/user-directory.js';

/** What {@link createLoginWithToken} returns: mount the router, register the strategies. */
export interface LoginWithToken {
  /** Routes: `GET|POST /authentication/login`. Mount after express-session and passport. */
  readonly router: Router;
  /** The one-time token strategy, named `login-with-token`. */
  readonly authTokenStrategy: PassportStrategy;
  /** Sets `res.locals.noChrome` from the session (the router already does this for what it sees). */
  readonly noChromeLocals: RequestHandler;
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
 * const login = createLoginWithToken({ commands: { LoginWithToken: { url: 'https://partner.example/validate?token={authToken}', method: 'GET' } },
 *   resolveUser: (identity) => users.byContact(identity) });
 * passport.use(login.authTokenStrategy);
 * app.use(login.router);
 * ```
 */
export function createLoginWithToken<User>(options: LoginWithTokenOptions<User>): LoginWithToken {
  const parsed = parseOptions(options);
  const now = parsed.now ?? systemClock;
  const ownStore = parsed.store === undefined ? new MemoryStore({ now }) : undefined;
  const store = parsed.store ?? ownStore!;
  const ownExecutor = parsed.executor === undefined ? createDefaultExecutor(parsed.http) : undefined;
  const tenants = new TenantResolver(Object.keys(parsed.tenants), parsed.resolveTenant);
  const commands = new CommandRegistry({
    defaults: parsed.commands,
    byTenant: Object.fromEntries(Object.entries(parsed.tenants).map(([tenant, settings]) => [tenant, settings.commands])),
    knownPlaceholders: new Set([...builtInPlaceholders, ...Object.keys(parsed.placeholders)]),
  });
  // Per-tenant command functions are checked now for every tenant the app named.
  for (const tenant of tenants.names) for (const name of Object.keys(parsed.commands)) commands.resolve(name, tenant);

  const handoff: HandoffDependencies<User> = {
    commands,
    executor: parsed.executor ?? ownExecutor!,
    ledger: store.ledger,
    users: new UserDirectory<User>(options),
    tenants,
    placeholders: new PlaceholderBuilder(parsed.placeholders),
    audit: parsed.audit,
    now,
    maxTokenAgeMs: parsed.handoff.maxTokenAgeMs,
    reservationMs: parsed.handoff.reservationMs,
  };

  const router = express.Router();
  router.use(noChromeLocals);
  if (commands.has('LoginWithToken')) addHandoffRoutes(router, handoff, parsed.handoff.defaultReturnTo);
  router.use(requestErrorHandler);

  return {
    router,
    authTokenStrategy: createAuthTokenStrategy(handoff),
    noChromeLocals,
    tenants: tenants.names,
    async close() {
      await Promise.all([ownExecutor?.close?.(), ownStore?.close()]);
    },
  };
}
