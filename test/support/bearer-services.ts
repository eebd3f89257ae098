import type { RequestInfo } from '../../src/request/request-info.js';
import type { AuditEvent } from '../../src/audit/audit-event.js';
import { createKeyedHashes } from '../../src/audit/token-hash.js';
import { RemoteBearerValidator } from '../../src/bearer/remote-bearer-validator.js';
import { CommandRegistry } from '../../src/commands/command-registry.js';
import { createHttpExecutor } from '../../src/executor/http-executor.js';
import type { CommandExecutor } from '../../src/executor/command-executor.js';
import { ConnectionJwt } from '../../src/logon/connection-jwt.js';
import type { LoginWithTokenOptions } from '../../src/options/login-with-token-options.js';
import { parseOptions, type ParsedOptions } from '../../src/options/parse-options.js';
import { BruteForceGuard } from '../../src/rate-limit/brute-force-guard.js';
import { InFlightLimit } from '../../src/rate-limit/in-flight-limit.js';
import { PlaceholderBuilder } from '../../src/request/placeholder-builder.js';
import { TenantResolver } from '../../src/request/tenant-resolver.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/store.js';
import { UserDirectory } from '../../src/users/user-directory.js';
import { captureText } from './leak-capture.js';

/** A user of the bearer suites. */
export interface BearerUser {
  id: string;
  contactId: string;
  disabled?: boolean;
}

/** ContactId 1001 is Alice, 1003 is Carol (deactivated); nobody else exists. */
export const bearerUsers: BearerUser[] = [
  { id: 'u-alice', contactId: '1001' },
  { id: 'u-carol', contactId: '1003', disabled: true },
];

/** Synchronous `resolveUser` over {@link bearerUsers}. */
export function findBearerUser(identity: { contactId?: string }): BearerUser | null {
  return bearerUsers.find((user) => user.contactId === identity.contactId) ?? null;
}

/** The shared parts the bearer flows are built from, wired as `createLoginWithToken` wires them. */
export interface BearerParts {
  readonly parsed: ParsedOptions<BearerUser>;
  readonly store: Store;
  readonly services: {
    readonly now: () => number;
    readonly store: Store;
    readonly audit: ParsedOptions<BearerUser>['audit'];
    readonly tokenHash: (token: string) => string;
    readonly nameKey: (...parts: string[]) => string;
    readonly tenants: TenantResolver;
    readonly remoteBearer: RemoteBearerValidator;
    readonly connectionJwt: ConnectionJwt;
    readonly users: UserDirectory<BearerUser>;
    readonly guard: BruteForceGuard;
  };
  /** Audit events, in order. */
  readonly audit: AuditEvent[];
  /** Moves the injected clock. */
  advance(ms: number): void;
  now(): number;
  close(): Promise<void>;
}

/**
 * Real parts for the bearer flows: options parsed by the factory's schema (loopback partners
 * allowed), a MemoryStore unless `store` is given, an HTTP executor unless `executor` is given,
 * and a clock that only moves when told.
 */
export function bearerParts(
  options: Partial<LoginWithTokenOptions<BearerUser>> = {},
  parts: { store?: Store; executor?: CommandExecutor; startAt?: number } = {},
): BearerParts {
  let clock = parts.startAt ?? Date.parse('2026-11-28T12:00:00Z');
  const now = () => clock;
  const audit: AuditEvent[] = [];
  const parsed = parseOptions<BearerUser>({
    resolveUser: findBearerUser,
    ...options,
    http: { allowPrivateAddresses: ['127.0.0.0/8'], ...options.http },
    now,
    audit: (event) => {
      audit.push(event);
      captureText(JSON.stringify(event));
    },
  });
  const ownStore = parts.store === undefined ? new MemoryStore({ now }) : undefined;
  const store = parts.store ?? ownStore!;
  const ownExecutor = parts.executor === undefined ? createHttpExecutor({ allowPrivateAddresses: ['127.0.0.0/8'] }) : undefined;
  const executor = parts.executor ?? ownExecutor!;
  const tenants = new TenantResolver(parsed);
  const commands = new CommandRegistry(parsed, tenants.names);
  const placeholders = new PlaceholderBuilder(parsed);
  const inFlight = new InFlightLimit(parsed.rateLimits);
  const services = {
    now,
    store,
    audit: parsed.audit,
    ...createKeyedHashes(parsed.hashKey),
    tenants,
    remoteBearer: new RemoteBearerValidator({ commands, executor, placeholders, inFlight, now }, parsed),
    connectionJwt: new ConnectionJwt(parsed.logon.jwt, now),
    users: new UserDirectory<BearerUser>(parsed),
    guard: new BruteForceGuard(store.rateLimits, parsed.rateLimits, now),
  };
  return {
    parsed,
    store,
    services,
    audit,
    advance: (ms) => {
      clock += ms;
    },
    now,
    async close() {
      await Promise.all([ownExecutor?.close?.(), ownStore?.close()]);
    },
  };
}

/** A request as the adapters hand it to the core; `authorization` is set as `Bearer <token>` when given. */
export function bearerRequest(parts: { token?: string; ip?: string; headers?: RequestInfo['headers']; method?: string; body?: unknown; query?: Record<string, unknown> } = {}): RequestInfo {
  const headers = { ...parts.headers, ...(parts.token === undefined ? {} : { authorization: `Bearer ${parts.token}` }) };
  return { method: parts.method ?? 'GET', headers, query: parts.query ?? {}, body: parts.body, ip: parts.ip ?? '203.0.113.5' };
}
