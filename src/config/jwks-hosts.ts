import { hostAllowed } from './allowed-hosts.js';
import type { ConfigProblem } from './config-problem.js';
import type { ParsedTokenType } from './token-type-schema.js';

/**
 * JWT profiles whose `jwksUrl` host is not on the app-wide `http.allowedHosts`: the JWKS is
 * fetched like a partner call, so it is held to the same host list as the commands. Paths are
 * `[tokenType, 'jwksUrl']`, below `logon.tokenTypes` or `tenants.<tenant>.tokenTypes`.
 */
export function jwksHostProblems(tokenTypes: Readonly<Record<string, ParsedTokenType>>, allowedHosts: readonly string[] | undefined): ConfigProblem[] {
  if (allowedHosts === undefined) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, type] of Object.entries(tokenTypes)) {
    if (type.kind !== 'jwt' || type.jwksUrl === undefined || hostAllowed(type.jwksUrl, allowedHosts)) continue;
    problems.push({ path: [name, 'jwksUrl'], message: `host is not on http.allowedHosts (${allowedHosts.join(', ')})` });
  }
  return problems;
}
