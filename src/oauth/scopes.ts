/**
 * The scopes a token grants: OAuth's space-separated `scope` (RFC 7662, RFC 9068) or Entra ID's
 * `scp`, each as a string or a list of strings. A token naming neither grants none.
 */
export function grantedScopes(claims: Readonly<Record<string, unknown>>): readonly string[] {
  const scp = claims['scp'];
  return scp === undefined ? toScopes(claims['scope']) : [...toScopes(claims['scope']), ...toScopes(scp)];
}

/**
 * The scopes of `required` that `granted` lacks (none when `granted` covers them all). Only a
 * list grants anything: `req.authInfo.scopes` set as a string by another strategy would
 * otherwise grant each of its characters.
 */
export function missingScopes(granted: readonly string[] | undefined, required: readonly string[]): readonly string[] {
  const have: readonly string[] = Array.isArray(granted) ? granted : [];
  // Nothing is allocated when nothing is missing, as on every request that passes.
  return required.every((scope) => have.includes(scope)) ? noScopes : required.filter((scope) => !have.includes(scope));
}

const noScopes: readonly string[] = [];

function toScopes(value: unknown): readonly string[] {
  if (typeof value === 'string') {
    const scopes = value.split(' ');
    return scopes.includes('') ? scopes.filter((scope) => scope !== '') : scopes;
  }
  if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string' && scope !== '');
  return [];
}
