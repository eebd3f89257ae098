import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { expectBearerChallenge, expectLoginError, logonWithToken, testTokenTypes } from '../src/testing.js';
import { createTestPortal } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

const logon = (app: Parameters<typeof request>[0], token: string, tokenType: string) => request(app).post('/Authentication/LogonWithToken').send({ token: recordSecret(token), tokenType });

describe('testTokenTypes', () => {
  it('names a signed-sender type and a JWT profile, each trusting its own public key only', () => {
    const types = testTokenTypes({ senderTokenType: 'Sender', jwtProfile: 'Profile', issuer: 'https://idp.test', audience: 'portal' });
    expect(Object.keys(types.tokenTypes)).toEqual(['Sender', 'Profile']);
    expect(types.tokenTypes['Sender']).toMatchObject({ kind: 'signed-sender', algorithms: ['ES256'], keys: [expect.stringMatching(/^-----BEGIN PUBLIC KEY-----/)] });
    expect(types.tokenTypes['Profile']).toMatchObject({ kind: 'jwt', issuer: 'https://idp.test', audience: 'portal', algorithms: ['ES256'] });
    expect(JSON.stringify(types)).not.toMatch(/PRIVATE KEY/);
    expect(() => testTokenTypes({ senderTokenType: 'same', jwtProfile: 'same' })).toThrow(/must differ/);
  });

  it('mints tokens the portal accepts at LogonWithToken', async () => {
    const types = testTokenTypes();
    const { app } = createTestPortal({ logon: { tokenTypes: types.tokenTypes } });
    await logonWithToken(app, { token: recordSecret(await types.senderToken({ contactEmail: 'alice@example.com' })), tokenType: types.senderTokenType });
    await logonWithToken(app, { token: recordSecret(await types.jwt({ contactEmail: 'alice@example.com', claims: { tid: 'x' } })), tokenType: types.jwtProfile });
  });

  it('keys differ from one call to the next: another set of types refuses the tokens', async () => {
    const mine = testTokenTypes();
    const theirs = testTokenTypes();
    const { app } = createTestPortal({ logon: { tokenTypes: mine.tokenTypes } });
    expectLoginError(await logon(app, await theirs.senderToken({ contactId: '1001' }), mine.senderTokenType), 'signature_invalid');
    expectLoginError(await logon(app, await theirs.jwt({ contactEmail: 'alice@example.com' }), mine.jwtProfile), 'signature_invalid');
  });

  it("mints JWTs the profile's rules judge: lifetime and claims", async () => {
    const types = testTokenTypes();
    const { app } = createTestPortal({ logon: { tokenTypes: types.tokenTypes } });
    expectLoginError(await logon(app, await types.jwt({ contactEmail: 'alice@example.com', expiresInSeconds: -120 }), types.jwtProfile), 'token_lifetime');
    expectLoginError(await logon(app, await types.jwt({}), types.jwtProfile), 'upn_claim_missing');
  });

  it('serves as an access-token profile on API routes, scopes included', async () => {
    const types = testTokenTypes();
    const profile = { ...types.tokenTypes[types.jwtProfile]!, requiredScopes: ['invoices.read'] };
    const { app } = createTestPortal({ logon: { tokenTypes: { [types.jwtProfile]: profile } }, bearer: { jwtProfiles: [types.jwtProfile] } });
    const granted = recordSecret(await types.jwt({ contactEmail: 'alice@example.com', scopes: ['invoices.read', 'other'] }));
    expect((await request(app).get('/api/me').set('authorization', `Bearer ${granted}`)).body).toMatchObject({ user: 'u-alice' });
    const lacking = recordSecret(await types.jwt({ contactEmail: 'alice@example.com', scopes: ['other'] }));
    expectBearerChallenge(await request(app).get('/api/me').set('authorization', `Bearer ${lacking}`), { error: 'insufficient_scope', scope: ['invoices.read'] });
  });
});
