import { expect } from 'vitest';
import { OptionsError, type OptionProblem } from '../../src/errors/options-error.js';

/**
 * Runs `create`, which must throw an {@link OptionsError} (a `TypeError`), and checks its code
 * and option path — the stable part — and, where given, that its message says `message`.
 */
export function expectOptionsError(create: () => unknown, expected: Pick<OptionProblem, 'code' | 'path'> & { message?: string | RegExp }): OptionsError {
  let thrown: unknown;
  try {
    create();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(TypeError);
  expect(thrown).toBeInstanceOf(OptionsError);
  const error = thrown as OptionsError;
  expect(error.problems).toContainEqual(expect.objectContaining({ code: expected.code, path: expected.path }));
  if (expected.message !== undefined) expect(error.message).toMatch(expected.message);
  return error;
}
