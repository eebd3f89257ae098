import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { durationMs, functionSchema } from '../src/config/zod-helpers.js';
import { expectOptionsError } from './support/options-error.js';

describe('functionSchema', () => {
  const schema = z.strictObject({ resolveUser: functionSchema<(id: string) => unknown>() });

  it('accepts plain, arrow, async and bound functions, and passes them through unchanged', () => {
    const candidates = [function named() {}, () => null, async () => null, Math.max.bind(Math)];
    for (const resolveUser of candidates) expect(validateOptions(schema, { resolveUser }, 'test').resolveUser).toBe(resolveUser);
  });

  it.each([['a string', 'resolveUser'], ['an object', { call: () => null }], ['null', null], ['a number', 1]])('refuses %s', (_what, resolveUser) => {
    const error = expectOptionsError(() => validateOptions(schema, { resolveUser }, 'test'), { code: 'LWT_INVALID_OPTION', path: 'resolveUser' });
    expect(error.problems[0]?.message).toBe('must be a function');
  });

  it('reports a missing function as missing', () => {
    expectOptionsError(() => validateOptions(schema, {}, 'test'), { code: 'LWT_MISSING_OPTION', path: 'resolveUser' });
  });
});

describe('durationMs', () => {
  const schema = z.strictObject({ timeoutMs: durationMs(5000) });
  const parse = (timeoutMs: unknown) => validateOptions(schema, { timeoutMs }, 'test', ['http']);

  it('accepts whole milliseconds from 1 up to the bound', () => {
    expect(parse(1)).toEqual({ timeoutMs: 1 });
    expect(parse(5000)).toEqual({ timeoutMs: 5000 });
  });

  it.each([0, -1, 1.5, 5001, Number.NaN, Number.POSITIVE_INFINITY, '100'])('refuses %s', (timeoutMs) => {
    expectOptionsError(() => parse(timeoutMs), { code: 'LWT_INVALID_OPTION', path: 'http.timeoutMs' });
  });
});
