import { hostAllowed } from './allowed-hosts.js';
import type { CompiledCommand } from './command-schema.js';
import type { ConfigProblem } from './config-problem.js';

/**
 * What a single command definition cannot check alone: that its placeholders exist, that its
 * host is on the app-wide `http.allowedHosts`, and that only `ValidateBearer` is an
 * introspection command. Used at start-up and for per-tenant definitions compiled later.
 */
export function commandProblems(
  name: string,
  command: CompiledCommand,
  knownPlaceholders: ReadonlySet<string>,
  allowedHosts: readonly string[] | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const placeholder of command.placeholders) {
    if (!knownPlaceholders.has(placeholder)) problems.push({ path: [], message: `unknown placeholder {${placeholder}}` });
  }
  if (command.kind === 'introspection') {
    if (name !== 'ValidateBearer') problems.push({ path: ['kind'], message: 'introspection validates bearer tokens: only ValidateBearer can be one' });
    const [field, url] = command.url === undefined ? ['issuer', command.discoveryUrl!] : ['url', command.url];
    if (allowedHosts !== undefined && !hostAllowed(url.href, allowedHosts)) {
      problems.push({ path: [field], message: `host is not on http.allowedHosts (${allowedHosts.join(', ')})` });
    }
  }
  if (command.kind === 'http' && allowedHosts !== undefined && !hostAllowed(command.url.origin, allowedHosts)) {
    problems.push({ path: ['url'], message: `host is not on http.allowedHosts (${allowedHosts.join(', ')})` });
  }
  return problems;
}
