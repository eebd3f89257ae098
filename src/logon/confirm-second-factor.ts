import { OptionsError } from '../errors/options-error.js';
import type { SessionStore } from '../store/session-store.js';
import { storeKeys } from '../store/store-keys.js';
import type { ConnectionJwt } from './connection-jwt.js';

/** What a confirmed connection's client gets: the JWT its logon answer withheld. */
export interface ConfirmedConnection {
  /** The connection's JWT, as `JWTToken` in the LogonWithToken answer would have carried it. */
  readonly JWTToken: string;
}

/**
 * Ends the wait for a connection's second factor: from now on its id works as a credential, and
 * it gets the JWT its logon answer withheld (a JWT verifies offline, so none may exist while the
 * second factor is outstanding). False when the connection is unknown or over.
 */
export async function confirmSecondFactor(
  deps: { readonly sessions: SessionStore; readonly connectionJwt: ConnectionJwt },
  connectionId: string,
): Promise<ConfirmedConnection | false> {
  const key = storeKeys.connection(connectionId);
  const session = await deps.sessions.confirm(key);
  // A store written for the older contract (a boolean) would confirm without anybody noticing.
  if (session !== undefined && (session === null || typeof session !== 'object')) {
    throw new OptionsError('login-with-token', [{ code: 'LWT_INVALID_OPTION', path: 'store.sessions.confirm', message: 'must resolve the confirmed session or undefined' }]);
  }
  if (session?.kind !== 'connection') return false;
  return { JWTToken: await deps.connectionJwt.sign({ sid: key, tenant: session.tenant, userId: session.userId }, session.expiresAt) };
}
