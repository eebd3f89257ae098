import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeBodyIssues, describeIssues, formatPath } from '../src/config/describe-issues.js';

const schema = z.strictObject({
  url: z.string().min(5, 'must be a URL'),
  retries: z.number().int(),
  tags: z.array(z.string().regex(/^[a-z]+$/, 'must be lower-case letters')).optional(),
  nested: z.strictObject({ on: z.boolean() }).optional(),
  hook: z.custom<() => void>((value) => typeof value === 'function', { message: 'must be a function' }).optional(),
});

function issuesOf(input: unknown, prefix?: PropertyKey[]) {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected a failure');
  return describeIssues(result.error, input, prefix);
}

describe('describeIssues', () => {
  it('says "is required" for an absent value and names its path', () => {
    expect(issuesOf({ url: 'https://x' })).toEqual([{ code: 'LWT_MISSING_OPTION', path: 'retries', message: 'is required' }]);
  });

  it('keeps the message of a check on an absent value', () => {
    const withHook = schema.extend({ hook: z.custom<() => void>((value) => typeof value === 'function', { message: 'must be a function' }) });
    const result = withHook.safeParse({ url: 'https://x', retries: 1 });
    expect(result.success || describeIssues(result.error, {})).toEqual([{ code: 'LWT_MISSING_OPTION', path: 'hook', message: 'must be a function' }]);
  });

  it('gives each unknown key its own line', () => {
    const lines = issuesOf({ url: 'https://x', retries: 1, retires: 2, nested: { on: true, of: false, off: true } });
    expect(lines).toHaveLength(3);
    expect(lines).toEqual(
      expect.arrayContaining([
        { code: 'LWT_UNKNOWN_OPTION', path: 'retires', message: 'unknown option' },
        { code: 'LWT_UNKNOWN_OPTION', path: 'nested.of', message: 'unknown option' },
        { code: 'LWT_UNKNOWN_OPTION', path: 'nested.off', message: 'unknown option' },
      ]),
    );
  });

  it('writes array indexes in brackets and puts the prefix first', () => {
    expect(issuesOf({ url: 'https://x', retries: 1, tags: ['ok', 'NOT'] }, ['http'])).toEqual([
      { code: 'LWT_INVALID_OPTION', path: 'http.tags[1]', message: 'must be lower-case letters' },
    ]);
  });

  it('never puts a value into a message', () => {
    const lines = issuesOf({ url: 'abc', retries: 'secret-value' });
    expect(JSON.stringify(lines)).not.toContain('secret-value');
    expect(lines.map((line) => line.path)).toEqual(['url', 'retries']);
  });
});

describe('describeBodyIssues', () => {
  it('joins field problems with "; " and calls a non-object body what it is', () => {
    const result = schema.safeParse({ url: 'x' });
    expect(result.success || describeBodyIssues(result.error, { url: 'x' })).toBe('url: must be a URL; retries: is required');
    const array = schema.safeParse([]);
    expect(array.success || describeBodyIssues(array.error, [])).toBe('body: must be a JSON object');
  });
});

describe('formatPath', () => {
  it('writes paths as the README does', () => {
    expect(formatPath(['embedding', 'frameAncestors', 0])).toBe('embedding.frameAncestors[0]');
    expect(formatPath(['commands.LoginWithToken("acme")', 'url'])).toBe('commands.LoginWithToken("acme").url');
    expect(formatPath([])).toBe('');
  });
});
