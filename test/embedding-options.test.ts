import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { embeddedCookieOptionsSchema, embeddingOptionsSchema, frameAncestorsSchema } from '../src/embedding/embedding-options.js';
import { expectOptionsError } from './support/options-error.js';

const parseAncestors = (input: unknown) => validateOptions(frameAncestorsSchema, input, 'login-with-token', ['embedding', 'frameAncestors']);
const parseCookie = (input: unknown) => validateOptions(embeddedCookieOptionsSchema, input, 'login-with-token', ['embedding', 'cookie']);
const parseEmbedding = (input: unknown) => validateOptions(embeddingOptionsSchema, input, 'login-with-token', ['embedding']);

describe('frameAncestorsSchema', () => {
  it('accepts exact origins, wildcard subdomains and self, lower-cased', () => {
    expect(parseAncestors(['HTTPS://Partner.Example', 'https://*.partner.example', "'SELF'", 'http://localhost:8080'])).toEqual([
      'https://partner.example',
      'https://*.partner.example',
      "'self'",
      'http://localhost:8080',
    ]);
  });

  it('refuses a bare *, which would let any site frame the signed-in portal', () => {
    expectOptionsError(() => parseAncestors(['*']), { code: 'LWT_INVALID_OPTION', path: 'embedding.frameAncestors[0]' });
  });

  it.each([
    ['a second directive', 'https://partner.example; script-src *'],
    ['a second source', 'https://partner.example https://evil.example'],
    ['a header break', 'https://partner.example\r\nSet-Cookie: sid=x'],
    ['a trailing newline', 'https://partner.example\n'],
    ['a keyword other than self', "'unsafe-inline'"],
    ['none', "'none'"],
    ['a scheme only', 'https:'],
    ['a data scheme', 'data:'],
    ['a wildcard host', 'https://*'],
    ['a wildcard without scheme', '*.partner.example'],
    ['a path', 'https://partner.example/embed'],
    ['user info', 'https://user@partner.example'],
    ['a script scheme', 'javascript://partner.example'],
  ])('refuses %s, which could widen the policy', (_name, source) => {
    expectOptionsError(() => parseAncestors([source]), { code: 'LWT_INVALID_OPTION', path: 'embedding.frameAncestors[0]' });
  });

  it('names the entry that is wrong', () => {
    expectOptionsError(() => parseAncestors(['https://ok.example', '*']), { code: 'LWT_INVALID_OPTION', path: 'embedding.frameAncestors[1]' });
  });
});

describe('embeddedCookieOptionsSchema', () => {
  it('defaults to SameSite=None; Secure; Partitioned', () => {
    expect(parseCookie({})).toEqual({ sameSite: 'none', secure: true, partitioned: true });
  });

  it('refuses sameSite none without secure, which browsers drop', () => {
    expectOptionsError(() => parseCookie({ sameSite: 'none', secure: false, partitioned: false }), { code: 'LWT_INVALID_OPTION', path: 'embedding.cookie.secure' });
  });

  it('refuses a partitioned cookie without secure, naming secure as the option to change', () => {
    expectOptionsError(() => parseCookie({ sameSite: 'lax', secure: false, partitioned: true }), { code: 'LWT_INVALID_OPTION', path: 'embedding.cookie.secure' });
  });

  it('calls a secure: false that clashes with the default partitioned invalid, not missing', () => {
    const error = expectOptionsError(() => parseCookie({ sameSite: 'lax', secure: false }), { code: 'LWT_INVALID_OPTION', path: 'embedding.cookie.secure' });
    expect(error.problems.every((problem) => problem.code === 'LWT_INVALID_OPTION')).toBe(true);
  });

  it('allows an insecure cookie only when it is neither SameSite=None nor partitioned', () => {
    expect(parseCookie({ sameSite: 'lax', secure: false, partitioned: false })).toEqual({ sameSite: 'lax', secure: false, partitioned: false });
  });

  it('refuses an unknown sameSite value and an unknown option', () => {
    expectOptionsError(() => parseCookie({ sameSite: 'None' }), { code: 'LWT_INVALID_OPTION', path: 'embedding.cookie.sameSite' });
    expectOptionsError(() => parseCookie({ httpOnly: false }), { code: 'LWT_UNKNOWN_OPTION', path: 'embedding.cookie.httpOnly' });
  });
});

describe('embeddingOptionsSchema', () => {
  it('defaults to nobody framing the portal and the embedded cookie defaults', () => {
    expect(parseEmbedding({})).toEqual({ frameAncestors: [], cookie: { sameSite: 'none', secure: true, partitioned: true } });
  });

  it('reports problems of its parts under their paths', () => {
    expectOptionsError(() => parseEmbedding({ frameAncestors: ['*'] }), { code: 'LWT_INVALID_OPTION', path: 'embedding.frameAncestors[0]' });
    expectOptionsError(() => parseEmbedding({ cookie: { sameSite: 'none', secure: false, partitioned: false } }), { code: 'LWT_INVALID_OPTION', path: 'embedding.cookie.secure' });
    expectOptionsError(() => parseEmbedding({ frameAncestor: [] }), { code: 'LWT_UNKNOWN_OPTION', path: 'embedding.frameAncestor' });
  });
});
