import { childSignal } from '../time/deadline.js';
import type { CommandExecutor } from './command-executor.js';

/**
 * An executor the app supplies (the `executor` option), given a signal of its own on every call
 * (`childSignal`) that aborts when the caller's does. Whatever the app's code leaves listening on
 * it — `fetch` and `AbortSignal.any` do in Node.js 20, until garbage collection — goes with the
 * call, and never gathers on a signal that outlives it: the one of a client's connection
 * (`clientGoneSignal`) or the package's never-aborted one. The package's own executors follow
 * the caller's signal only while a call lasts and take it as it is.
 */
export function appExecutor(executor: CommandExecutor): CommandExecutor {
  return {
    async run(command, placeholders, parent) {
      const call = childSignal(parent);
      try {
        return await executor.run(command, placeholders, call.signal);
      } finally {
        call.dispose();
      }
    },
  };
}
