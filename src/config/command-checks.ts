import { hostAllowed } from './allowed-hosts.js';
import type { CompiledCommand } from './command-schema.js';
import type { ConfigProblem } from './config-problem.js';

/**
 * What a single command definition cannot check alone: that its placeholders exist and that its
 * host is on the app-wide `http.allowedHosts`. Used at start-up and for per-tenant definitions
 * compiled later.
 */
export function commandProblems(
  command: CompiledCommand,
  knownPlaceholders: ReadonlySet<string>,
  allowedHosts: readonly string[] | undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const placeholder of command.placeholders) {
    if (!knownPlaceholders.has(placeholder)) problems.push({ path: [], message: `unknown placeholder {${placeholder}}` });
  }
  if (command.kind === 'http' && allowedHosts !== undefined && !hostAllowed(command.url.origin, allowedHosts)) {
    problems.push({ path: ['url'], message: `host is not on http.allowedHosts (${allowedHosts.join(', ')})` });
  }
  return problems;
}
