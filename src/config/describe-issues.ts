import type { z } from 'zod';
import type { OptionProblem } from '../errors/options-error.js';

/**
 * Turns a failed zod parse of `input` into one line per problem: the path as the README writes
 * it (`commands.LoginWithToken.url`, `frameAncestors[0]`), a code and a message. A value that is
 * absent is `LWT_MISSING_OPTION` ("is required" unless a check says more), a key the schema does not know
 * `LWT_UNKNOWN_OPTION` (one line per key). Messages name fields, never the values sent.
 * The one formatter of zod issues: options errors and request-body descriptions both use it.
 */
export function describeIssues(error: z.ZodError, input: unknown, prefix: readonly PropertyKey[] = []): OptionProblem[] {
  return error.issues.flatMap((issue): OptionProblem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ code: 'LWT_UNKNOWN_OPTION', path: formatPath([...prefix, ...issue.path, key]), message: 'unknown option' }));
    }
    const path = formatPath([...prefix, ...issue.path]);
    if (issue.path.length === 0 || valueAt(input, issue.path) !== undefined) return [{ code: 'LWT_INVALID_OPTION', path, message: issue.message }];
    // zod's own wording for an absent value names the type it expected; ours says what to do.
    return [{ code: 'LWT_MISSING_OPTION', path, message: issue.code === 'invalid_type' ? 'is required' : issue.message }];
  });
}

/**
 * A request body's problems as one public `description`: `field: problem` phrases joined by
 * `; ` (`password: is required`), `body: must be a JSON object` when the body is not one.
 */
export function describeBodyIssues(error: z.ZodError, body: unknown): string {
  return describeIssues(error, body)
    .map((problem) => (problem.path === '' ? 'body: must be a JSON object' : `${problem.path}: ${problem.message}`))
    .filter((line, index, lines) => lines.indexOf(line) === index)
    .join('; ');
}

/** `['a', 'b', 0, 'c']` → `a.b[0].c`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`)).join('');
}

/** The value at `path` inside `input`, following own properties only. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
