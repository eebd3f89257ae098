import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { expectOptionsError } from './support/options-error.js';

const schema = z.strictObject({ timeoutMs: z.number().int().positive().default(1000) });

describe('validateOptions', () => {
  it('returns the parsed options with their defaults', () => {
    expect(validateOptions(schema, {}, 'Thing')).toEqual({ timeoutMs: 1000 });
    expect(validateOptions(schema, { timeoutMs: 5 }, 'Thing')).toEqual({ timeoutMs: 5 });
  });

  it('throws one OptionsError naming the source and every path under the prefix', () => {
    const error = expectOptionsError(() => validateOptions(schema, { timeoutMs: -1, extra: 1 }, 'Thing', ['thing']), {
      code: 'LWT_INVALID_OPTION',
      path: 'thing.timeoutMs',
    });
    expect(error.problems.map((problem) => [problem.code, problem.path])).toEqual([
      ['LWT_INVALID_OPTION', 'thing.timeoutMs'],
      ['LWT_UNKNOWN_OPTION', 'thing.extra'],
    ]);
    expect(error.message).toMatch(/^Thing: invalid options: thing\.timeoutMs: .+; thing\.extra: unknown option$/);
  });
});
