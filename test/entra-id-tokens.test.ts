import { randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { JwtProfileDefinition } from '../src/index.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { createTestPortal, type TestPortal } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

// Access tokens shaped like Entra ID's (the seed's LogonWithToken example is a v1 token), on API
// routes and at LogonWithToken. Entra's endpoints are not reachable here: each profile's
// `discoveryUrl` points at a loopback server publishing Entra-like metadata and keys, whose
// `issuer` is the real Entra issuer.

/** The directory (tenant) id: `tid`, and part of both issuers. */
const tid = randomUUID();
const otherTid = randomUUID();
/** The portal API's application (client) id: the `aud` of v2 tokens. */
const appId = randomUUID();
/** Its application id URI: the `aud` v1 tokens usually carry. */
const appIdUri = 'api://portal';
const v1Issuer = (directory = tid) => `https://sts.windows.net/${directory}/`;
const v2Issuer = (directory = tid) => `https://login.microsoftonline.com/${directory}/v2.0`;
/** Profile ids: the v1 profile has the seed's id. */
const v1Profile = 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6';
const v2Profile = '0F6A4C1E-92B3-4D7A-8C55-3E1B9D2F7A40';

let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
let kid: string;
let jwks: { keys: JWK[] };
/** Stands in for login.microsoftonline.com: both discovery documents and the key sets. */
let entra: PartnerServer;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  privateKey = pair.privateKey;
  // Entra's kid is the certificate thumbprint, also sent as x5t.
  kid = randomUUID().replaceAll('-', '').slice(0, 27);
  jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid, x5t: kid, kty: 'RSA', use: 'sig' }] };
  entra = await startPartnerServer((received, res) => {
    const documents: Record<string, unknown> = {
      [`/${tid}/.well-known/openid-configuration`]: { issuer: v1Issuer(), jwks_uri: `${entra.origin}/${tid}/discovery/keys`, token_endpoint: `${entra.origin}/${tid}/oauth2/token` },
      [`/${tid}/v2.0/.well-known/openid-configuration`]: { issuer: v2Issuer(), jwks_uri: `${entra.origin}/${tid}/discovery/v2.0/keys`, token_endpoint: `${entra.origin}/${tid}/oauth2/v2.0/token` },
      [`/${tid}/discovery/keys`]: jwks,
      [`/${tid}/discovery/v2.0/keys`]: jwks,
    };
    const document = documents[received.url];
    if (document === undefined) json(res, 404, { error: 'not_found' });
    else json(res, 200, document);
  });
});
afterAll(() => entra?.close());

/** The v1 profile: `upn` names the user (an e-mail address, the default). */
const v1 = (): JwtProfileDefinition => ({
  kind: 'jwt',
  issuer: v1Issuer(),
  audience: [appIdUri, appId],
  discoveryUrl: `${entra.origin}/${tid}/.well-known/openid-configuration`,
  userClaim: 'upn',
  requiredClaims: { tid },
  requiredScopes: ['Portal.Read'],
});

/** The v2 profile: `preferred_username` names the user. */
const v2 = (): JwtProfileDefinition => ({
  kind: 'jwt',
  issuer: v2Issuer(),
  audience: appId,
  discoveryUrl: `${entra.origin}/${tid}/v2.0/.well-known/openid-configuration`,
  userClaim: 'preferred_username',
  userClaimIs: 'email',
  requiredClaims: { tid },
  requiredScopes: ['Portal.Read'],
});

let portal: TestPortal;
/** The portal with both profiles on its API routes and at LogonWithToken, as the README configures Entra ID. */
const createPortal = (http: { allowedHosts?: string[] } = {}) =>
  createTestPortal({
    logon: { tokenTypes: { [v1Profile]: v1(), [v2Profile]: v2() } },
    bearer: { jwtProfiles: [v1Profile, v2Profile] },
    http,
  });
beforeEach(() => {
  entra.received.length = 0;
  portal = createPortal();
});
afterEach(() => portal.login.close());

/** Claims of a delegated v1 access token for Alice, as Entra issues them (cf. the seed's example). */
function v1Claims(): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000) - 300;
  return {
    aud: appIdUri,
    iss: v1Issuer(),
    iat,
    nbf: iat,
    exp: iat + 4200,
    acr: '1',
    amr: ['pwd'],
    appid: randomUUID(),
    appidacr: '0',
    family_name: 'Example',
    given_name: 'Alice',
    ipaddr: '203.0.113.7',
    name: 'Alice Example',
    oid: randomUUID(),
    scp: 'Portal.Read',
    sub: 'MQwKKzpkvwAJ-DsKQ5kZsf2DhDiLmFP_PaBXMqWpYmE',
    tid,
    unique_name: 'alice@example.com',
    upn: 'alice@example.com',
    uti: 'Zc53RBw0VUuoY9TT0gKuAA',
    ver: '1.0',
  };
}

/** Claims of a delegated v2 access token for Alice. */
function v2Claims(): Record<string, unknown> {
  const iat = Math.floor(Date.now() / 1000) - 300;
  return {
    aud: appId,
    iss: v2Issuer(),
    iat,
    nbf: iat,
    exp: iat + 4200,
    aio: 'AWQAm/8TAAAA',
    azp: randomUUID(),
    azpacr: '0',
    name: 'Alice Example',
    oid: randomUUID(),
    preferred_username: 'Alice@Example.com',
    rh: '0.AAAA',
    scp: 'Portal.Read',
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    tid,
    uti: 'Zc53RBw0VUuoY9TT0gKuAA',
    ver: '2.0',
  };
}

/** Signs `claims` (`undefined` drops one) with the directory's key, headers as Entra sends them. */
async function sign(claims: Record<string, unknown>): Promise<string> {
  const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
  return recordSecret(await new SignJWT(payload).setProtectedHeader({ typ: 'JWT', alg: 'RS256', x5t: kid, kid }).sign(privateKey));
}

const versions = [
  { version: 'v1', profile: v1Profile, claims: v1Claims, issuer: v1Issuer, userClaim: 'upn' },
  { version: 'v2', profile: v2Profile, claims: v2Claims, issuer: v2Issuer, userClaim: 'preferred_username' },
] as const;

const api = (path: string, token: string) => request(portal.app).get(path).set('authorization', `Bearer ${token}`);
const logon = (token: string, tokenType: string) => request(portal.app).post('/Authentication/LogonWithToken').send({ token, tokenType });

describe.each(versions)('Entra ID $version access tokens', ({ version, profile, claims, issuer, userClaim }) => {
  describe('signing Alice in', () => {
    it.each(['/api/me', '/api/passport/me'])('on %s, verified locally with the keys its discovery document names', async (path) => {
      const token = await sign(claims());
      const res = await api(path, token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.user).toBe('u-alice');
      expect(res.body.authInfo).toMatchObject({ tenant: 'default', tokenType: profile, scopes: ['Portal.Read'] });
      const discovery = version === 'v1' ? `/${tid}/.well-known/openid-configuration` : `/${tid}/v2.0/.well-known/openid-configuration`;
      const keys = version === 'v1' ? `/${tid}/discovery/keys` : `/${tid}/discovery/v2.0/keys`;
      expect(entra.received.map((received) => received.url)).toEqual([discovery, keys]);
    });

    it('at LogonWithToken, and the connection it opens is Alice’s on the API', async () => {
      const res = await logon(await sign(claims()), profile);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const { ConnectionId, JWTToken } = res.body.LogonWithToken as { ConnectionId: string; JWTToken: string };
      recordSecret(ConnectionId);
      recordSecret(JWTToken);
      for (const credential of [ConnectionId, JWTToken]) expect((await api('/api/me', credential)).body.user).toBe('u-alice');
    });

    it('shares one key cache between the API routes and LogonWithToken', async () => {
      expect((await api('/api/me', await sign(claims()))).status).toBe(200);
      expect((await logon(await sign(claims()), profile)).status).toBe(200);
      expect((await api('/api/me', await sign(claims()))).status).toBe(200);
      expect(entra.received).toHaveLength(2);
    });

    it('accepts the scope among others, as Entra lists them', async () => {
      const token = await sign({ ...claims(), scp: 'User.Read Portal.Read openid' });
      expect((await api('/api/me', token)).body.authInfo.scopes).toEqual(['User.Read', 'Portal.Read', 'openid']);
    });
  });

  describe('refusing', () => {
    it('a token of another directory (tid) under the right issuer: 401 on the API, 10376 at LogonWithToken', async () => {
      const token = await sign({ ...claims(), tid: otherTid });
      const res = await api('/api/me', token);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
      expect((await logon(token, profile)).body.error).toMatchObject({ code: 'token_invalid', number: 10376 });
    });

    it('a token without tid', async () => {
      const token = await sign({ ...claims(), tid: undefined });
      expect((await api('/api/me', token)).status).toBe(401);
      expect((await logon(token, profile)).body.error).toMatchObject({ number: 10376 });
    });

    it('a token issued by another directory: not this profile’s (401 with no ValidateBearer), 10376 at LogonWithToken', async () => {
      const token = await sign({ ...claims(), iss: issuer(otherTid), tid: otherTid });
      expect((await api('/api/me', token)).status).toBe(401);
      expect((await logon(token, profile)).body.error).toMatchObject({ code: 'token_invalid', number: 10376 });
    });

    it('a token whose scp lacks Portal.Read: 403 insufficient_scope, on the API with the challenge', async () => {
      const token = await sign({ ...claims(), scp: 'User.Read openid' });
      const res = await api('/api/me', token);
      expect(res.status).toBe(403);
      expect(res.body.status).toMatchObject({ code: 'insufficient_scope', number: 19006 });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="Portal.Read"');
      const refused = await logon(token, profile);
      expect(refused.status).toBe(403);
      expect(refused.body.error).toMatchObject({ code: 'insufficient_scope', number: 19006 });
    });

    it('an app-only token, with roles and no scp: 403', async () => {
      const token = await sign({ ...claims(), scp: undefined, roles: ['Portal.Read'] });
      expect((await api('/api/me', token)).status).toBe(403);
    });

    it(`a token without ${userClaim}: 401 on the API, 10244 at LogonWithToken`, async () => {
      const token = await sign({ ...claims(), [userClaim]: undefined });
      expect((await api('/api/me', token)).status).toBe(401);
      expect((await logon(token, profile)).body.error).toMatchObject({ code: 'upn_claim_missing', number: 10244 });
    });

    it('a token for another API (aud)', async () => {
      const token = await sign({ ...claims(), aud: 'https://graph.microsoft.com' });
      expect((await api('/api/me', token)).status).toBe(401);
      expect((await logon(token, profile)).body.error).toMatchObject({ number: 10376 });
    });
  });
});

describe('Entra ID v1 and v2 side by side', () => {
  it('keeps each version to its own profile at LogonWithToken', async () => {
    expect((await logon(await sign(v1Claims()), v2Profile)).body.error).toMatchObject({ code: 'token_invalid', number: 10376 });
    expect((await logon(await sign(v2Claims()), v1Profile)).body.error).toMatchObject({ code: 'token_invalid', number: 10376 });
  });

  it('accepts a v1 token whose aud is the application id rather than its id URI, as the profile lists both', async () => {
    expect((await api('/api/me', await sign({ ...v1Claims(), aud: appId }))).body.user).toBe('u-alice');
  });

  it('names a v1 user by upn only, a v2 user by preferred_username only', async () => {
    // A v1 token naming Bob in unique_name and Alice in upn is Alice's; v2 has no upn.
    const v1Token = await sign({ ...v1Claims(), unique_name: 'bob@example.com', preferred_username: 'bob@example.com' });
    expect((await api('/api/me', v1Token)).body.user).toBe('u-alice');
    const v2Token = await sign({ ...v2Claims(), upn: 'bob@example.com' });
    expect((await api('/api/me', v2Token)).body.user).toBe('u-alice');
  });
});

describe('Entra ID with http.allowedHosts pinning the identity provider’s host', () => {
  it('signs Alice in with either version, discovery and keys fetched from that host only', async () => {
    await portal.login.close();
    portal = createPortal({ allowedHosts: [new URL(entra.origin).hostname] });
    expect((await api('/api/me', await sign(v1Claims()))).body.user).toBe('u-alice');
    expect((await logon(await sign(v2Claims()), v2Profile)).status).toBe(200);
    expect(entra.received).toHaveLength(4);
  });
});
