import { expect } from 'vitest';
import { isLoginError, type LoginError } from '../../src/errors/login-error.js';

/** The `LoginError` `promise` rejects with; fails the test when it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(isLoginError(error), 'a LoginError').toBe(true);
  return error as LoginError;
}

/** The `LoginError` `run` throws; fails the test when it returns or throws anything else. */
export function thrown(run: () => unknown): LoginError {
  try {
    run();
  } catch (error) {
    expect(isLoginError(error), 'a LoginError').toBe(true);
    return error as LoginError;
  }
  throw new Error('expected a LoginError');
}
