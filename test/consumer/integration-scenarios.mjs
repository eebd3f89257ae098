// The portal's integration with login-with-token, tested with the kit: each scenario starts its
// own partner simulator and portal, and throws when the integration is broken. Run by vitest
// (integration.test.mjs) and node:test (integration.node-test.mjs) alike.
import assert from 'node:assert/strict';
import request from 'supertest';
import {
  expectBearerChallenge,
  expectLoginError,
  issueSessionToken,
  logonWithToken,
  signInWithHandoff,
  startPartnerSimulator,
  testTokenTypes,
} from 'login-with-token/testing';
import { createPortal } from './portal.mjs';

/** Runs `scenario` with a fresh partner and a portal wired to it. */
async function withPortal(scenario, extraOptions = {}) {
  const partner = await startPartnerSimulator({ contacts: { alice: { contactEmail: 'alice@example.com' }, bob: { contactId: '1002' } } });
  try {
    const options = partner.portalOptions();
    const app = createPortal({ ...options, ...extraOptions, commands: { ...options.commands, ...extraOptions.commands } });
    await scenario({ partner, app });
  } finally {
    await partner.close();
  }
}

const verifyCredentials = { run: ({ username, password }) => (username === 'alice' && password === 'alice-password' ? { ContactId: 1001 } : null) };

export const scenarios = {
  'the handoff signs a contact in once, and refuses a spent token and a deactivated user': () =>
    withPortal(async ({ partner, app }) => {
      const token = partner.mintAuthToken({ contact: 'alice' });
      const agent = await signInWithHandoff(request.agent(app), { token, returnTo: '/invoices/7' });
      assert.equal((await agent.get('/invoices/7')).text, 'Invoice 7 for Alice');
      expectLoginError(await request(app).get(`/authentication/login?authToken=${token}`), 'token_invalid');
      expectLoginError(await request(app).get(`/authentication/login?authToken=${partner.mintAuthToken({ contact: 'bob' })}`), 'user_deactivated');
    }),

  'a partner outage is 503 and leaves the token usable': () =>
    withPortal(async ({ partner, app }) => {
      const token = partner.mintAuthToken({ contactId: 1001 });
      partner.failNext({ status: 503 });
      expectLoginError(await request(app).get(`/authentication/login?authToken=${token}`), 'validator_unavailable');
      await signInWithHandoff(request.agent(app), { token });
      assert.equal(partner.received.length, 2);
      assert.ok(!partner.printReceived().includes(token));
    }),

  "bearer tokens: the partner's through ValidateBearer, the portal's own session tokens, challenges": () =>
    withPortal(
      async ({ partner, app }) => {
        const partnerToken = partner.mintBearerToken({ contactId: 1001 });
        assert.deepEqual((await request(app).get('/api/me').auth(partnerToken, { type: 'bearer' })).body, { id: 'u-alice' });
        const sessionToken = await issueSessionToken(app, { organisation: 'ACME', username: 'alice', password: 'alice-password' });
        assert.deepEqual((await request(app).get('/api/passport/me').auth(sessionToken, { type: 'bearer' })).body, { id: 'u-alice' });
        // The portal caches a partner's answer for a while (bearer.cacheTtlMs): revoke one it never saw.
        const revoked = partner.mintBearerToken({ contactId: 1001 });
        partner.revoke(revoked);
        expectBearerChallenge(await request(app).get('/api/me').auth(revoked, { type: 'bearer' }), { error: 'invalid_token' });
        expectBearerChallenge(await request(app).get('/api/passport/me'));
        await assert.rejects(issueSessionToken(app, { organisation: 'ACME', username: 'alice', password: 'wrong' }), /401 login_failed \(10006\)/);
      },
      { commands: { VerifyCredentials: verifyCredentials } },
    ),

  'LogonWithToken with a signed sender token and a JWT gives connections that work as bearer tokens': async () => {
    const types = testTokenTypes();
    await withPortal(
      async ({ app }) => {
        const bySender = await logonWithToken(app, { token: await types.senderToken({ contactId: '1001' }), tokenType: types.senderTokenType });
        assert.deepEqual((await request(app).get('/api/me').auth(bySender.JWTToken, { type: 'bearer' })).body, { id: 'u-alice' });
        const byJwt = await logonWithToken(app, { token: await types.jwt({ contactEmail: 'alice@example.com' }), tokenType: types.jwtProfile });
        assert.deepEqual((await request(app).get('/api/me').auth(byJwt.ConnectionId, { type: 'bearer' })).body, { id: 'u-alice' });
        const foreign = await testTokenTypes().senderToken({ contactId: '1001' });
        expectLoginError(await request(app).post('/Authentication/LogonWithToken').send({ token: foreign, tokenType: types.senderTokenType }), 'signature_invalid');
      },
      { logon: { tokenTypes: types.tokenTypes } },
    );
  },
};
