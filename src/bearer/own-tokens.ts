import { apiTokenPrefix } from '../api-tokens/api-token-secret.js';
import { sessionTokenPrefix } from '../credentials/session-token.js';
import { isConnectionId } from '../logon/connection-id.js';
import { storeKeys } from '../store/store-keys.js';
import type { ConnectionJwt } from '../logon/connection-jwt.js';

/** Which of our own credentials a bearer token is, and where its session lives. */
export type OwnToken =
  | { readonly kind: 'session-token' | 'connection-id'; readonly key: string }
  | { readonly kind: 'connection-jwt'; readonly key: string; readonly userId: string; readonly tenant: string }
  | { readonly kind: 'invalid' }
  | undefined;

/**
 * What a token looks like, decided without any I/O: one of ours (with its store key), ours but
 * never a bearer credential (`refused`), or not ours (`undefined`).
 */
export type OwnTokenShape =
  | { readonly kind: 'session-token' | 'connection-id'; readonly key: string }
  | { readonly kind: 'connection-jwt' }
  | { readonly kind: 'refused'; readonly reason: string }
  | undefined;

/**
 * Classifies `token` synchronously; a `connection-jwt` still needs its signature checked.
 * Everything carrying our marks is decided here and never reaches a partner: API tokens (a
 * long-lived secret; they are exchanged at LogonWithToken, not presented on every call) and
 * JWTs of our issuer or key naming that are not signed with the current key (rotated, or
 * another instance's).
 */
export function classifyOwnToken(token: string, jwt: ConnectionJwt): OwnTokenShape {
  // Recognised in any spelling a client might send (a re-cased prefix, RFC 6750's trailing "="):
  // a variant of our secret is still our secret, and never goes to a partner.
  const prefix = token.slice(0, apiTokenPrefix.length).toLowerCase();
  if (prefix === sessionTokenPrefix) return { kind: 'session-token', key: storeKeys.sessionToken(token) };
  if (prefix === apiTokenPrefix) return { kind: 'refused', reason: 'API tokens are exchanged at LogonWithToken, not used as bearer tokens' };
  const bare = token.endsWith('=') ? token.replace(/=+$/, '') : token;
  if (isConnectionId(bare)) return { kind: 'connection-id', key: storeKeys.connection(bare) };
  const mark = jwt.recognise(bare);
  if (mark === 'current-key') return { kind: 'connection-jwt' };
  return mark === 'other-key' ? { kind: 'refused', reason: 'a JWT of ours not signed with the current key' } : undefined;
}

/**
 * Recognises the package's own bearer credentials: session tokens (`lwts_…`), connection ids
 * (UUID v4, as in the vendor's `ConnectionId`) and connection JWTs (our `kid`; the signature is
 * verified here). `undefined` means "not ours": such tokens go to the partner, ours never do.
 */
export async function resolveOwnToken(token: string, jwt: ConnectionJwt): Promise<OwnToken> {
  const shape = classifyOwnToken(token, jwt);
  if (shape?.kind === 'refused') return { kind: 'invalid' };
  if (shape?.kind !== 'connection-jwt') return shape;
  const claims = await jwt.verify(token);
  return claims === undefined ? { kind: 'invalid' } : { kind: 'connection-jwt', key: claims.sid, userId: claims.userId, tenant: claims.tenant };
}
