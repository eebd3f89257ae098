/**
 * The scopes a token grants: OAuth's space-separated `scope` (RFC 7662, RFC 9068) or Entra ID's
 * `scp`, each as a string or a list of strings. A token naming neither grants none.
 */
export function grantedScopes(claims: Readonly<Record<string, unknown>>): readonly string[] {
  return [...toScopes(claims['scope']), ...toScopes(claims['scp'])];
}

/**
 * The scopes of `required` that `granted` lacks (none when `granted` covers them all). Only a
 * list grants anything: `req.authInfo.scopes` set as a string by another strategy would
 * otherwise grant each of its characters.
 */
export function missingScopes(granted: readonly string[] | undefined, required: readonly string[]): readonly string[] {
  if (required.length === 0) return required;
  const have = new Set(Array.isArray(granted) ? granted : undefined);
  return required.filter((scope) => !have.has(scope));
}

function toScopes(value: unknown): readonly string[] {
  if (typeof value === 'string') return value.split(' ').filter((scope) => scope !== '');
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  return [];
}
