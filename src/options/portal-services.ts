import { createKeyedHashes } from '../audit/token-hash.js';
import { BearerJwtProfiles } from '../bearer/bearer-jwt-profiles.js';
import { RemoteBearerValidator } from '../bearer/remote-bearer-validator.js';
import { CommandRegistry } from '../commands/command-registry.js';
import { createPartnerDispatcher } from '../destination/partner-dispatcher.js';
import { appExecutor } from '../executor/app-executor.js';
import { createDefaultExecutor } from '../executor/default-executor.js';
import { ConnectionJwt } from '../logon/connection-jwt.js';
import { TokenTypeRegistry } from '../logon/token-type-registry.js';
import { IntrospectionClient } from '../oauth/introspection-client.js';
import { BruteForceGuard } from '../rate-limit/brute-force-guard.js';
import { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { PlaceholderBuilder } from '../request/placeholder-builder.js';
import { TenantResolver } from '../request/tenant-resolver.js';
import { MemoryStore } from '../store/memory-store.js';
import { SingleUse } from '../store/single-use.js';
import { traceStore } from '../store/traced-store.js';
import type { StoreRoles } from '../store/store.js';
import { Telemetry, type EntryCount } from '../telemetry/telemetry.js';
import { UserDirectory } from '../users/user-directory.js';
import type { ParsedOptions } from './parse-options.js';

/**
 * What the flows share, built once from the parsed options: each flow takes the parts it needs
 * from here and its option groups by their README names. The store is `store` or a new
 * MemoryStore, the executor `executor` or the default one; one guarded pool serves every
 * outgoing call — partner commands, introspection, discovery and JWKS documents alike — and one
 * registry of token types serves LogonWithToken and bearer authentication.
 */
export function createPortalServices<User>(parsed: ParsedOptions<User>) {
  const { now } = parsed;
  const ownStore = parsed.store === undefined ? new MemoryStore({ now }) : undefined;
  const telemetry = new Telemetry(parsed.telemetry);
  const store = traceStore(parsed.store ?? ownStore!, telemetry);
  const stopObserving = telemetry.observeEntries(entryCounts(parsed.store ?? ownStore!));
  const partner = createPartnerDispatcher(parsed.http);
  const ownExecutor = parsed.executor === undefined ? createDefaultExecutor({ ...parsed.http, dispatcher: partner.dispatcher }) : undefined;
  const executor = parsed.executor === undefined ? ownExecutor! : appExecutor(parsed.executor);
  const tenants = new TenantResolver(parsed);
  const commands = new CommandRegistry(parsed, tenants.names);
  const placeholders = new PlaceholderBuilder(parsed);
  const inFlight = new InFlightLimit(parsed.rateLimits);
  const tokenTypes = new TokenTypeRegistry(tenants.names, parsed, {
    apiTokens: store.apiTokens,
    now,
    dispatcher: partner.dispatcher,
    allowedHosts: parsed.http.allowedHosts,
  });
  const introspection = new IntrospectionClient({ dispatcher: partner.dispatcher, http: parsed.http, now });
  return {
    now,
    store,
    executor,
    tenants,
    commands,
    placeholders,
    inFlight,
    audit: parsed.audit,
    telemetry,
    ...createKeyedHashes(parsed.hashKey),
    users: new UserDirectory<User>(parsed),
    guard: new BruteForceGuard(store.rateLimits, parsed.rateLimits, now),
    singleUse: new SingleUse(store.ledger, parsed.handoff),
    connectionJwt: new ConnectionJwt(parsed.logon.jwt, now),
    remoteBearer: new RemoteBearerValidator({ commands, executor, placeholders, inFlight, introspection, now, telemetry }, parsed),
    tokenTypes,
    bearerJwtProfiles: new BearerJwtProfiles(tenants.names, parsed, tokenTypes),
    /** Closes the executor, the store and the pool built here; an app's own are left open. */
    async close(): Promise<void> {
      stopObserving();
      await Promise.all([ownExecutor?.close?.(), ownStore?.close()]);
      await partner.close();
    },
  };
}

/** The roles that can count their entries (the MemoryStore's ledger and sessions), for the `store.entries` gauge. */
function entryCounts(store: StoreRoles): EntryCount[] {
  const roles = [
    ['ledger', store.ledger],
    ['sessions', store.sessions],
  ] as const;
  return roles.flatMap(([role, part]) => {
    const counted = part as { readonly size?: unknown };
    return typeof counted.size === 'number' ? [{ role, count: () => counted.size as number }] : [];
  });
}

/** The shared parts of one portal (see {@link createPortalServices}). */
export type PortalServices<User> = ReturnType<typeof createPortalServices<User>>;
