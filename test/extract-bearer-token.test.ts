import { describe, expect, it } from 'vitest';
import { extractBearerToken } from '../src/bearer/extract-bearer-token.js';
import type { RequestInfo } from '../src/request/request-info.js';
import { recordSecret } from './support/secrets.js';

const token = recordSecret('partner-token.AbC-_~+/9==');
const form = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

function request(parts: Partial<RequestInfo> = {}): RequestInfo {
  return { method: 'GET', headers: {}, query: {}, body: undefined, ip: '203.0.113.5', ...parts };
}

describe('extractBearerToken', () => {
  describe('the Authorization header', () => {
    it('takes the token after the Bearer scheme, in any case of the scheme', () => {
      for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
        expect(extractBearerToken(request({ headers: { authorization: `${scheme} ${token}` } }), false)).toEqual({ kind: 'token', token });
      }
      expect(extractBearerToken(request({ headers: { authorization: `Bearer   ${token}` } }), false)).toEqual({ kind: 'token', token });
    });

    it('sees no bearer token behind another scheme, or a scheme that only starts with "Bearer"', () => {
      expect(extractBearerToken(request({ headers: { authorization: 'Basic YWxpY2U6cHc=' } }), false)).toEqual({ kind: 'none' });
      expect(extractBearerToken(request({ headers: { authorization: `Bearertoken ${token}` } }), false)).toEqual({ kind: 'none' });
      expect(extractBearerToken(request(), false)).toEqual({ kind: 'none' });
    });

    it.each([
      ['no token', 'Bearer'],
      ['a space inside', 'Bearer ab cd'],
      ['a tab', 'Bearer ab\tcd'],
      ['a non-ASCII letter', 'Bearer äbc'],
      ['padding first', 'Bearer =abc'],
      ['padding inside', 'Bearer ab=c'],
      ['a quote', 'Bearer ab"c'],
      ['a comma', 'Bearer ab,c'],
    ])('calls a header with %s malformed', (_name, authorization) => {
      expect(extractBearerToken(request({ headers: { authorization } }), false)).toMatchObject({ kind: 'malformed', reason: 'malformed Authorization header' });
    });

    it('takes tokens up to 16384 characters and calls longer ones malformed', () => {
      const longest = 'a'.repeat(16_384);
      expect(extractBearerToken(request({ headers: { authorization: `Bearer ${longest}` } }), false)).toEqual({ kind: 'token', token: longest });
      expect(extractBearerToken(request({ headers: { authorization: `Bearer ${longest}a` } }), false).kind).toBe('malformed');
    });

    // A proxy that reads the last copy and the app that reads the first would disagree about who this is.
    it('refuses two Authorization headers, whatever their spelling or order', () => {
      const rawHeaders = ['Authorization', `Bearer ${token}`, 'host', 'portal.example', 'AUTHORIZATION', 'Bearer someone-else'];
      const smuggled = request({ headers: { authorization: `Bearer ${token}` }, rawHeaders });
      expect(extractBearerToken(smuggled, false)).toEqual({ kind: 'malformed', reason: 'more than one Authorization header' });
      const single = request({ headers: { authorization: `Bearer ${token}` }, rawHeaders: ['authorization', `Bearer ${token}`, 'x-authorization', 'x'] });
      expect(extractBearerToken(single, false)).toEqual({ kind: 'token', token });
    });
  });

  describe('the form body', () => {
    it('takes access_token from a form-encoded body on POST and other methods but GET and HEAD', () => {
      for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        expect(extractBearerToken(request({ method, headers: form, body: { access_token: token } }), false)).toEqual({ kind: 'token', token });
      }
      for (const method of ['GET', 'HEAD']) {
        expect(extractBearerToken(request({ method, headers: form, body: { access_token: token } }), false)).toEqual({ kind: 'none' });
      }
    });

    it('ignores access_token in a body that is not form-encoded', () => {
      for (const type of ['application/json', 'text/plain', 'application/x-www-form-urlencodedx', 'multipart/form-data']) {
        expect(extractBearerToken(request({ method: 'POST', headers: { 'content-type': type }, body: { access_token: token } }), false)).toEqual({ kind: 'none' });
      }
    });

    it('calls a non-string or malformed access_token malformed', () => {
      for (const access_token of [['a', 'b'], { a: 1 }, 42, '', 'a b']) {
        expect(extractBearerToken(request({ method: 'POST', headers: form, body: { access_token } }), false)).toMatchObject({ kind: 'malformed', reason: 'malformed access_token in body' });
      }
    });

    it('reads only the body’s own access_token, never one inherited from its prototype', () => {
      const body = Object.create({ access_token: token }) as object;
      expect(extractBearerToken(request({ method: 'POST', headers: form, body }), false)).toEqual({ kind: 'none' });
      expect(extractBearerToken(request({ method: 'POST', headers: form, body: null }), false)).toEqual({ kind: 'none' });
    });
  });

  describe('the query', () => {
    it('ignores access_token in the query unless it is allowed', () => {
      expect(extractBearerToken(request({ query: { access_token: token } }), false)).toEqual({ kind: 'none' });
      expect(extractBearerToken(request({ query: { access_token: token } }), true)).toEqual({ kind: 'token', token });
    });

    it('calls a repeated or nested query token malformed', () => {
      for (const access_token of [[token, token], { nested: token }, '']) {
        expect(extractBearerToken(request({ query: { access_token } }), true)).toMatchObject({ kind: 'malformed', reason: 'malformed access_token in query' });
      }
    });
  });

  it('refuses a token sent in more than one place, even the same token', () => {
    const header = { authorization: `Bearer ${token}` };
    const both = [
      request({ method: 'POST', headers: { ...header, ...form }, body: { access_token: token } }),
      request({ headers: header, query: { access_token: token } }),
      request({ method: 'POST', headers: form, body: { access_token: token }, query: { access_token: token } }),
    ];
    for (const twice of both) expect(extractBearerToken(twice, true)).toEqual({ kind: 'malformed', reason: 'token sent in more than one place' });
  });

  it('never throws on input of the wrong types', () => {
    const odd = [
      request({ headers: { authorization: ['Bearer a'] as unknown as string } }),
      request({ method: 'POST', headers: { 'content-type': ['application/x-www-form-urlencoded'] as unknown as string }, body: { access_token: 'a' } }),
      request({ method: 'POST', headers: form, body: 'access_token=a' }),
      request({ query: Object.create(null) as Record<string, unknown> }),
    ];
    for (const weird of odd) expect(extractBearerToken(weird, true)).toEqual({ kind: 'none' });
  });
});
