import type { Command, CommandExecutor } from './command-executor.js';
import { createFunctionExecutor } from './function-executor.js';
import { createHttpExecutor, type HttpExecutorOptions } from './http-executor.js';

/**
 * The executor used unless the app supplies its own: HTTP commands go to
 * {@link createHttpExecutor}, function commands to {@link createFunctionExecutor}.
 */
export function createDefaultExecutor(options: HttpExecutorOptions = {}): CommandExecutor {
  const http = createHttpExecutor(options);
  const inProcess = createFunctionExecutor(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  return {
    run: (command: Command, placeholders, signal) =>
      (command.definition.kind === 'http' ? http : inProcess).run(command, placeholders, signal),
    close: () => http.close?.() ?? Promise.resolve(),
  };
}
