/**
 * A `WWW-Authenticate` value for the Bearer scheme (RFC 6750 §3). `realm` is checked at
 * start-up; `error` is one of RFC 6750's codes.
 */
export function bearerChallenge(realm: string, error?: 'invalid_request' | 'invalid_token'): string {
  return error === undefined ? `Bearer realm="${realm}"` : `Bearer realm="${realm}", error="${error}"`;
}
