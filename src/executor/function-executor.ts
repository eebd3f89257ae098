import { isLoginError } from '../errors/login-error.js';
import type { Placeholders } from '../template/template-parts.js';
import type { Command, CommandExecutor } from './command-executor.js';
import { describeFault } from '../errors/describe-fault.js';
import { deadline } from '../time/deadline.js';
import { validatorUnavailable } from './validator-unavailable.js';

/**
 * Runs in-process function commands (`{ run }`). The function's answer is used as is; `null`
 * or `undefined` rejects; a thrown `LoginError` passes through; anything else thrown, or a
 * missed deadline, becomes `validator_unavailable`.
 */
export function createFunctionExecutor(options: { timeoutMs?: number } = {}): CommandExecutor {
  const timeoutMs = options.timeoutMs ?? 5000;
  return {
    async run(command: Command, placeholders: Placeholders, signal: AbortSignal): Promise<unknown> {
      const definition = command.definition;
      if (definition.kind !== 'function') throw new TypeError(`command ${command.name} is not a function command`);
      const limit = deadline(signal, definition.timeoutMs ?? timeoutMs);
      try {
        const answer = await untilAborted(Promise.resolve(definition.run(placeholders, limit.signal)), limit.signal);
        return answer ?? null;
      } catch (error) {
        if (isLoginError(error)) throw error;
        throw validatorUnavailable(`command function failed: ${describeFault(error)}`, { cause: error });
      } finally {
        limit.dispose();
      }
    },
  };
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (functions may ignore it). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
