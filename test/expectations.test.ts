import { AssertionError } from 'node:assert';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectBearerChallenge, expectLoginError, expectSignedIn, startPartnerSimulator, testTokenTypes, type PartnerSimulator, type PortalResponse } from '../src/testing.js';
import { createTestPortal, type TestPortal } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

let partner: PartnerSimulator;
let portal: TestPortal;
const types = testTokenTypes();
beforeAll(async () => {
  partner = await startPartnerSimulator();
  portal = createTestPortal({ ...partner.portalOptions(), logon: { tokenTypes: types.tokenTypes } });
});
afterAll(() => partner.close());

/** The AssertionError `run` throws. */
function failure(run: () => void): AssertionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AssertionError);
    return error as AssertionError;
  }
  throw new Error('expected the assertion to fail');
}

const handoff = (token: string, accept = 'text/html') => request(portal.app).get(`/authentication/login?authToken=${token}`).set('accept', accept);

describe('expectSignedIn', () => {
  it('passes for a handoff that signed in', async () => {
    expectSignedIn(await handoff(recordSecret(partner.mintAuthToken({ contactId: 1001 }))));
  });

  it('fails with what the portal answered instead, never the token', async () => {
    const token = recordSecret(partner.mintAuthToken({ contactId: 1001 }));
    await handoff(token);
    const spent = await handoff(token);
    const message = failure(() => expectSignedIn(spent)).message;
    expect(message).toBe('expected the handoff to sign the user in (303), but the portal answered 401 token_invalid (10376)');
    expect(message).not.toContain(token);
  });

  it('fails for a 303 that keeps the token in Location, lacks no-store or sets no cookie', () => {
    const good = { status: 303, headers: { location: '/home', 'cache-control': 'no-store', 'set-cookie': ['sid=1'] } };
    expectSignedIn(good);
    expect(failure(() => expectSignedIn({ ...good, headers: { ...good.headers, location: '/home?AuthToken=abc' } })).message).toMatch(/still carries authToken/);
    expect(failure(() => expectSignedIn({ ...good, headers: { ...good.headers, location: '/home?AuthToken=abc' } })).message).not.toContain('abc');
    expect(failure(() => expectSignedIn({ ...good, headers: { ...good.headers, 'cache-control': 'private' } })).message).toMatch(/no-store/);
    expect(failure(() => expectSignedIn({ ...good, headers: { ...good.headers, 'set-cookie': undefined } })).message).toMatch(/session cookie/);
    expect(failure(() => expectSignedIn({ ...good, headers: { ...good.headers, 'set-cookie': ['sid=; Path=/', 'other=1; Max-Age=0'] } })).message).toMatch(/session cookie/);
    expect(failure(() => expectSignedIn({ status: 303, headers: {} })).message).toMatch(/no Location/);
  });
});

describe('expectLoginError', () => {
  it('reads the handoff error page and its JSON answer', async () => {
    expectLoginError(await handoff('never-minted'), 'token_invalid');
    expectLoginError(await handoff('never-minted', 'application/json'), 'token_invalid');
  });

  it('reads the API envelope of the token endpoint and of apiErrorHandler', async () => {
    expectLoginError(await request(portal.app).post('/authentication/token').send({ organisation: 'x' }), 'invalid_request');
    partner.failNext({ status: 503 });
    expectLoginError(await request(portal.app).get('/api/me').set('authorization', 'Bearer sim_bearer_x'), 'validator_unavailable');
  });

  it("reads LogonWithToken's error envelope", async () => {
    expectLoginError(await request(portal.app).post('/Authentication/LogonWithToken').send({ token: 'x', tokenType: 'nope' }), 'token_type_unknown');
  });

  it('fails on another code, status or envelope, naming what came', async () => {
    const res = await handoff('never-minted');
    expect(failure(() => expectLoginError(res, 'validator_unavailable')).message).toBe(
      'expected the portal to refuse with 503 validator_unavailable (10246), but it answered 401 token_invalid (10376)',
    );
    // The right code in the wrong route's envelope: the API envelope where the handoff renders its page.
    const forged: PortalResponse = { status: 401, headers: {}, url: '/authentication/login?authToken=x', body: { status: { code: 'token_invalid', number: 10376, message: 'Token not valid.' }, data: null } };
    expect(failure(() => expectLoginError(forged, 'token_invalid')).message).toMatch(/route's envelope \(page or error\), but found status/);
    const wrongMessage: PortalResponse = { status: 401, headers: {}, body: { error: { code: 'token_invalid', number: 10376, message: 'Nope.' } } };
    expect(failure(() => expectLoginError(wrongMessage, 'token_invalid')).message).toBe('expected the catalogue\'s message "Token not valid.", but found "Nope."');
    expect(failure(() => expectLoginError({ status: 200, headers: {}, body: { ok: true } }, 'token_invalid')).message).toMatch(/but it answered 200$/);
    expect(() => expectLoginError(res, 'no_such_code' as never)).toThrow(TypeError);
  });
});

describe('expectBearerChallenge', () => {
  it('passes for the middleware and for the Passport strategy', async () => {
    for (const path of ['/api/me', '/api/passport/me']) {
      expectBearerChallenge(await request(portal.app).get(path));
      expectBearerChallenge(await request(portal.app).get(path).set('authorization', 'Bearer lwts_unknown'), { error: 'invalid_token', realm: 'api' });
    }
    expectBearerChallenge(await request(portal.app).get('/api/me').set('authorization', 'Bearer a b'), { error: 'invalid_request' });
  });

  it('fails on another error, status, realm or scope', async () => {
    const none = await request(portal.app).get('/api/me');
    expect(failure(() => expectBearerChallenge(none, { error: 'invalid_token' })).message).toBe('expected error="invalid_token" in the challenge: "Bearer realm="api""');
    expect(failure(() => expectBearerChallenge(none, { realm: 'other' })).message).toMatch(/realm="other"/);
    expect(failure(() => expectBearerChallenge(none, { error: 'insufficient_scope' })).message).toMatch(/^expected a bearer challenge with 403, but the portal answered 401 token_missing \(19005\)/);
    const scoped = { status: 403, headers: { 'www-authenticate': 'Bearer realm="api", error="insufficient_scope", scope="a b"' } };
    expectBearerChallenge(scoped, { error: 'insufficient_scope', scope: ['a', 'b'] });
    expect(failure(() => expectBearerChallenge(scoped, { error: 'insufficient_scope', scope: ['a'] })).message).toMatch(/scope="a"/);
    expect(failure(() => expectBearerChallenge({ status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } })).message).toMatch(/WWW-Authenticate: Bearer/);
    expect(failure(() => expectBearerChallenge({ status: 401, headers: {} })).message).toMatch(/but found none/);
  });
});
