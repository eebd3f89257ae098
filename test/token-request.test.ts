import { describe, expect, it } from 'vitest';
import { tokenRequestSchema } from '../src/credentials/token-request.js';
import { recordSecret } from './support/secrets.js';

const password = recordSecret('token-request-password-1');
const passCode = recordSecret('token-request-pass-code-1');
const code = recordSecret('token-request-auth-code-1');

/** The paths of the issues `body` raises, as `a.b`. */
function refused(body: unknown): string[] {
  const result = tokenRequestSchema.safeParse(body);
  expect(result.success).toBe(false);
  return result.error!.issues.map((issue) => issue.path.join('.'));
}

describe('tokenRequestSchema', () => {
  describe('accepts', () => {
    it('username and password with organisation and unit', () => {
      const body = { username: 'mpadministrator', password, organisation: 'CRMDEMO', unit: 'EE63A82C' };
      expect(tokenRequestSchema.parse(body)).toEqual(body);
    });

    it('an authentication_code alone', () => {
      const body = { access_token_identifier: { authentication_code: code }, organisation: 'CRMDEMO' };
      expect(tokenRequestSchema.parse(body)).toEqual(body);
    });

    it('an identifier with its pass_code', () => {
      const body = { access_token_identifier: { identifier: 'device-7', pass_code: passCode }, organisation: 'CRMDEMO' };
      expect(tokenRequestSchema.parse(body)).toEqual(body);
    });

    it('fields at their longest', () => {
      const body = { username: 'u'.repeat(256), password: recordSecret('p'.repeat(1024)), organisation: 'o'.repeat(256), unit: 'n'.repeat(256) };
      expect(tokenRequestSchema.safeParse(body).success).toBe(true);
    });
  });

  describe('refuses', () => {
    it('a body without organisation', () => {
      expect(refused({ username: 'a', password })).toEqual(['organisation']);
    });

    it('a body with neither credentials nor access_token_identifier, naming both fields', () => {
      expect(refused({ organisation: 'X' })).toEqual(['username', 'password']);
    });

    it('username and password next to access_token_identifier', () => {
      expect(refused({ username: 'a', password, access_token_identifier: { authentication_code: code }, organisation: 'X' })).toEqual(['username', 'password']);
    });

    it('authentication_code together with identifier', () => {
      expect(refused({ access_token_identifier: { authentication_code: code, identifier: 'd', pass_code: passCode }, organisation: 'X' })).toContain('access_token_identifier.identifier');
    });

    it('an empty access_token_identifier', () => {
      expect(refused({ access_token_identifier: {}, organisation: 'X' })).toEqual(['access_token_identifier.authentication_code']);
    });

    it('an identifier without pass_code, and a pass_code without identifier', () => {
      expect(refused({ access_token_identifier: { identifier: 'd' }, organisation: 'X' })).toEqual(['access_token_identifier.pass_code']);
      expect(refused({ access_token_identifier: { authentication_code: code, pass_code: passCode }, organisation: 'X' })).toEqual(['access_token_identifier.pass_code']);
    });

    it('empty strings, each with "must not be empty"', () => {
      const result = tokenRequestSchema.safeParse({ username: '', password: '', organisation: '' });
      expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
        ['username', 'must not be empty'],
        ['password', 'must not be empty'],
        ['organisation', 'must not be empty'],
      ]);
    });

    it.each([
      ['username', { username: 'u'.repeat(257), password, organisation: 'X' }],
      ['password', { username: 'u', password: 'p'.repeat(1025), organisation: 'X' }],
      ['organisation', { username: 'u', password, organisation: 'o'.repeat(257) }],
      ['access_token_identifier.pass_code', { access_token_identifier: { identifier: 'd', pass_code: 'c'.repeat(1025) }, organisation: 'X' }],
    ])('an overlong %s', (field, body) => {
      expect(refused(body)).toEqual([field]);
    });

    // Query-string and JSON parsers turn `username[]=a` or `{"username":{"$ne":1}}` into arrays and
    // objects; only strings may reach a partner's template.
    it('arrays, objects and numbers where strings belong', () => {
      expect(refused({ username: ['admin'], password: { $ne: null }, organisation: 5 })).toEqual(['username', 'password', 'organisation']);
      expect(refused({ access_token_identifier: 'code', organisation: 'X' })).toEqual(['access_token_identifier']);
    });

    it.each([null, 'username=a', ['a'], 42])('a body that is not an object (%j)', (body) => {
      expect(refused(body)).toEqual(['']);
    });
  });

  it('drops fields it does not know, so nothing unexpected travels further', () => {
    const body = JSON.parse(`{"username":"a","password":${JSON.stringify(password)},"organisation":"X","isAdmin":true,"__proto__":{"polluted":1}}`) as unknown;
    const parsed = tokenRequestSchema.parse(body);
    expect(Object.keys(parsed).sort()).toEqual(['organisation', 'password', 'username']);
    expect((parsed as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
