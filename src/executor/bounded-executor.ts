import { maxCommandTimeoutMs } from '../config/command-deadline.js';
import type { CommandExecutor } from './command-executor.js';
import { validatorUnavailable } from './validator-unavailable.js';

/**
 * An app's executor, held to settle: a call still running `maxMs` after it began — by default
 * the longest deadline a command may have, plus a second — is given up as
 * `validator_unavailable`. So no partner-call slot, and no request joining a single-flight call,
 * waits forever on an executor that ignores its deadline. The package's own executors settle by
 * their deadlines and are never wrapped: their calls cost no second timer.
 */
export function boundedExecutor(executor: CommandExecutor, maxMs = maxCommandTimeoutMs + 1000): CommandExecutor {
  return {
    run(command, placeholders, signal) {
      let answer: Promise<unknown>;
      try {
        answer = executor.run(command, placeholders, signal);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        const ceiling = setTimeout(() => reject(validatorUnavailable(`command ${command.name} did not settle within ${maxMs} ms`)), maxMs).unref();
        answer.then(
          (value) => {
            clearTimeout(ceiling);
            resolve(value);
          },
          (error: unknown) => {
            clearTimeout(ceiling);
            reject(error);
          },
        );
      });
    },
    ...(executor.close === undefined ? {} : { close: () => executor.close!() }),
  };
}
