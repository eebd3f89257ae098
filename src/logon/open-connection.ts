import { randomUUID } from 'node:crypto';
import { toSessionIdentity, type Identity } from '../identity/identity.js';
import type { SessionStore } from '../store/session-store.js';
import type { Redemption } from '../store/single-use.js';
import { storeKeys } from '../store/store-keys.js';
import type { ConnectionJwt } from './connection-jwt.js';
import type { ParsedLogonOptions } from './logon-options.js';
import { enforceSessionCap } from './session-cap.js';

/** A connection just opened. */
export interface OpenedConnection {
  /** The `ConnectionId` (a UUID v4); only its hash is stored. */
  readonly connectionId: string;
  /** Its JWT, or `""` while a second factor is outstanding (a JWT would verify offline, where nobody sees that). */
  readonly jwt: string;
}

/**
 * Signs the JWT bound to a new connection, then writes the connection for the user: a sliding
 * idle timeout of `logon.connectionTimeoutSeconds` within `logon.connectionMaxAgeSeconds`, not
 * yet a credential while `pendingSecondFactor`; then holds the session cap. Should the logon
 * fail after the write, `redemption` ends the connection again.
 */
export async function openConnection(
  services: { readonly sessions: SessionStore; readonly connectionJwt: ConnectionJwt },
  logon: ParsedLogonOptions,
  owner: { readonly tenant: string; readonly userId: string; readonly identity: Identity; readonly pendingSecondFactor: boolean; readonly createdAt: number },
  redemption: Redemption,
): Promise<OpenedConnection> {
  const { sessions, connectionJwt } = services;
  const { tenant, userId, createdAt } = owner;
  const connectionId = randomUUID();
  const key = storeKeys.connection(connectionId);
  const expiresAt = createdAt + logon.connectionMaxAgeSeconds * 1000;
  // Signed before anything is written: a signature that fails leaves the store as it was, with
  // no connection to end and none of the user's older ones ended by the cap.
  const jwt = owner.pendingSecondFactor ? '' : await connectionJwt.sign({ sid: key, tenant, userId }, expiresAt);
  // Registered first: a write that failed half-way is ended too.
  redemption.onFailure(() => sessions.revoke(key));
  await sessions.create(key, {
    kind: 'connection',
    tenant,
    userId,
    identity: toSessionIdentity(owner.identity),
    createdAt,
    expiresAt,
    idleTimeoutMs: logon.connectionTimeoutSeconds * 1000,
    // Not a credential until the app confirms the second factor (login.confirmSecondFactor).
    pendingSecondFactor: owner.pendingSecondFactor,
  });
  await enforceSessionCap(sessions, logon, tenant, userId, key);
  return { connectionId, jwt };
}
