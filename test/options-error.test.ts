import { describe, expect, it } from 'vitest';
import { OptionsError } from '../src/errors/options-error.js';
// Another copy of the class: the built package, as a second version in one app would be. (A
// computed specifier, so the type check does not need dist/; \`npm test\` builds it first.)
const otherCopy = (await import(new URL('../dist/errors/options-error.js', import.meta.url).href)) as typeof import('../src/errors/options-error.js');

describe('OptionsError', () => {
  const problems = [
    { code: 'LWT_UNKNOWN_OPTION', path: 'http.timeotMs', message: 'unknown option' },
    { code: 'LWT_INVALID_OPTION', path: 'handoff.defaultReturnTo', message: 'must be a same-origin path such as "/"' },
  ] as const;

  it('is a TypeError with the first problem as code and path, and every problem in its message', () => {
    const error = new OptionsError('login-with-token', problems);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ name: 'OptionsError', code: 'LWT_UNKNOWN_OPTION', path: 'http.timeotMs', problems });
    expect(error.message).toBe(
      'login-with-token: invalid options: http.timeotMs: unknown option; handoff.defaultReturnTo: must be a same-origin path such as "/"',
    );
  });

  it('names the options object itself "(options)"', () => {
    const error = new OptionsError('MemoryStore', [{ code: 'LWT_INVALID_OPTION', path: '', message: 'must be an object' }]);
    expect(error.message).toBe('MemoryStore: invalid options: (options): must be an object');
    expect(error.path).toBe('');
  });

  it('is recognised across two copies of the package, and only then', () => {
    const foreign = new otherCopy.OptionsError('login-with-token', problems);
    expect(foreign instanceof OptionsError).toBe(true);
    expect(new OptionsError('x', problems) instanceof otherCopy.OptionsError).toBe(true);
    expect(new TypeError('bad') instanceof OptionsError).toBe(false);
    expect({ code: 'LWT_INVALID_OPTION', path: '' } instanceof OptionsError).toBe(false);
  });
});
