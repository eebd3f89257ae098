import { isSessionToken, sessionKey } from '../credentials/session-token.js';
import { connectionKey, isConnectionId } from '../logon/connection-key.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';


/** Which of our own credentials a bearer token is, and where its session lives. */
export type OwnToken =
  | { readonly kind: 'session-token' | 'connection-id'; readonly key: string }
  | { readonly kind: 'connection-jwt'; readonly key: string; readonly userId: string; readonly tenant: string }
  | { readonly kind: 'invalid' }
  | undefined;

/** What a token looks like, decided without any I/O: one of ours (with its store key), or not. */
export type OwnTokenShape = { readonly kind: 'session-token' | 'connection-id'; readonly key: string } | { readonly kind: 'connection-jwt' } | undefined;

/** Classifies `token` synchronously; a `connection-jwt` still needs its signature checked. */
export function classifyOwnToken(token: string, jwt: ConnectionJwt): OwnTokenShape {
  if (isSessionToken(token)) return { kind: 'session-token', key: sessionKey(token) };
  if (isConnectionId(token)) return { kind: 'connection-id', key: connectionKey(token) };
  return jwt.isOurs(token) ? { kind: 'connection-jwt' } : undefined;
}

/**
 * Recognises the package's own bearer credentials: session tokens (`lwts_…`), connection ids
 * (UUID v4, as in the vendor's `ConnectionId`) and connection JWTs (our `kid`; the signature is
 * verified here). `undefined` means "not ours": such tokens go to the partner, ours never do.
 */
export async function resolveOwnToken(token: string, jwt: ConnectionJwt): Promise<OwnToken> {
  const shape = classifyOwnToken(token, jwt);
  if (shape?.kind !== 'connection-jwt') return shape;
  const claims = await jwt.verify(token);
  return claims === undefined ? { kind: 'invalid' } : { kind: 'connection-jwt', key: claims.sid, userId: claims.userId, tenant: claims.tenant };
}
