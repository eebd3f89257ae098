import type { Telemetry } from '../telemetry/telemetry.js';
import type { StoreRole, StoreRoles } from './store.js';

type Operations<Role> = { readonly [Name in keyof Role as Role[Name] extends (...args: never[]) => unknown ? Name : never]: true };

// Every operation of every role, checked against the role interfaces: a new method fails to compile until it is listed.
const operations: { readonly [Role in StoreRole]: Operations<StoreRoles[Role]> } = {
  ledger: { reserve: true, consume: true, release: true },
  sessions: { create: true, use: true, confirm: true, exists: true, revoke: true, listForUser: true },
  apiTokens: { create: true, find: true, list: true, revoke: true },
  rateLimits: { add: true, reset: true },
};

/**
 * The store's roles, each an object with just its operations, every one run through `telemetry.storeCall`: a child span of the
 * flow that made it (`sessions.use`, `ledger.reserve`, …), never with its key or value. Without
 * a tracer the roles are returned as they are, so an untraced portal pays nothing.
 */
export function traceStore(store: StoreRoles, telemetry: Telemetry): StoreRoles {
  if (!telemetry.tracing) return store;
  return {
    ledger: traceRole('ledger', store.ledger, telemetry),
    sessions: traceRole('sessions', store.sessions, telemetry),
    apiTokens: traceRole('apiTokens', store.apiTokens, telemetry),
    rateLimits: traceRole('rateLimits', store.rateLimits, telemetry),
  };
}

function traceRole<Role extends StoreRole>(role: Role, target: StoreRoles[Role], telemetry: Telemetry): StoreRoles[Role] {
  // The role's operations only (the flows use nothing else); each is looked up when called, so a
  // method the app replaces later is the one that runs.
  const traced: Record<string, unknown> = {};
  // Whether a role is shared (a composed store's roles may say so) stays readable.
  const { shared } = target as { readonly shared?: unknown };
  if (shared !== undefined) traced['shared'] = shared;
  const methods = target as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const operation of Object.keys(operations[role])) {
    traced[operation] = (...args: unknown[]) => telemetry.storeCall(role, operation, () => methods[operation]!(...args));
  }
  return traced as unknown as StoreRoles[Role];
}
