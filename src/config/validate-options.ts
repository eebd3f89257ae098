import type { z } from 'zod';
import { OptionsError } from '../errors/options-error.js';
import { describeIssues } from './describe-issues.js';

/**
 * Parses `input` with `schema`, or throws one {@link OptionsError} naming every bad option.
 * `source` opens the message (`login-with-token`, `MemoryStore`, …); `prefix` is the path of
 * `input` among the options (e.g. `commands.LoginWithToken("acme")` for a per-tenant function).
 */
export function validateOptions<Schema extends z.ZodType>(schema: Schema, input: unknown, source: string, prefix: readonly PropertyKey[] = []): z.output<Schema> {
  const result = schema.safeParse(input);
  if (!result.success) throw new OptionsError(source, describeIssues(result.error, input, prefix));
  return result.data;
}
