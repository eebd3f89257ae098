import { LoginError } from '../errors/login-error.js';

/**
 * A `WWW-Authenticate` value for the Bearer scheme (RFC 6750 §3). `realm` is checked at
 * start-up; `error` is one of RFC 6750's codes; `scope` lists the scopes a route needs (scope
 * tokens are checked at start-up: no quotes, no backslashes).
 */
export function bearerChallenge(realm: string, error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope', scope?: readonly string[]): string {
  if (error === undefined) return `Bearer realm="${realm}"`;
  return scope === undefined ? `Bearer realm="${realm}", error="${error}"` : `Bearer realm="${realm}", error="${error}", scope="${scope.join(' ')}"`;
}

/** The 403 `insufficient_scope` refusal (RFC 6750 §3.1) of a token lacking some of `required`. */
export function insufficientScope(realm: string, required: readonly string[], missing: readonly string[]): LoginError {
  const headers = { 'www-authenticate': bearerChallenge(realm, 'insufficient_scope', required) };
  return new LoginError('insufficient_scope', { reason: `token lacks scope ${missing.join(' ')}`, headers });
}
