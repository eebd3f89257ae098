import { hostAllowed } from './allowed-hosts.js';
import type { ConfigProblem } from './config-problem.js';
import { keyDiscoveryUrl, type ParsedTokenType } from './token-type-schema.js';

/**
 * JWT profiles whose key source — `jwksUrl`, `discoveryUrl`, or the issuer their keys are
 * discovered from — is on a host off the app-wide `http.allowedHosts`: those documents are
 * fetched like a partner call, so they are held to the same host list as the commands. Paths are
 * `[tokenType, option]`, below `logon.tokenTypes` or `tenants.<tenant>.tokenTypes`.
 */
export function jwksHostProblems(tokenTypes: Readonly<Record<string, ParsedTokenType>>, allowedHosts: readonly string[] | undefined): ConfigProblem[] {
  if (allowedHosts === undefined) return [];
  const problems: ConfigProblem[] = [];
  for (const [name, type] of Object.entries(tokenTypes)) {
    if (type.kind !== 'jwt') continue;
    const discovery = keyDiscoveryUrl(type);
    const sources: [string, string | undefined][] = [
      ['jwksUrl', type.jwksUrl],
      [type.discoveryUrl === undefined ? 'issuer' : 'discoveryUrl', discovery?.href],
    ];
    for (const [option, url] of sources) {
      if (url !== undefined && !hostAllowed(url, allowedHosts)) problems.push({ path: [name, option], message: `host is not on http.allowedHosts (${allowedHosts.join(', ')})` });
    }
  }
  return problems;
}
