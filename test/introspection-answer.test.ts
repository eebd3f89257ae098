import { describe, expect, it } from 'vitest';
import { introspectionCommandSchema, type IntrospectionCommandDefinition } from '../src/config/introspection-command-schema.js';
import { judgeIntrospection } from '../src/oauth/introspection-answer.js';
import { recordSecret } from './support/secrets.js';
import { thrown } from './support/login-failure.js';

const now = 1_700_000_000_000;
const nowSeconds = now / 1000;
const issuer = 'https://idp.example/realms/portal';

/** An introspection command as the options would compile it, with `fields` set. */
function command(fields: Partial<IntrospectionCommandDefinition> = {}) {
  return introspectionCommandSchema.parse({
    kind: 'introspection',
    url: 'https://idp.example/introspect',
    clientAuth: { clientId: 'portal', clientSecret: recordSecret('portal-client-secret') },
    ...fields,
  });
}

/** An active answer for user 1001 valid for an hour, with `fields` changed. */
function answer(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return { active: true, sub: '1001', iat: nowSeconds - 60, exp: nowSeconds + 3600, ...fields };
}

const judged = (fields: Record<string, unknown>, definition: Partial<IntrospectionCommandDefinition> = {}) => judgeIntrospection(answer(fields), command(definition), now);

describe('judgeIntrospection', () => {
  it('accepts an active answer: the identity of its user claim, its scopes, and exp in milliseconds', () => {
    expect(judged({ scope: 'read write' })).toEqual({
      active: true,
      identity: { contactId: '1001', contactEmail: undefined, tokenType: 'bearer' },
      scopes: ['read', 'write'],
      expiresAt: (nowSeconds + 3600) * 1000,
    });
  });

  describe('active', () => {
    it('is inactive when the server says active: false, whatever else the answer holds', () => {
      expect(judgeIntrospection({ active: false }, command(), now)).toEqual({ active: false, reason: 'the authorization server says the token is not active' });
      expect(judged({ active: false, sub: { not: 'a user' } }).active).toBe(false);
    });

    // RFC 7662 §2.2: `active` is a boolean. Anything else is a broken answer, an outage — never a sign-in.
    it.each([
      ['missing', undefined],
      ['the string "true"', 'true'],
      ['1', 1],
      ['null', null],
      ['an object', { value: true }],
    ])('is validator_unavailable when active is %s', (_what, active) => {
      const error = thrown(() => judged({ active }));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('introspection answer has no boolean active');
    });

    it.each([
      ['null', null],
      ['an array', [{ active: true, sub: '1001' }]],
      ['a string', 'active'],
      ['true', true],
    ])('is validator_unavailable when the answer is %s', (_what, value) => {
      const error = thrown(() => judgeIntrospection(value, command(), now));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('introspection answer is not an object');
    });
  });

  describe('what kind of token it is', () => {
    it('accepts a bearer access token, and an answer that does not say', () => {
      for (const token_type of ['Bearer', 'bearer', 'access_token', 'urn:ietf:params:oauth:token-type:access_token', undefined]) {
        expect(judged({ token_type })).toMatchObject({ active: true });
      }
      expect(judged({ typ: 'Bearer' })).toMatchObject({ active: true });
    });

    it('refuses a sender-constrained token (DPoP, or any cnf): its proof of possession is not checked here', () => {
      expect(judged({ token_type: 'DPoP' })).toEqual({ active: false, reason: 'token_type is no bearer access token' });
      expect(judged({ token_type: 'N_A' })).toMatchObject({ active: false });
      expect(judged({ token_type: ['Bearer'] })).toMatchObject({ active: false });
      expect(judged({ token_type: 'Bearer', cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } })).toEqual({
        active: false,
        reason: 'cnf binds the token to a key the portal does not check',
      });
    });

    it("refuses refresh, offline and ID tokens that a server (Keycloak's typ) calls active", () => {
      for (const typ of ['Refresh', 'Offline', 'ID', 'Logout']) expect(judged({ typ, scope: 'portal.api' }, { requiredScopes: ['portal.api'] })).toMatchObject({ active: false });
    });
  });

  describe('exp', () => {
    it('is inactive once exp has passed', () => {
      expect(judged({ exp: nowSeconds - 1 })).toEqual({ active: false, reason: 'exp reached' });
    });

    it('is inactive at exp exactly: no answer is used at or past it, whatever the leeway', () => {
      expect(judged({ exp: nowSeconds }, { clockToleranceSeconds: 60 })).toEqual({ active: false, reason: 'exp reached' });
    });

    it('accepts an exp a second ahead, and bounds the answer by it', () => {
      expect(judged({ exp: nowSeconds + 1 })).toMatchObject({ active: true, expiresAt: now + 1000 });
    });

    it('gives no expiry when the answer has no exp (the caller then keeps to its own cache time)', () => {
      expect(judged({ exp: undefined })).toMatchObject({ active: true, expiresAt: undefined });
    });

    it('is validator_unavailable when exp or nbf is there but no number: a past exp as a string may not pass as "no expiry"', () => {
      for (const value of [String(nowSeconds - 10), null, Number.NaN, [nowSeconds + 60], { at: nowSeconds }]) {
        expect(thrown(() => judged({ exp: value })).code).toBe('validator_unavailable');
        expect(thrown(() => judged({ nbf: value })).code).toBe('validator_unavailable');
      }
    });
  });

  describe('nbf and clockToleranceSeconds', () => {
    it('is inactive when nbf is further ahead than the leeway (default 30 s)', () => {
      expect(judged({ nbf: nowSeconds + 31 })).toEqual({ active: false, reason: 'nbf not reached' });
    });

    it('accepts an nbf ahead by at most the leeway', () => {
      expect(judged({ nbf: nowSeconds + 30 }).active).toBe(true);
      expect(judged({ nbf: nowSeconds + 5 }).active).toBe(true);
      expect(judged({ nbf: nowSeconds - 5 }).active).toBe(true);
    });

    it('holds nbf strictly with a leeway of 0', () => {
      expect(judged({ nbf: nowSeconds + 1 }, { clockToleranceSeconds: 0 })).toEqual({ active: false, reason: 'nbf not reached' });
      expect(judged({ nbf: nowSeconds }, { clockToleranceSeconds: 0 }).active).toBe(true);
    });
  });

  describe('iss, when issuer is configured', () => {
    it('accepts the configured issuer', () => {
      expect(judged({ iss: issuer }, { issuer }).active).toBe(true);
    });

    it.each([
      ['another issuer', 'https://attacker.example/realms/portal'],
      ['the issuer with a trailing slash', `${issuer}/`],
      ['a list naming the issuer', [issuer]],
    ])('is inactive for %s', (_what, iss) => {
      expect(judged({ iss }, { issuer })).toEqual({ active: false, reason: 'iss is another issuer' });
    });

    it('accepts an answer naming no issuer (iss is optional in RFC 7662)', () => {
      expect(judged({ iss: undefined }, { issuer }).active).toBe(true);
    });

    it('accepts any issuer when none is configured', () => {
      expect(judged({ iss: 'https://elsewhere.example' }).active).toBe(true);
    });
  });

  describe('aud, when audience is configured', () => {
    it.each([
      ['the audience', 'portal'],
      ['a list holding it', ['other', 'portal']],
    ])('accepts %s', (_what, aud) => {
      expect(judged({ aud }, { audience: 'portal' }).active).toBe(true);
    });

    it('accepts any one of several configured audiences', () => {
      expect(judged({ aud: 'api' }, { audience: ['portal', 'api'] }).active).toBe(true);
    });

    it.each([
      ['another audience', 'other'],
      ['a list without it', ['other', 'more']],
      ['an empty list', []],
      ['no aud at all', undefined],
      ['a differently cased audience', 'Portal'],
      ['a list of non-strings', [{ aud: 'portal' }, null]],
    ])('is inactive for %s', (_what, aud) => {
      expect(judged({ aud }, { audience: 'portal' })).toEqual({ active: false, reason: 'aud names no accepted audience' });
    });

    it('accepts any audience, or none, when none is configured', () => {
      expect(judged({ aud: 'other' }).active).toBe(true);
      expect(judged({ aud: undefined }).active).toBe(true);
    });
  });

  describe('userClaim and userClaimIs', () => {
    it("reads the user from sub by default, as a contact id (numbers too)", () => {
      expect(judged({ sub: 'user-42' })).toMatchObject({ active: true, identity: { contactId: 'user-42', contactEmail: undefined, tokenType: 'bearer' } });
      expect(judged({ sub: 1001 })).toMatchObject({ active: true, identity: { contactId: '1001' } });
    });

    it('reads another claim as an e-mail address, lower-cased', () => {
      const verdict = judged({ username: 'Bob@Example.COM' }, { userClaim: 'username', userClaimIs: 'email' });
      expect(verdict).toMatchObject({ active: true, identity: { contactId: undefined, contactEmail: 'bob@example.com', tokenType: 'bearer' } });
    });

    it('takes an e-mail address as a plain contact id when userClaimIs is contactId', () => {
      expect(judged({ email: 'Bob@Example.com' }, { userClaim: 'email' })).toMatchObject({ identity: { contactId: 'Bob@Example.com', contactEmail: undefined } });
    });

    it.each([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
    ])('is inactive for an active answer whose user claim is %s', (_what, sub) => {
      expect(judged({ sub })).toEqual({ active: false, reason: 'active token without sub' });
    });

    it('does not fall back to sub when the configured claim is missing', () => {
      expect(judged({ sub: '1001' }, { userClaim: 'username' })).toEqual({ active: false, reason: 'active token without username' });
    });

    it.each([
      ['an object', { id: 'user-marker-91c2' }],
      ['a list', ['user-marker-91c2']],
      ['a boolean', true],
      ['a fraction', 1.5],
    ])('is validator_unavailable when the user claim is %s, without repeating it', (_what, sub) => {
      const error = thrown(() => judged({ sub }));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe("introspection answer's sub is not a string or whole number");
      expect(error.reason).not.toContain('user-marker');
    });

    it('is validator_unavailable when an e-mail claim is not an address', () => {
      const error = thrown(() => judged({ email: 'not-an-address' }, { userClaim: 'email', userClaimIs: 'email' }));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe("introspection answer's email is not an e-mail address");
    });
  });

  describe('scopes', () => {
    it('returns the scopes of scope and scp without judging them: required scopes are checked by the caller', () => {
      const verdict = judged({ scope: 'read', scp: ['Files.Read'] }, { requiredScopes: ['admin'] });
      expect(verdict).toMatchObject({ active: true, scopes: ['read', 'Files.Read'] });
    });

    it('returns no scopes when the answer names none', () => {
      expect(judged({})).toMatchObject({ active: true, scopes: [] });
    });
  });

  it('checks lifetime before the user claim: an expired answer with a malformed user is simply inactive', () => {
    expect(judged({ exp: nowSeconds - 1, sub: { id: 1 } })).toEqual({ active: false, reason: 'exp reached' });
  });
});
