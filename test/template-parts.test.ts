import { describe, expect, it } from 'vitest';
import { LoginError } from '../src/errors/login-error.js';
import { placeholderNames, renderParts, splitTemplate } from '../src/template/template-parts.js';
import { recordSecret } from './support/secrets.js';

describe('splitTemplate', () => {
  it('splits literals and placeholders', () => {
    expect(splitTemplate('a{b}c{d_1}')).toEqual([{ literal: 'a' }, { placeholder: 'b' }, { literal: 'c' }, { placeholder: 'd_1' }]);
    expect(splitTemplate('')).toEqual([{ literal: '' }]);
    expect(splitTemplate('{ not one }')).toEqual([{ literal: '{ not one }' }]);
  });

  it('takes only names that start with a letter or underscore and hold letters, digits or underscores', () => {
    expect(splitTemplate('{a}{_b}')).toEqual([{ placeholder: 'a' }, { placeholder: '_b' }]);
    for (const text of ['{1a}', '{a-b}', '{a.b}', '{}', '{a b}']) expect(splitTemplate(text)).toEqual([{ literal: text }]);
  });

  it('keeps braces around a placeholder as literal text', () => {
    expect(splitTemplate('{{a}}')).toEqual([{ literal: '{' }, { placeholder: 'a' }, { literal: '}' }]);
  });
});

describe('placeholderNames', () => {
  it('lists every placeholder in order, repeats included', () => {
    expect(placeholderNames('/{authToken}?t={authToken}&ip={ipAddress}')).toEqual(['authToken', 'authToken', 'ipAddress']);
    expect(placeholderNames('no placeholders, {1} {a-b}')).toEqual([]);
  });
});

describe('renderParts', () => {
  const upper = (value: string) => value.toUpperCase();

  it('passes values through encode and leaves literals as written', () => {
    expect(renderParts(splitTemplate('pre-{a}-mid-{b}'), { a: 'x', b: 'y' }, upper)).toBe('pre-X-mid-Y');
  });

  it('renders a missing or undefined value as empty', () => {
    const seen: string[] = [];
    const out = renderParts(splitTemplate('[{a}][{b}]'), { b: undefined }, (value) => (seen.push(value), value));
    expect(out).toBe('[][]');
    expect(seen).toEqual(['', '']);
  });

  it('does not expand placeholders found inside a value', () => {
    expect(renderParts(splitTemplate('{a}'), { a: '{b}', b: 'expanded' }, (value) => value)).toBe('{b}');
  });

  it('refuses a value with a lone surrogate with invalid_request, without naming the value', () => {
    // The leak check encodes every recorded secret, which a lone surrogate cannot be: record the rest.
    const token = recordSecret('tok-lone-surrogate-value');
    let thrown: unknown;
    try {
      renderParts(splitTemplate('{authToken}'), { authToken: `${token}\ud800` }, (value) => value);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LoginError);
    const error = thrown as LoginError;
    expect(error.code).toBe('invalid_request');
    expect(`${error.message} ${error.reason}`).not.toContain(token);
  });

  it('accepts well-formed text outside the Basic Multilingual Plane', () => {
    expect(renderParts(splitTemplate('{a}'), { a: 'key-\u{1F511}' }, encodeURIComponent)).toBe('key-%F0%9F%94%91');
  });
});
