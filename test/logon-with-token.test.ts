import { createHmac, createPrivateKey } from 'node:crypto';
import { SignJWT, base64url, createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, signSenderToken, type LoginWithTokenOptions } from '../src/index.js';
import { rsaKeys, selfSignedCertificate, type RsaKeys } from './support/keys.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { createClockedPortal, type TestPortal, type TestUser } from './support/portal-app.js';
import { expectOptionsError } from './support/options-error.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

const profileId = 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6';
const issuer = 'https://sts.example/tenant-1/';
const audience = 'https://portal.example';

let sender: { certificate: string; privateKey: string };
let otherSender: { certificate: string; privateKey: string };
let idp: PartnerServer;
let idpKeys: RsaKeys[];
let jwksHits = 0;

beforeAll(async () => {
  [sender, otherSender] = await Promise.all([selfSignedCertificate(), selfSignedCertificate({ key: 'ec' })]);
  idpKeys = [rsaKeys()];
  idp = await startPartnerServer((received, res) => {
    if (received.url !== '/keys') return json(res, 404, {});
    jwksHits++;
    json(res, 200, { keys: idpKeys.map((key) => key.jwk) });
  });
});
afterAll(() => idp.close());

let portal: TestPortal;
let store: MemoryStore;
let clock: number;

function createPortal(options: Partial<LoginWithTokenOptions<TestUser>> = {}, logon: Partial<NonNullable<LoginWithTokenOptions<TestUser>['logon']>> = {}) {
  ({ store, ...portal } = createClockedPortal(() => clock, {
    ...options,
    logon: {
      tokenTypes: {
        apitoken: { kind: 'apitoken' },
        InfoShareToken: { kind: 'signed-sender', keys: [sender.certificate] },
        [profileId]: { kind: 'jwt', issuer, audience, jwksUrl: `${idp.origin}/keys`, algorithms: ['RS256'] },
      },
      ...logon,
    },
  }));
}

beforeEach(() => {
  clock = Date.now();
  jwksHits = 0;
  idpKeys = [idpKeys[0]!];
  createPortal();
});
afterEach(async () => {
  await portal.login.close();
  await store.close();
});

const logon = (body: Record<string, unknown>, ip?: string) => {
  const req = request(portal.app).post('/Authentication/LogonWithToken');
  if (ip) req.set('x-forwarded-for', ip);
  return req.send(body);
};

function sign(key: RsaKeys, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(clock / 1000);
  return new SignJWT({ iss: issuer, aud: audience, iat: now, exp: now + 600, upn: 'Bob@Example.com', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: key.kid, ...header })
    .sign(key.privateKey);
}
const jwt = async (claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = idpKeys[0]!) => recordSecret(await sign(key, claims, header));
const senderToken = async (options: { skewSeconds?: number; lifetimeSeconds?: number; version?: string; key?: string; contactId?: string } = {}) =>
  recordSecret(
    await signSenderToken({
      privateKey: options.key ?? sender.privateKey,
      contactId: options.contactId ?? '1001',
      now: clock + (options.skewSeconds ?? 0) * 1000,
      ...(options.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: options.lifetimeSeconds }),
      ...(options.version === undefined ? {} : { version: options.version }),
    }),
  );

async function expectNumber(res: request.Response, number: number) {
  expect(res.body.error?.number, JSON.stringify(res.body)).toBe(number);
}

describe('POST /Authentication/LogonWithToken', () => {
  describe('success', () => {
    it('answers the seed LogonResultContract exactly', async () => {
      const res = await logon({ tenantName: 'default', token: await jwt(), tokenType: profileId, clientId: null, timeZoneOffsetMinutes: 0 });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['LogonWithToken']);
      const result = res.body.LogonWithToken;
      expect(Object.keys(result)).toEqual([
        'AbsenceInfo',
        'ConnectionId',
        'ConnectionTimeoutSeconds',
        'IsApplicationLicence',
        'IsConcurrentLicence',
        'IsNamedLicence',
        'IsVerificationCodeNeeded',
        'PossibleTwoWayAuthenticationType',
        'TwoWayAuthenticationTargetMail',
        'JWTToken',
      ]);
      expect(result).toMatchObject({
        // The seed's API-token example, for a user who is not absent.
        AbsenceInfo: { AbsenceDateEnd: '', AbsenceDateStart: '', Absent: false, DeputyRepresentativeUserId: null },
        ConnectionTimeoutSeconds: 600,
        IsApplicationLicence: false,
        IsConcurrentLicence: true,
        IsNamedLicence: false,
        IsVerificationCodeNeeded: false,
        PossibleTwoWayAuthenticationType: 'None',
        TwoWayAuthenticationTargetMail: null,
      });
      expect(result.ConnectionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(result.JWTToken.split('.')).toHaveLength(3);
      expect(res.headers['cache-control']).toBe('no-store');
      recordSecret(result.ConnectionId);
      recordSecret(result.JWTToken);
    });

    it('makes the connection id and the JWT bearer credentials, and Logoff ends both', async () => {
      const { body } = await logon({ token: await jwt(), tokenType: profileId });
      const { ConnectionId, JWTToken } = body.LogonWithToken;
      for (const credential of [recordSecret(ConnectionId), recordSecret(JWTToken)]) {
        const me = await request(portal.app).get('/api/me').set('authorization', `Bearer ${credential}`);
        expect(me.status).toBe(200);
        expect(me.body.user).toBe('u-bob');
      }
      await request(portal.app).post('/Authentication/Logoff').send({ connectionId: ConnectionId }).expect(204);
      for (const credential of [ConnectionId, JWTToken]) {
        expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${credential}`)).status).toBe(401);
      }
    });

    it('ends the connection when logging off with its JWT', async () => {
      const { body } = await logon({ token: await jwt(), tokenType: profileId });
      const { ConnectionId, JWTToken } = body.LogonWithToken;
      await request(portal.app).post('/Authentication/Logoff').set('authorization', `Bearer ${recordSecret(JWTToken)}`).expect(204);
      expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(ConnectionId)}`)).status).toBe(401);
    });

    it('takes the only tenant when tenantName is left out, and matches token types case-insensitively', async () => {
      const res = await logon({ token: await jwt(), tokenType: profileId.toLowerCase() });
      expect(res.status).toBe(200);
    });
  });

  describe('request errors', () => {
    it('answers 400 naming missing fields', async () => {
      const res = await logon({ tokenType: 'apitoken' });
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'invalid_request', number: 19002 });
      expect(res.body.error.description).toContain('token');
    });

    it('refuses an unknown tenant with 10038', async () => {
      const res = await logon({ tenantName: 'nope', token: await jwt(), tokenType: profileId });
      expect(res.status).toBe(404);
      await expectNumber(res, 10038);
    });

    it('refuses an unknown token type with 10060', async () => {
      const res = await logon({ token: 'x', tokenType: 'Kerberos' });
      expect(res.status).toBe(400);
      await expectNumber(res, 10060);
      expect(res.body.error.message).toBe('Token type unknown.');
    });
  });

  describe('apitoken', () => {
    it('logs on with a token from apiTokens.create, lists it without the secret, and refuses it once revoked (10268)', async () => {
      const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001', name: 'CI' });
      const secret = recordSecret(created.token);
      expect(secret).toMatch(/^lwta_/);
      expect((await logon({ token: secret, tokenType: 'apitoken' })).status).toBe(200);
      const listed = await portal.login.apiTokens.list({ userId: 'u-alice' });
      expect(listed).toEqual([expect.objectContaining({ id: created.id, name: 'CI', userId: 'u-alice' })]);
      expect(leakedSecrets(JSON.stringify(listed))).toEqual([]);
      expect(await portal.login.apiTokens.revoke(created.id)).toBe(true);
      const refused = await logon({ token: secret, tokenType: 'apitoken' });
      expect(refused.status).toBe(401);
      await expectNumber(refused, 10268);
    });

    it('refuses an expired or unknown api token with 10268', async () => {
      const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001', expiresAt: clock + 1000 });
      clock += 1000;
      await expectNumber(await logon({ token: recordSecret(created.token), tokenType: 'apitoken' }), 10268);
      await expectNumber(await logon({ token: 'lwta_unknown-token-value', tokenType: 'apitoken' }), 10268);
    });
  });

  describe('signed sender tokens (InfoShareToken)', () => {
    it('accepts a token signed with the certificate key', async () => {
      const res = await logon({ token: await senderToken(), tokenType: 'InfoShareToken' });
      expect(res.status).toBe(200);
      const me = await request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(res.body.LogonWithToken.ConnectionId)}`);
      expect(me.body.user).toBe('u-alice');
    });

    it.each([59, -59])('accepts a sender clock %i s off', async (skewSeconds) => {
      expect((await logon({ token: await senderToken({ skewSeconds }), tokenType: 'InfoShareToken' })).status).toBe(200);
    });

    it.each([61, -61])('refuses a sender clock %i s off with 10062', async (skewSeconds) => {
      await expectNumber(await logon({ token: await senderToken({ skewSeconds, lifetimeSeconds: 120 }), tokenType: 'InfoShareToken' }), 10062);
    });

    it('refuses a token whose lifetime is reached (10063), or is too long (10063)', async () => {
      await expectNumber(await logon({ token: await senderToken({ skewSeconds: -30, lifetimeSeconds: 29 }), tokenType: 'InfoShareToken' }), 10063);
      await expectNumber(await logon({ token: await senderToken({ lifetimeSeconds: 3600 }), tokenType: 'InfoShareToken' }), 10063);
    });

    it('refuses a wrong version with 10061', async () => {
      await expectNumber(await logon({ token: await senderToken({ version: '0.9' }), tokenType: 'InfoShareToken' }), 10061);
    });

    it('refuses alg none, HMAC signed with the public key, and algorithms off the list with 10064', async () => {
      const now = Math.floor(clock / 1000);
      const payload = base64url.encode(JSON.stringify({ ver: '1.0', iat: now, exp: now + 60, ContactId: '1001' }));
      const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${payload}.`;
      await expectNumber(await logon({ token: recordSecret(none), tokenType: 'InfoShareToken' }), 10064);
      const hsHeader = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
      const hsSignature = createHmac('sha256', sender.certificate).update(`${hsHeader}.${payload}`).digest('base64url');
      await expectNumber(await logon({ token: recordSecret(`${hsHeader}.${payload}.${hsSignature}`), tokenType: 'InfoShareToken' }), 10064);
      const es512 = await new SignJWT({ ver: '1.0', ContactId: '1001' })
        .setProtectedHeader({ alg: 'RS512' })
        .setIssuedAt(now)
        .setExpirationTime(now + 60)
        .sign(createPrivateKey(sender.privateKey));
      await expectNumber(await logon({ token: recordSecret(es512), tokenType: 'InfoShareToken' }), 10064);
    });

    it('refuses a tampered payload and an unknown signer with 10065', async () => {
      const [header, , signature] = (await senderToken()).split('.');
      const now = Math.floor(clock / 1000);
      const forged = base64url.encode(JSON.stringify({ ver: '1.0', iat: now, exp: now + 60, ContactId: '1002' }));
      await expectNumber(await logon({ token: recordSecret(`${header}.${forged}.${signature}`), tokenType: 'InfoShareToken' }), 10065);
      await expectNumber(await logon({ token: await senderToken({ key: otherSender.privateKey }), tokenType: 'InfoShareToken' }), 10065);
      await expectNumber(await logon({ token: 'not-a-jws', tokenType: 'InfoShareToken' }), 10065);
    });

    it('accepts each token once (replay → 10376), also under concurrency', async () => {
      const token = await senderToken();
      expect((await logon({ token, tokenType: 'InfoShareToken' })).status).toBe(200);
      await expectNumber(await logon({ token, tokenType: 'InfoShareToken' }), 10376);
      const fresh = await senderToken();
      const results = await Promise.all(Array.from({ length: 10 }, () => logon({ token: fresh, tokenType: 'InfoShareToken' })));
      expect(results.filter((res) => res.status === 200)).toHaveLength(1);
    });

    it('keeps a token usable when the logon fails after its check', async () => {
      createPortal({}, { maxSessionsPerUser: 1 });
      await logon({ token: await senderToken(), tokenType: 'InfoShareToken' }).expect(200);
      const token = await senderToken();
      await expectNumber(await logon({ token, tokenType: 'InfoShareToken' }), 10055);
      await store.sessions.revoke((await store.sessions.listForUser('default', 'u-alice'))[0]!.key);
      expect((await logon({ token, tokenType: 'InfoShareToken' })).status).toBe(200);
    });
  });

  describe('JWT profiles', () => {
    it('refetches the JWKS once for a new kid, and not again within the cool-down', async () => {
      createPortal({}, { tokenTypes: { [profileId]: { kind: 'jwt', issuer, audience, jwksUrl: `${idp.origin}/keys`, jwksCooldownMs: 1000 } } });
      await logon({ token: await jwt(), tokenType: profileId }).expect(200);
      expect(jwksHits).toBe(1);
      await logon({ token: await jwt(), tokenType: profileId }).expect(200);
      expect(jwksHits).toBe(1);
      const rotated = rsaKeys();
      idpKeys = [idpKeys[0]!, rotated];
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const rotatedRes = await logon({ token: await jwt({}, {}, rotated), tokenType: profileId });
      expect(rotatedRes.status, JSON.stringify(rotatedRes.body) + JSON.stringify(portal.audit.at(-1))).toBe(200);
      expect(jwksHits).toBe(2);
      const unknown = rsaKeys();
      await expectNumber(await logon({ token: await jwt({}, {}, unknown), tokenType: profileId }), 10065);
      expect(jwksHits).toBe(2);
    });

    it('refuses alg none and an HS256 token signed with the RSA public key (10064)', async () => {
      const payload = base64url.encode(JSON.stringify({ iss: issuer, aud: audience, upn: 'bob@example.com', exp: Math.floor(clock / 1000) + 60 }));
      const none = `${base64url.encode(JSON.stringify({ alg: 'none' }))}.${payload}.`;
      await expectNumber(await logon({ token: recordSecret(none), tokenType: profileId }), 10064);
      const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid: idpKeys[0]!.kid }));
      const signature = createHmac('sha256', idpKeys[0]!.publicPem).update(`${header}.${payload}`).digest('base64url');
      await expectNumber(await logon({ token: recordSecret(`${header}.${payload}.${signature}`), tokenType: profileId }), 10064);
    });

    it.each([
      ['a wrong issuer', { iss: 'https://evil.example/' }],
      ['a wrong audience', { aud: 'https://other.example' }],
      ['nbf in the future', { nbf: Math.floor(Date.now() / 1000) + 3600 }],
    ])('refuses %s with 10376', async (_name, claims) => {
      await expectNumber(await logon({ token: await jwt(claims), tokenType: profileId }), 10376);
    });

    it('refuses an expired token with 10063, within the clock tolerance it passes', async () => {
      const now = Math.floor(clock / 1000);
      await expectNumber(await logon({ token: await jwt({ exp: now - 31 }), tokenType: profileId }), 10063);
      expect((await logon({ token: await jwt({ exp: now - 20 }), tokenType: profileId })).status).toBe(200);
    });

    it('refuses a token without exp with 10376', async () => {
      await expectNumber(await logon({ token: await jwt({ exp: undefined }), tokenType: profileId }), 10376);
    });

    it('refuses a token without the UPN claim with 10244', async () => {
      await expectNumber(await logon({ token: await jwt({ upn: undefined }), tokenType: profileId }), 10244);
    });

    it('ignores an embedded jwk and a jku header (the attacker key is never used or fetched)', async () => {
      const attacker = rsaKeys();
      let attackerHits = 0;
      const attackerServer = await startPartnerServer((_r, res) => {
        attackerHits++;
        json(res, 200, { keys: [attacker.jwk] });
      });
      try {
        const embedded = await jwt({}, { jwk: attacker.jwk, kid: attacker.kid }, attacker);
        await expectNumber(await logon({ token: embedded, tokenType: profileId }), 10065);
        const jku = await jwt({}, { jku: `${attackerServer.origin}/keys`, x5u: `${attackerServer.origin}/cert`, kid: attacker.kid }, attacker);
        await expectNumber(await logon({ token: jku, tokenType: profileId }), 10065);
        expect(attackerHits).toBe(0);
      } finally {
        await attackerServer.close();
      }
    });

    it('answers 503 validator_unavailable (10246) when the JWKS cannot be fetched', async () => {
      const down = await startPartnerServer();
      const origin = down.origin;
      await down.close();
      createPortal({}, { tokenTypes: { [profileId]: { kind: 'jwt', issuer, audience, jwksUrl: `${origin}/keys` } } });
      const res = await logon({ token: await jwt(), tokenType: profileId });
      expect(res.status).toBe(503);
      await expectNumber(res, 10246);
    });

    it('accepts static keys', async () => {
      createPortal({}, { tokenTypes: { [profileId]: { kind: 'jwt', issuer, audience, keys: [idpKeys[0]!.publicPem] } } });
      expect((await logon({ token: await jwt(), tokenType: profileId })).status).toBe(200);
      expect(jwksHits).toBe(0);
    });
  });

  describe('policies', () => {
    describe('clientId', () => {
      it('refuses a client id off the allow-list with 10089', async () => {
        createPortal({}, { clientIds: ['desktop-app'] });
        expect((await logon({ token: await jwt(), tokenType: profileId, clientId: 'desktop-app' })).status).toBe(200);
        const res = await logon({ token: await jwt(), tokenType: profileId, clientId: 'evil-app' });
        expect(res.status).toBe(403);
        await expectNumber(res, 10089);
      });

      it('is optional, as in the seed: none (or null, or empty) reaches the licence hook as null', async () => {
        const seen: (string | null)[] = [];
        createPortal({}, { clientIds: ['desktop-app'], licence: (_user, context) => (seen.push(context.clientId), { allowed: true }) });
        for (const clientId of [undefined, null, '']) expect((await logon({ token: await jwt(), tokenType: profileId, clientId })).status).toBe(200);
        expect(seen).toEqual([null, null, null]);
      });

      it('is required with requireClientId (10089 without one), with or without a list', async () => {
        createPortal({}, { requireClientId: true });
        await expectNumber(await logon({ token: await jwt(), tokenType: profileId }), 10089);
        await expectNumber(await logon({ token: await jwt(), tokenType: profileId, clientId: '' }), 10089);
        expect((await logon({ token: await jwt(), tokenType: profileId, clientId: 'any-app' })).status).toBe(200);
        createPortal({}, { requireClientId: true, clientIds: ['desktop-app'] });
        await expectNumber(await logon({ token: await jwt(), tokenType: profileId, clientId: 'any-app' }), 10089);
        expect((await logon({ token: await jwt(), tokenType: profileId, clientId: 'desktop-app' })).status).toBe(200);
      });

      it('is required per tenant, the tenant winning over logon.requireClientId', async () => {
        createPortal(
          { tenants: { acme: { requireClientId: true }, globex: { requireClientId: false } }, resolveTenant: () => undefined },
          { requireClientId: true },
        );
        await expectNumber(await logon({ tenantName: 'acme', token: await jwt(), tokenType: profileId }), 10089);
        expect((await logon({ tenantName: 'acme', token: await jwt(), tokenType: profileId, clientId: 'acme-app' })).status).toBe(200);
        expect((await logon({ tenantName: 'globex', token: await jwt(), tokenType: profileId })).status).toBe(200);
      });
    });

    it('refuses a user outside their IP allow-list with 10222', async () => {
      createPortal({}, { allowedIps: (user) => (user.id === 'u-bob' ? ['10.0.0.0/8', '2001:db8::/32'] : undefined) });
      const res = await logon({ token: await jwt(), tokenType: profileId });
      expect(res.status).toBe(403);
      await expectNumber(res, 10222);
      createPortal({}, { allowedIps: () => ['127.0.0.0/8'] });
      expect((await logon({ token: await jwt(), tokenType: profileId })).status).toBe(200);
    });

    it('refuses a deactivated user and an unknown one (10006)', async () => {
      const deactivated = await logon({ token: await jwt({ upn: 'carol@example.com' }), tokenType: profileId });
      expect(deactivated.status).toBe(403);
      expect(deactivated.body.error.code).toBe('user_deactivated');
      await expectNumber(await logon({ token: await jwt({ upn: 'nobody@example.com' }), tokenType: profileId }), 10006);
    });

    it('lets the licence hook refuse (10056, 10057) and set the flags', async () => {
      createPortal({}, { licence: () => ({ allowed: false, reason: 'no-licence' }) });
      await expectNumber(await logon({ token: await jwt(), tokenType: profileId }), 10056);
      createPortal({}, { licence: () => ({ allowed: false, reason: 'named-licence-unavailable' }) });
      await expectNumber(await logon({ token: await jwt(), tokenType: profileId }), 10057);
      createPortal({}, { licence: async () => ({ allowed: true, isNamedLicence: true, isApplicationLicence: true }) });
      const res = await logon({ token: await jwt(), tokenType: profileId });
      expect(res.body.LogonWithToken).toMatchObject({ IsNamedLicence: true, IsApplicationLicence: true, IsConcurrentLicence: false });
    });

    it('lets the licence hook refuse for a missing licence feature (10100), naming it in the audit event only', async () => {
      createPortal({}, { licence: () => ({ allowed: false, reason: 'feature-missing', featureId: 'WebApi' }) });
      const res = await logon({ token: await jwt(), tokenType: profileId });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'licence_feature_missing', number: 10100, message: 'Missing feature in server license.', description: null });
      expect(JSON.stringify(res.body)).not.toContain('WebApi');
      expect(portal.audit.at(-1)).toMatchObject({ type: 'logon-with-token', outcome: 'licence_feature_missing', reason: expect.stringContaining('feature WebApi missing') });
    });

    it('lets the licence hook refuse an interactive client of an application user (10285)', async () => {
      createPortal({}, { licence: (_user, { clientId }) => (clientId === 'desktop-app' ? { allowed: false, reason: 'no-interactive-application-licence' } : { allowed: true, isApplicationLicence: true }) });
      const res = await logon({ token: await jwt(), tokenType: profileId, clientId: 'desktop-app' });
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'interactive_logon_not_allowed', number: 10285 });
      expect((await logon({ token: await jwt(), tokenType: profileId, clientId: 'nightly-export' })).body.LogonWithToken.IsApplicationLicence).toBe(true);
    });

    describe('absence', () => {
      it('answers what the hook says, dates in ISO 8601 and the deputy by user id', async () => {
        const start = new Date(clock - 86_400_000);
        createPortal({}, { absence: async (user) => (user.id === 'u-bob' ? { start, end: '2099-01-31T17:00:00+01:00', deputyUserId: 'u-alice' } : undefined) });
        const res = await logon({ token: await jwt(), tokenType: profileId });
        expect(res.body.LogonWithToken.AbsenceInfo).toEqual({
          AbsenceDateStart: start.toISOString(),
          AbsenceDateEnd: '2099-01-31T16:00:00.000Z',
          Absent: true,
          DeputyRepresentativeUserId: 'u-alice',
        });
      });

      it('is not absent before the start or after the end, unless the hook says so', async () => {
        createPortal({}, { absence: () => ({ start: new Date(clock + 3_600_000) }) });
        expect((await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.AbsenceInfo).toMatchObject({ Absent: false, AbsenceDateEnd: '' });
        createPortal({}, { absence: () => ({ end: new Date(clock - 1) }) });
        expect((await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.AbsenceInfo.Absent).toBe(false);
        createPortal({}, { absence: () => ({ start: clock - 1000, end: clock + 1000, deputyUserId: '' }) });
        expect((await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.AbsenceInfo).toMatchObject({
          AbsenceDateStart: new Date(clock - 1000).toISOString(),
          Absent: true,
          DeputyRepresentativeUserId: null,
        });
        createPortal({}, { absence: () => ({ absent: true, deputyUserId: null }) });
        expect((await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.AbsenceInfo).toEqual({
          AbsenceDateStart: '',
          AbsenceDateEnd: '',
          Absent: true,
          DeputyRepresentativeUserId: null,
        });
      });

      it('answers 503 for a date the hook got wrong, and opens no connection', async () => {
        createPortal({}, { absence: () => ({ start: 'next Tuesday' }) });
        const res = await logon({ token: await jwt(), tokenType: profileId });
        expect(res.status).toBe(503);
        expect(portal.audit.at(-1)?.reason).toContain('logon.absence returned an invalid start date');
        expect(await store.sessions.listForUser('default', 'u-bob')).toEqual([]);
      });
    });

    it('lets the two-step hook ask for a verification code, and holds the connection until it is confirmed', async () => {
      createPortal({}, { twoStepVerification: (user) => ({ type: 'Email', targetMail: user.email }) });
      const res = await logon({ token: await jwt(), tokenType: profileId });
      expect(res.body.LogonWithToken).toMatchObject({
        IsVerificationCodeNeeded: true,
        PossibleTwoWayAuthenticationType: 'Email',
        TwoWayAuthenticationTargetMail: 'Bob@Example.com',
      });
      const { ConnectionId, JWTToken } = res.body.LogonWithToken;
      // No JWT while the second factor is outstanding: one would verify offline against the JWKS.
      expect(JWTToken).toBe('');
      const me = (credential: string) => request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(credential)}`);
      expect((await me(ConnectionId)).status).toBe(401);
      const confirmed = await portal.login.confirmSecondFactor(ConnectionId);
      if (confirmed === false) throw new Error('not confirmed');
      expect((await me(ConnectionId)).status).toBe(200);
      expect((await me(confirmed.JWTToken)).status).toBe(200);
      const { payload } = await jwtVerify(confirmed.JWTToken, createLocalJWKSet(portal.login.jwks() as JSONWebKeySet), { currentDate: new Date(clock) });
      expect(payload.sub).toBe('u-bob');
      expect(await portal.login.confirmSecondFactor('0b8e3a52-6f7d-4c1e-9a3b-2d4c5e6f7a8b')).toBe(false);
    });

    it('refuses a session past the maximum with 10055', async () => {
      createPortal({}, { maxSessionsPerUser: 2 });
      await logon({ token: await jwt(), tokenType: profileId }).expect(200);
      await logon({ token: await jwt(), tokenType: profileId }).expect(200);
      const res = await logon({ token: await jwt(), tokenType: profileId });
      expect(res.status).toBe(409);
      await expectNumber(res, 10055);
    });

    it('holds at most 100 connections per user by default, so one token holder cannot fill the store', async () => {
      const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
      const token = recordSecret(created.token);
      for (let i = 0; i < 100; i++) await logon({ token, tokenType: 'apitoken' }).expect(200);
      await expectNumber(await logon({ token, tokenType: 'apitoken' }), 10055);
      expect((await store.sessions.listForUser('default', 'u-alice')).length).toBe(100);
    });

    it('ends the oldest connection instead when configured', async () => {
      createPortal({}, { maxSessionsPerUser: 1, onTooManySessions: 'end-oldest' });
      const first = (await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.ConnectionId as string;
      clock += 1;
      const second = (await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.ConnectionId as string;
      expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(first)}`)).status).toBe(401);
      expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(second)}`)).status).toBe(200);
    });

    it('uses per-tenant token types and client ids', async () => {
      createPortal(
        { tenants: { acme: { clientIds: ['acme-app'], tokenTypes: { apitoken: { kind: 'apitoken' } } }, globex: {} }, resolveTenant: () => 'acme' },
        { tokenTypes: {} },
      );
      const created = await portal.login.apiTokens.create({ tenant: 'acme', userId: 'u-alice', contactId: '1001' });
      expect((await logon({ tenantName: 'acme', token: recordSecret(created.token), tokenType: 'apitoken', clientId: 'acme-app' })).status).toBe(200);
      await expectNumber(await logon({ tenantName: 'globex', token: created.token, tokenType: 'apitoken' }), 10060);
      await expectNumber(await logon({ token: created.token, tokenType: 'apitoken' }), 10038);
    });
  });

  describe('connections', () => {
    it('slide their idle timeout with use and expire without it', async () => {
      const id = recordSecret((await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.ConnectionId);
      const use = () => request(portal.app).get('/api/me').set('authorization', `Bearer ${id}`);
      for (let i = 0; i < 5; i++) {
        clock += 500_000;
        expect((await use()).status).toBe(200);
      }
      clock += 600_000;
      expect((await use()).status).toBe(401);
    });

    it('end at the absolute limit even when active', async () => {
      createPortal({}, { connectionTimeoutSeconds: 600, connectionMaxAgeSeconds: 1800 });
      const id = recordSecret((await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.ConnectionId);
      const use = () => request(portal.app).get('/api/me').set('authorization', `Bearer ${id}`);
      clock += 500_000;
      expect((await use()).status).toBe(200);
      clock += 500_000;
      expect((await use()).status).toBe(200);
      clock += 500_000;
      expect((await use()).status).toBe(200);
      clock += 301_000;
      expect((await use()).status).toBe(401);
    });

    it('give JWTs that expire before the connection and stop with it', async () => {
      const { JWTToken } = (await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken;
      const use = () => request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(JWTToken)}`);
      clock += 299_000;
      expect((await use()).status).toBe(200);
      clock += 2_000;
      expect((await use()).status).toBe(401);
    });

    it('refuse a JWT of ours whose connection belongs to another user', async () => {
      const a = (await logon({ token: await jwt(), tokenType: profileId })).body.LogonWithToken.JWTToken as string;
      const [header, payload] = a.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
      const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'u-alice' })).toString('base64url')}.${a.split('.')[2]}`;
      expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(forged)}`)).status).toBe(401);
    });
  });

  describe('companion routes', () => {
    it('lists the tenant names, unless turned off', async () => {
      createPortal({ tenants: { DCIS_KENDOX: {}, OTHER: {} }, resolveTenant: () => 'OTHER' });
      const res = await request(portal.app).post('/Authentication/GetAllTenantNames');
      expect(res.body).toEqual({ GetAllTenantNames: ['DCIS_KENDOX', 'OTHER'] });
      createPortal({ tenants: { DCIS_KENDOX: {}, OTHER: {} }, resolveTenant: () => 'OTHER' }, { listTenantNames: false });
      expect((await request(portal.app).post('/Authentication/GetAllTenantNames')).status).toBe(404);
    });

    it('answers an unknown tenant like a failed logon when tenant names are not public', async () => {
      const tenants = { DCIS_KENDOX: {}, OTHER: {} };
      createPortal({ tenants, resolveTenant: () => 'OTHER' });
      await expectNumber(await logon({ tenantName: 'NOPE', token: 'x', tokenType: 'apitoken' }), 10038);
      createPortal({ tenants, resolveTenant: () => 'OTHER' }, { listTenantNames: false });
      const created = await portal.login.apiTokens.create({ tenant: 'OTHER', userId: 'u-alice', contactId: '1001' });
      const token = recordSecret(created.token);
      const bad = recordSecret(`lwta_${'x'.repeat(43)}`);
      // Whatever the token, a known tenant and an unknown one answer alike to somebody who holds none for them.
      for (const [type, guess] of [['apitoken', bad], ['InfoShareToken', await senderToken({ key: otherSender.privateKey })], ['nope', bad]] as const) {
        const known = await logon({ tenantName: 'DCIS_KENDOX', token: guess, tokenType: type });
        const unknown = await logon({ tenantName: 'NOPE', token: guess, tokenType: type });
        expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
      }
      // Another tenant's API token fails alike too; a token valid for any tenant gets no further at one nobody configured.
      await expectNumber(await logon({ tenantName: 'NOPE', token, tokenType: 'apitoken' }), 10268);
      await expectNumber(await logon({ tenantName: 'DCIS_KENDOX', token, tokenType: 'apitoken' }), 10268);
      await expectNumber(await logon({ tenantName: 'NOPE', token: await jwt(), tokenType: profileId }), 10376);
      expect((await logon({ tenantName: 'DCIS_KENDOX', token: await jwt(), tokenType: profileId })).status).toBe(200);
      const settings = (tenantName: string) => request(portal.app).get('/Authentication/GetTokenSettings').query({ tenantName, profileId });
      expect((await settings('NOPE')).body).toEqual((await settings('DCIS_KENDOX')).body);
      expect((await logon({ tenantName: 'OTHER', token, tokenType: 'apitoken' })).status).toBe(200);
    });

    it("keeps a tenant's own client ids from telling its name when names are not public", async () => {
      createPortal({ tenants: { ACME: { clientIds: ['acme-app'], requireClientId: true }, OTHER: {} }, resolveTenant: () => 'OTHER' }, { listTenantNames: false });
      const bad = recordSecret(`lwta_${'y'.repeat(43)}`);
      for (const clientId of ['junk', undefined]) {
        const known = await logon({ tenantName: 'ACME', token: bad, tokenType: 'apitoken', clientId });
        const unknown = await logon({ tenantName: 'NOPE', token: bad, tokenType: 'apitoken', clientId });
        expect([unknown.status, unknown.body]).toEqual([known.status, known.body]);
      }
      // With a valid token the tenant's list still binds.
      const created = await portal.login.apiTokens.create({ tenant: 'ACME', userId: 'u-alice', contactId: '1001' });
      const token = recordSecret(created.token);
      await expectNumber(await logon({ tenantName: 'ACME', token, tokenType: 'apitoken', clientId: 'junk' }), 10089);
      expect((await logon({ tenantName: 'ACME', token, tokenType: 'apitoken', clientId: 'acme-app' })).status).toBe(200);
    });

    it("reads a profile's public settings, never keys", async () => {
      createPortal({}, { tokenTypes: { [profileId]: { kind: 'jwt', issuer, audience, keys: [idpKeys[0]!.publicPem], algorithms: ['RS256', 'PS256'] } } });
      const res = await request(portal.app).get('/Authentication/GetTokenSettings').query({ profileId });
      expect(res.body).toEqual({
        GetTokenSettings: { ProfileId: profileId, Issuer: issuer, Audience: audience, UpnClaimName: 'upn', Algorithms: ['RS256', 'PS256'], JwksUrl: null },
      });
      expect(JSON.stringify(res.body)).not.toContain('BEGIN');
      await expectNumber(await request(portal.app).get('/Authentication/GetTokenSettings').query({ profileId: 'apitoken' }), 10060);
    });
  });

  it('keeps tokens out of audit events', async () => {
    await logon({ token: await jwt(), tokenType: profileId });
    await logon({ token: await senderToken({ version: 'x' }), tokenType: 'InfoShareToken' });
    expect(portal.audit.map((event) => [event.type, event.outcome])).toEqual([
      ['logon-with-token', 'ok'],
      ['logon-with-token', 'token_version'],
    ]);
    expect(leakedSecrets(JSON.stringify(portal.audit))).toEqual([]);
  });
});

describe('LogonWithToken hardening', () => {
  const senderType = () => ({ kind: 'signed-sender' as const, keys: [sender.certificate, otherSender.certificate] });
  const logon = (body: Record<string, unknown>) => request(portal.app).post('/Authentication/LogonWithToken').send(body);

  it('treats a re-spelt signature, ECDSA’s n−s twin and another tenant as a replay', async () => {
    createPortal({ tenants: { A: { tokenTypes: { InfoShareToken: senderType() } }, B: { tokenTypes: { InfoShareToken: senderType() } } }, resolveTenant: () => 'A' }, { tokenTypes: {} });
    const token = recordSecret(await signSenderToken({ privateKey: otherSender.privateKey, contactId: '1001', now: clock, audience: 'A' }));
    expect((await logon({ tenantName: 'A', token, tokenType: 'InfoShareToken' })).status).toBe(200);
    expect((await logon({ tenantName: 'B', token, tokenType: 'InfoShareToken' })).body.error?.number).toBe(10376);
    const [head, payload, signature] = token.split('.') as [string, string, string];
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelt = signature.slice(0, -1) + alphabet[alphabet.indexOf(signature.at(-1)!) ^ 1];
    const n = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');
    const raw = Buffer.from(signature, 'base64url');
    const s = BigInt(`0x${raw.subarray(32).toString('hex')}`);
    const twin = Buffer.concat([raw.subarray(0, 32), Buffer.from((n - s).toString(16).padStart(64, '0'), 'hex')]).toString('base64url');
    for (const variant of [respelt, twin]) {
      const res = await logon({ tenantName: 'A', token: recordSecret(`${head}.${payload}.${variant}`), tokenType: 'InfoShareToken' });
      expect(res.status).not.toBe(200);
    }
  });

  it('never lets parallel logons exceed maxSessionsPerUser', async () => {
    createPortal({}, { maxSessionsPerUser: 2, twoStepVerification: async () => (await new Promise((resolve) => setTimeout(resolve, 20)), { type: 'None' }) });
    const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    const results = await Promise.all(Array.from({ length: 20 }, () => logon({ token: recordSecret(created.token), tokenType: 'apitoken' })));
    expect(results.filter((res) => res.status === 200).length).toBeLessThanOrEqual(2);
    expect(results.every((res) => res.status === 200 || res.body.error?.number === 10055)).toBe(true);
    expect((await store.sessions.listForUser('default', 'u-alice')).length).toBeLessThanOrEqual(2);
  });

  it('answers 503 when the JWKS fails, and does not refetch on every request', async () => {
    let hits = 0;
    const broken = await startPartnerServer((_r, res) => {
      hits++;
      json(res, 500, {});
    });
    try {
      createPortal({}, { tokenTypes: { [profileId]: { kind: 'jwt', issuer, audience, jwksUrl: `${broken.origin}/keys`, jwksCooldownMs: 60_000 } } });
      const results = [];
      for (let i = 0; i < 10; i++) results.push(await logon({ token: await jwt(), tokenType: profileId }));
      expect(results.every((res) => res.status === 503 && res.body.error.number === 10246)).toBe(true);
      expect(hits).toBe(1);
    } finally {
      await broken.close();
    }
  });

  it('refuses a hostile alg header with 10064, not an outage', async () => {
    const now = Math.floor(clock / 1000);
    const header = base64url.encode(JSON.stringify({ alg: { toString: 1 }, typ: 'JWT' }));
    const body = base64url.encode(JSON.stringify({ ver: '1.0', iat: now, exp: now + 60 }));
    for (const tokenType of ['InfoShareToken', profileId]) {
      const res = await logon({ token: recordSecret(`${header}.${body}.c2ln`), tokenType });
      expect(res.body.error.number).toBe(10064);
    }
  });

  it('refuses an http JWKS URL that is not loopback, and a cool-down under a second', () => {
    expectOptionsError(() => createPortal({}, { tokenTypes: { p: { kind: 'jwt', issuer, audience, jwksUrl: 'http://idp.example/keys' } } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'logon.tokenTypes.p.jwksUrl',
      message: 'logon.tokenTypes.p.jwksUrl: must use https',
    });
    expectOptionsError(() => createPortal({}, { tokenTypes: { p: { kind: 'jwt', issuer, audience, jwksUrl: 'https://idp.example/keys', jwksCooldownMs: 0 } } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'logon.tokenTypes.p.jwksCooldownMs',
    });
  });
});
