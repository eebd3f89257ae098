import { describe, expect, it } from 'vitest';
import { scopeSchema } from '../src/config/scope-schema.js';

const accepts = (scope: unknown) => scopeSchema.safeParse(scope).success;

/** RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ). */
const scopeTokenChar = (code: number) => code === 0x21 || (code >= 0x23 && code <= 0x5b) || (code >= 0x5d && code <= 0x7e);

describe('scopeSchema', () => {
  it.each(['read', 'portal.api', 'api://portal/Files.Read', 'https://graph.microsoft.com/.default', 'user:email', '!#$%&()*+,-./:;<=>?@[]^_`{|}~'])(
    'accepts the scope token %s unchanged',
    (scope) => {
      expect(scopeSchema.parse(scope)).toBe(scope);
    },
  );

  it('accepts exactly the characters of RFC 6749 §3.3, each on its own and inside a token', () => {
    for (let code = 0; code <= 0x80; code++) {
      const char = String.fromCharCode(code);
      const label = `U+${code.toString(16).padStart(4, '0')}`;
      expect(accepts(char), label).toBe(scopeTokenChar(code));
      expect(accepts(`read${char}write`), label).toBe(scopeTokenChar(code));
    }
  });

  it.each([
    ['a space (it separates scopes)', 'read write'],
    ['a leading space', ' read'],
    ['a trailing space', 'read '],
    ['a double quote (it would end scope="…" in a challenge)', 'read"'],
    ['a backslash', 'read\\write'],
    ['a line break (header injection)', 'read\r\nX-Evil: 1'],
    ['a tab', 'read\twrite'],
    ['DEL', 'read\x7f'],
    ['a non-ASCII letter', 'lesen.schreibe\u00df'],
    ['a no-break space', 'read\u00a0write'],
    ['an emoji', 'read\u{1f600}'],
  ])('refuses a scope with %s', (_name, scope) => {
    expect(accepts(scope)).toBe(false);
  });

  it('refuses the empty string and what is not a string', () => {
    expect(accepts('')).toBe(false);
    for (const value of [undefined, null, 1, ['read'], { scope: 'read' }]) expect(accepts(value)).toBe(false);
  });

  it('says what a scope token is', () => {
    expect(scopeSchema.safeParse('read write').error?.issues[0]?.message).toBe('must be an RFC 6749 scope token (visible ASCII, no space, quote or backslash)');
  });
});
