import type { ParsedHttpOptions } from '../destination/http-options.js';
import type { Command, CommandExecutor } from './command-executor.js';
import { functionExecutor } from './function-executor.js';
import { httpExecutor } from './http-executor.js';

/**
 * The executor used unless the app supplies its own: HTTP commands over the partner pool
 * (`http` options), function commands in process — both within `http.timeoutMs` unless the
 * command sets its own deadline.
 */
export function createDefaultExecutor(http: ParsedHttpOptions): CommandExecutor {
  const overHttp = httpExecutor(http);
  const inProcess = functionExecutor(http);
  return {
    run: (command: Command, placeholders, signal) => (command.definition.kind === 'http' ? overHttp : inProcess).run(command, placeholders, signal),
    close: () => overHttp.close?.() ?? Promise.resolve(),
  };
}
