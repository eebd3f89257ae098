import { parseArgs, type ParseArgsConfig } from 'node:util';

/** One command of `login-with-token`; `main.ts` finds it by name and runs it. */
export interface Command {
  /** The word after `login-with-token`, e.g. `migrate`. */
  readonly name: string;
  /** One line for the list of commands (`login-with-token --help`). */
  readonly summary: string;
  /** Its usage text: printed on stdout for `--help`, on stderr after bad input. */
  readonly usage: string;
  /** Runs it with the arguments after its name; resolves to the exit code. */
  run(args: readonly string[]): Promise<number>;
}

/**
 * Bad input to a command (an unknown flag, a missing or malformed value): `main.ts` prints the
 * message and the command's usage on stderr and exits with 2. The message names flags, never
 * the values given (one could be a database URL with its password).
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/**
 * `parseArgs` with `strict: true`, its refusals turned into a {@link UsageError}. A stray
 * argument is not echoed: it may be a secret typed in the wrong place.
 */
export function parseCommandArgs<Config extends Omit<ParseArgsConfig, 'args' | 'strict'>>(
  args: readonly string[],
  config: Config,
): ReturnType<typeof parseArgs<Config & { args: string[]; strict: true }>> {
  try {
    return parseArgs({ ...config, args: [...args], strict: true as const });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    throw new UsageError(code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' ? 'unexpected argument: this command takes flags only' : (error as Error).message);
  }
}
