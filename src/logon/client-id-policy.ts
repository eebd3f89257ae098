import { LoginError } from '../errors/login-error.js';

/** What the client-id policy reads: `logon.clientIds`/`requireClientId`, and each tenant's own. */
export interface ClientIdOptions {
  readonly logon: { readonly clientIds?: readonly string[] | undefined; readonly requireClientId: boolean };
  readonly tenants: Readonly<Record<string, { readonly clientIds?: readonly string[] | undefined; readonly requireClientId?: boolean | undefined }>>;
}

/**
 * The client-id policy (10089): a `clientId` must be on the tenant's list (`tenants.<name>.clientIds`,
 * else `logon.clientIds`; no list allows any), and a request without one is refused only where
 * the tenant requires one (`requireClientId`).
 */
export function checkClientId(options: ClientIdOptions, tenant: string, clientId: string | null): void {
  const own = options.tenants[tenant];
  if (clientId === null) {
    if (own?.requireClientId ?? options.logon.requireClientId) throw new LoginError('client_id', { reason: 'no client id, and this tenant requires one' });
    return;
  }
  const allowed = own?.clientIds ?? options.logon.clientIds;
  if (allowed !== undefined && !allowed.includes(clientId)) throw new LoginError('client_id', { reason: 'client id not on the allow-list' });
}
