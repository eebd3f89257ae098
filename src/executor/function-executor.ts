import { validateOptions } from '../config/validate-options.js';
import { httpOptionsSchema, type HttpOptions, type ParsedHttpOptions } from '../destination/http-options.js';
import { isLoginError } from '../errors/login-error.js';
import type { Placeholders } from '../template/template-parts.js';
import type { Command, CommandExecutor } from './command-executor.js';
import { describeFault } from '../errors/describe-fault.js';
import { deadline } from '../time/deadline.js';
import { validatorUnavailable } from './validator-unavailable.js';

/** Options of {@link createFunctionExecutor}: the deadline of the `http` options, which function commands share. */
export type FunctionExecutorOptions = Pick<HttpOptions, 'timeoutMs'>;

const functionExecutorOptionsSchema = httpOptionsSchema.pick({ timeoutMs: true });

/**
 * Runs in-process function commands (`{ run }`). The function's answer is used as is; `null`
 * or `undefined` rejects; a thrown `LoginError` passes through; anything else thrown, or a
 * missed deadline (the command's `timeoutMs`, else `timeoutMs` here), becomes `validator_unavailable`.
 *
 * @example
 * ```ts
 * const executor = createFunctionExecutor({ timeoutMs: 1000 });
 * ```
 */
export function createFunctionExecutor(options: FunctionExecutorOptions = {}): CommandExecutor {
  return functionExecutor(validateOptions(functionExecutorOptionsSchema, options, 'createFunctionExecutor'));
}

/** {@link createFunctionExecutor} for `http` options the factory has validated already. */
export function functionExecutor(http: Pick<ParsedHttpOptions, 'timeoutMs'>): CommandExecutor {
  return {
    async run(command: Command, placeholders: Placeholders, signal: AbortSignal): Promise<unknown> {
      const definition = command.definition;
      if (definition.kind !== 'function') throw new TypeError(`command ${command.name} is not a function command`);
      const limit = deadline(signal, definition.timeoutMs ?? http.timeoutMs);
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
