import type { AuditEvent } from '../../src/audit/audit-event.js';
import type { CommandExecutor } from '../../src/executor/command-executor.js';
import type { LoginWithTokenOptions } from '../../src/options/login-with-token-options.js';
import { parseOptions, type ParsedOptions } from '../../src/options/parse-options.js';
import { createPortalServices, type PortalServices } from '../../src/options/portal-services.js';
import type { RequestInfo } from '../../src/request/request-info.js';
import type { StoreRoles } from '../../src/store/store.js';
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
  readonly store: StoreRoles;
  readonly services: PortalServices<BearerUser>;
  /** Audit events, in order. */
  readonly audit: AuditEvent[];
  /** Moves the injected clock. */
  advance(ms: number): void;
  now(): number;
  close(): Promise<void>;
}

/**
 * Real parts for the bearer flows, built by the factory's own `createPortalServices`: options
 * parsed by its schema (loopback partners allowed), a MemoryStore unless `store` is given, the
 * default executor unless `executor` is given, and a clock that only moves when told.
 */
export function bearerParts(
  options: Partial<LoginWithTokenOptions<BearerUser>> = {},
  parts: { store?: StoreRoles; executor?: CommandExecutor; startAt?: number } = {},
): BearerParts {
  let clock = parts.startAt ?? Date.parse('2026-11-28T12:00:00Z');
  const now = () => clock;
  const audit: AuditEvent[] = [];
  const parsed = parseOptions<BearerUser>({
    resolveUser: findBearerUser,
    ...options,
    ...(parts.store === undefined ? {} : { store: parts.store }),
    ...(parts.executor === undefined ? {} : { executor: parts.executor }),
    http: { allowPrivateAddresses: ['127.0.0.0/8'], ...options.http },
    now,
    audit: (event) => {
      audit.push(event);
      captureText(JSON.stringify(event));
    },
  });
  const services = createPortalServices(parsed);
  return {
    parsed,
    store: services.store,
    services,
    audit,
    advance: (ms) => {
      clock += ms;
    },
    now,
    close: () => services.close(),
  };
}

/** A request as the adapters hand it to the core; `authorization` is set as `Bearer <token>` when given. */
export function bearerRequest(parts: { token?: string; ip?: string; headers?: RequestInfo['headers']; method?: string; body?: unknown; query?: Record<string, unknown> } = {}): RequestInfo {
  const headers = { ...parts.headers, ...(parts.token === undefined ? {} : { authorization: `Bearer ${parts.token}` }) };
  return { method: parts.method ?? 'GET', headers, query: parts.query ?? {}, body: parts.body, ip: parts.ip ?? '203.0.113.5' };
}
