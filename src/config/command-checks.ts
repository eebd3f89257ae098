import { hostAllowed } from './allowed-hosts.js';
import type { CompiledCommand } from './command-schema.js';

/** A problem with a compiled command, at a path below the command's own option path. */
export interface CommandProblem {
  readonly path: string[];
  readonly message: string;
}

/**
 * What a single command definition cannot check alone: that its placeholders exist and that its
 * host is on the app-wide `http.allowedHosts`. Used at start-up and for per-tenant definitions
 * compiled later.
 */
export function commandProblems(
  command: CompiledCommand,
  knownPlaceholders: ReadonlySet<string>,
  allowedHosts: readonly string[] | undefined,
): CommandProblem[] {
  const problems: CommandProblem[] = [];
  for (const placeholder of command.placeholders) {
    if (!knownPlaceholders.has(placeholder)) problems.push({ path: [], message: `unknown placeholder {${placeholder}}` });
  }
  if (command.kind === 'http' && allowedHosts !== undefined && !hostAllowed(command.url.origin, allowedHosts)) {
    problems.push({ path: ['url'], message: `host is not on http.allowedHosts (${allowedHosts.join(', ')})` });
  }
  return problems;
}
