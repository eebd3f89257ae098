import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extractBearerToken } from '../src/bearer/extract-bearer-token.js';
import { MemoryStore, type LoginWithTokenOptions, type RequestInfo } from '../src/index.js';
import { createClockedPortal, type TestPortal, type TestUser } from './support/portal-app.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { rawRequest } from './support/raw-request.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

/** Partner-issued bearer tokens the ValidateBearer endpoint knows, by token. */
const partnerTokens = new Map<string, unknown>();
let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer();
});
afterAll(() => partner.close());

function answerFromMap(delayMs = 0) {
  partner.behave((received, res) => {
    const token = /^Bearer (.+)$/.exec(String(received.headers['x-forwarded-token'] ?? ''))?.[1] ?? '';
    const answer = partnerTokens.get(token);
    setTimeout(() => (answer === undefined ? json(res, 401, { active: false }) : json(res, 200, answer)), delayMs);
  });
}

let portal: TestPortal;
let store: MemoryStore;
let clock: number;
function createPortal(options: Partial<LoginWithTokenOptions<TestUser>> = {}) {
  ({ store, ...portal } = createClockedPortal(() => clock, {
    commands: {
      VerifyCredentials: { run: ({ username, password }) => (username === 'alice' && password === 'pw' ? { ContactId: 1001 } : null) },
      ValidateBearer: { method: 'GET', url: `${partner.origin}/introspect?tenant={tenant}`, headers: { 'x-forwarded-token': 'Bearer {bearerToken}' } },
    },
    ...options,
  }));
}
beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  partnerTokens.clear();
  partner.received.length = 0;
  answerFromMap();
  createPortal();
});
afterEach(async () => {
  await portal.login.close();
  await store.close();
});

async function sessionToken(): Promise<string> {
  const res = await request(portal.app).post('/authentication/token').send({ username: 'alice', password: 'pw', organisation: 'X' });
  return recordSecret(res.body.data.token as string);
}

function partnerToken(answer: unknown): string {
  const token = recordSecret(`partner.${Math.random().toString(36).slice(2)}.${Date.now()}`);
  partnerTokens.set(token, answer);
  return token;
}

describe.each([
  ['the plain middleware', '/api/me'],
  ['passport.authenticate', '/api/passport/me'],
])('bearer authentication through %s', (_name, path) => {
  describe('RFC 6750', () => {
    it('accepts a token in the Authorization header', async () => {
      const res = await request(portal.app).get(path).set('authorization', `Bearer ${await sessionToken()}`);
      expect(res.status).toBe(200);
      expect(res.body.user).toBe('u-alice');
    });

    it('accepts the scheme in any case', async () => {
      expect((await request(portal.app).get(path).set('authorization', `bEaReR ${await sessionToken()}`)).status).toBe(200);
    });

    it('answers 401 with a bare challenge when there is no token', async () => {
      const res = await request(portal.app).get(path);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('treats another scheme as no bearer token', async () => {
      const res = await request(portal.app).get(path).set('authorization', 'Basic YWxpY2U6cHc=');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('answers 401 invalid_token for an unknown token of ours', async () => {
      const res = await request(portal.app).get(path).set('authorization', `Bearer lwts_${'A'.repeat(43)}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
      expect(partner.received).toHaveLength(0);
    });

    it('answers 401 invalid_token for a revoked token', async () => {
      const token = await sessionToken();
      await request(portal.app).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
      const res = await request(portal.app).get(path).set('authorization', `Bearer ${token}`);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('accepts a form-encoded access_token on POST', async () => {
      const res = await request(portal.app).post(path).type('form').send({ access_token: await sessionToken() });
      expect(res.status).toBe(200);
    });

    it('ignores access_token in a GET body', async () => {
      const res = await request(portal.app).get(path).type('form').send({ access_token: await sessionToken() });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('ignores access_token in the query unless enabled', async () => {
      const token = await sessionToken();
      expect((await request(portal.app).get(path).query({ access_token: token })).status).toBe(401);
    });

    it('answers 400 invalid_request for a token in two places', async () => {
      const token = await sessionToken();
      const res = await request(portal.app).post(path).set('authorization', `Bearer ${token}`).type('form').send({ access_token: token });
      expect(res.status).toBe(400);
    });

    it.each(['Bearer', 'Bearer a b', 'Bearer a\tb', 'Bearer ä', 'Bearer =abc'])('answers 400 for the malformed header %j', async (header) => {
      const res = await request(portal.app).get(path).set('authorization', header);
      expect(res.status).toBe(400);
    });
  });
});

describe('the plain middleware', () => {
  it('renders errors in the API envelope with the challenge', async () => {
    const res = await request(portal.app).get('/api/me').set('authorization', 'Bearer a b');
    expect(res.body).toEqual({ status: { code: 'invalid_request', number: 19002, message: 'The request is malformed.', description: null }, data: null });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_request"');
    const missing = await request(portal.app).get('/api/me');
    expect(missing.body.status).toMatchObject({ code: 'token_missing', number: 19005 });
  });

  it('accepts a query token when allowQueryToken is set', async () => {
    createPortal({ bearer: { allowQueryToken: true } });
    const token = await sessionToken();
    expect((await request(portal.app).get('/api/me').query({ access_token: token })).status).toBe(200);
    const both = await request(portal.app).get('/api/me').query({ access_token: token }).set('authorization', `Bearer ${token}`);
    expect(both.status).toBe(400);
  });

  it('uses the configured realm', async () => {
    createPortal({ bearer: { realm: 'billing portal' } });
    expect((await request(portal.app).get('/api/me')).headers['www-authenticate']).toBe('Bearer realm="billing portal"');
  });
});

describe('remote validation through ValidateBearer', () => {
  it('accepts a partner token and sets req.user', async () => {
    const token = partnerToken({ ContactEmail: 'BOB@example.com' });
    const res = await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ user: 'u-bob', authInfo: { tokenType: 'bearer', tenant: 'default' } });
    expect(partner.received[0]!.url).toBe('/introspect?tenant=default');
  });

  it('makes exactly one upstream call for 50 concurrent requests with one token', async () => {
    answerFromMap(100);
    const token = partnerToken({ ContactId: 1001 });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)),
    );
    expect(results.every((res) => res.status === 200)).toBe(true);
    expect(partner.received).toHaveLength(1);
  });

  it('makes exactly one upstream call for 50 concurrent requests with one unknown token', async () => {
    answerFromMap(100);
    const token = recordSecret('never-issued-token-1');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)),
    );
    expect(results.every((res) => res.status === 401)).toBe(true);
    expect(partner.received).toHaveLength(1);
  });

  it('reuses an answer until the TTL passes, then asks again', async () => {
    const token = partnerToken({ ContactId: 1001 });
    const call = () => request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    await call();
    clock += 29_000;
    await call();
    expect(partner.received).toHaveLength(1);
    clock += 1_001;
    await call();
    expect(partner.received).toHaveLength(2);
  });

  it('never reuses an answer beyond the exp it states', async () => {
    const token = partnerToken({ ContactId: 1001, exp: Math.floor(clock / 1000) + 5 });
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    clock += 5_000;
    partnerTokens.delete(token);
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
    expect(partner.received).toHaveLength(2);
  });

  it('refuses an answer whose exp has passed', async () => {
    const token = partnerToken({ ContactId: 1001, exp: Math.floor(clock / 1000) - 1 });
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('does not cache rejections', async () => {
    const token = recordSecret('not-yet-valid-token');
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
    partnerTokens.set(token, { ContactId: 1001 });
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('never uses tenant A’s answer for tenant B', async () => {
    createPortal({
      tenants: { acme: {}, globex: {} },
      resolveTenant: (req: RequestInfo) => String(req.headers['x-tenant'] ?? ''),
    });
    const token = partnerToken({ ContactId: 1001 });
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).set('x-tenant', 'acme').expect(200);
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).set('x-tenant', 'globex').expect(200);
    expect(partner.received.map((received) => received.url)).toEqual(['/introspect?tenant=acme', '/introspect?tenant=globex']);
  });

  it('answers 503 validator_unavailable, never 401, when the validator is down', async () => {
    partner.behave((_r, res) => json(res, 502, {}));
    const res = await request(portal.app).get('/api/me').set('authorization', `Bearer ${partnerToken({ ContactId: 1001 })}`);
    expect(res.status).toBe(503);
    expect(res.body.status).toMatchObject({ code: 'validator_unavailable', number: 10246 });
    const viaPassport = await request(portal.app).get('/api/passport/me').set('authorization', `Bearer ${partnerToken({ ContactId: 1001 })}`);
    expect(viaPassport.status).toBe(503);
  });

  it('treats a token of ours as ours and never sends it to the partner', async () => {
    await request(portal.app).get('/api/me').set('authorization', `Bearer lwts_${'b'.repeat(43)}`).expect(401);
    expect(partner.received).toHaveLength(0);
  });

  it('keeps the token out of audit events', async () => {
    const token = recordSecret('rejected-bearer-token-7');
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`);
    expect(portal.audit.at(-1)).toMatchObject({ type: 'bearer', outcome: 'token_invalid' });
    expect(leakedSecrets(JSON.stringify(portal.audit))).toEqual([]);
  });
});

describe('failed bearer lookups', () => {
  beforeEach(() => createPortal({ rateLimits: { bearerFailuresPerIp: 3, windowMs: 60_000 } }));

  it('answer 429 with Retry-After past the limit, without calling the partner', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await request(portal.app).get('/api/me').set('authorization', `Bearer guess-${i}`)).status).toBe(401);
    }
    const calls = partner.received.length;
    const limited = await request(portal.app).get('/api/me').set('authorization', 'Bearer guess-4');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(partner.received).toHaveLength(calls);
    const viaPassport = await request(portal.app).get('/api/passport/me').set('authorization', 'Bearer guess-5');
    expect(viaPassport.status).toBe(429);
  });

  it('do not slow or block valid session tokens', async () => {
    const token = await sessionToken();
    for (let i = 0; i < 5; i++) await request(portal.app).get('/api/me').set('authorization', `Bearer lwts_guess${i}`);
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(200);
  });
});

describe('extractBearerToken', () => {
  const base: RequestInfo = { method: 'GET', headers: {}, query: {}, body: undefined, ip: '127.0.0.1' };
  it('never throws on odd input', () => {
    const odd: RequestInfo[] = [
      { ...base, headers: { authorization: ['Bearer a'] as unknown as string } },
      { ...base, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: null },
      { ...base, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: { access_token: ['a', 'b'] } },
      { ...base, query: { access_token: { a: 1 } } },
      { ...base, headers: { authorization: `Bearer ${'a'.repeat(20_000)}` } },
    ];
    for (const request of odd) expect(() => extractBearerToken(request, true)).not.toThrow();
    expect(extractBearerToken(odd[2]!, true).kind).toBe('malformed');
    expect(extractBearerToken(odd[4]!, true).kind).toBe('malformed');
  });
});

describe('hardening', () => {
  it('counts uncached lookups before asking the partner, so parallel guesses cannot outrun the limit', async () => {
    createPortal({ rateLimits: { bearerFailuresPerIp: 5, windowMs: 60_000 } });
    answerFromMap(100);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => request(portal.app).get('/api/me').set('authorization', `Bearer parallel-guess-${i}`)),
    );
    expect(partner.received.length).toBeLessThanOrEqual(5);
    expect(results.filter((res) => res.status === 429).length).toBeGreaterThanOrEqual(35);
  });

  it('lets a cached valid partner token through while its network is blocked', async () => {
    createPortal({ rateLimits: { bearerFailuresPerIp: 2, windowMs: 60_000 } });
    const token = partnerToken({ ContactId: 1001 });
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    for (let i = 0; i < 3; i++) await request(portal.app).get('/api/me').set('authorization', `Bearer junk-${i}`);
    expect((await request(portal.app).get('/api/me').set('authorization', 'Bearer junk-x')).status).toBe(429);
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(200);
  });

  it('counts IPv6 clients by their /64', async () => {
    createPortal({ rateLimits: { bearerFailuresPerIp: 2, windowMs: 60_000 } });
    for (const suffix of ['1', '2', '3']) {
      await request(portal.app).get('/api/me').set('x-forwarded-for', `2001:db8:1:2::${suffix}`).set('authorization', `Bearer g-${suffix}`);
    }
    const limited = await request(portal.app).get('/api/me').set('x-forwarded-for', '2001:db8:1:2:ffff::9').set('authorization', 'Bearer g-4');
    expect(limited.status).toBe(429);
    const other = await request(portal.app).get('/api/me').set('x-forwarded-for', '2001:db8:1:3::1').set('authorization', 'Bearer g-5');
    expect(other.status).toBe(401);
  });

  it('keys the cache on request-derived placeholders the template sends', async () => {
    createPortal({
      commands: {
        ValidateBearer: { method: 'GET', url: `${partner.origin}/introspect?ip={ipAddress}`, headers: { 'x-forwarded-token': 'Bearer {bearerToken}' } },
      },
    });
    const token = partnerToken({ ContactId: 1001 });
    await request(portal.app).get('/api/me').set('x-forwarded-for', '203.0.113.1').set('authorization', `Bearer ${token}`).expect(200);
    await request(portal.app).get('/api/me').set('x-forwarded-for', '203.0.113.1').set('authorization', `Bearer ${token}`).expect(200);
    await request(portal.app).get('/api/me').set('x-forwarded-for', '198.51.100.7').set('authorization', `Bearer ${token}`).expect(200);
    expect(partner.received.map((received) => received.url)).toEqual(['/introspect?ip=203.0.113.1', '/introspect?ip=198.51.100.7']);
  });

  it('drops a partner token from the cache on logout', async () => {
    const token = partnerToken({ ContactId: 1001 });
    await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);
    await request(portal.app).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
    partnerTokens.delete(token);
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('keeps UUIDs to itself unless forwardUnknownUuids is set', async () => {
    const uuid = recordSecret('0b8e3a52-6f7d-4c1e-9a3b-2d4c5e6f7a8b');
    partnerTokens.set(uuid, { ContactId: 1001 });
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${uuid}`)).status).toBe(401);
    expect(partner.received).toHaveLength(0);
    createPortal({ bearer: { forwardUnknownUuids: true } });
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${uuid}`)).status).toBe(200);
  });

  it('refuses two Authorization headers with 400', async () => {
    const token = await sessionToken();
    const res = await rawRequest(portal.app, ['GET /api/me HTTP/1.1', `Authorization: Bearer ${token}`, 'Authorization: Bearer other']);
    expect(res.status).toBe(400);
    const single = await rawRequest(portal.app, ['GET /api/me HTTP/1.1', `Authorization: Bearer ${token}`]);
    expect(single.status).toBe(200);
  });

  it('hands an unknown tenant to the error handler through Passport (404), not a bare 401', async () => {
    createPortal({ tenants: { acme: {}, globex: {} }, resolveTenant: () => 'initech' });
    const res = await request(portal.app).get('/api/passport/me').set('authorization', 'Bearer x');
    expect(res.status).toBe(404);
  });
});

describe('our own credentials never reach the partner', () => {
  const logonApiToken = (target: TestPortal, token: string, tenantName?: string) =>
    request(target.app)
      .post('/Authentication/LogonWithToken')
      .send({ token, tokenType: 'apitoken', ...(tenantName === undefined ? {} : { tenantName }) });
  const me = (token: string) => request(portal.app).get('/api/me').set('authorization', `Bearer ${recordSecret(token)}`);

  it('refuses an API token presented as a bearer token, and keeps it from ValidateBearer', async () => {
    createPortal({ logon: { tokenTypes: { apitoken: { kind: 'apitoken' } } } });
    const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    partnerTokens.set(created.token, { ContactId: 1001 });
    const res = await me(created.token);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(partner.received).toHaveLength(0);
    // What it is for: exchanged at LogonWithToken for a connection, whose id is the credential.
    const { ConnectionId } = (await logonApiToken(portal, created.token).expect(200)).body.LogonWithToken;
    expect((await me(ConnectionId)).status).toBe(200);
  });

  it("refuses another instance's connection JWT (another key) without forwarding it", async () => {
    const other = createClockedPortal(() => clock, { logon: { tokenTypes: { apitoken: { kind: 'apitoken' } } } });
    const created = await other.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    const { JWTToken } = (await logonApiToken(other, recordSecret(created.token)).expect(200)).body.LogonWithToken;
    partnerTokens.set(JWTToken, { ContactId: 1001 });
    expect((await me(JWTToken)).status).toBe(401);
    expect(partner.received).toHaveLength(0);
    await other.login.close();
    await other.store.close();
  });

  it('refuses a JWT naming our issuer under a key id it does not know, without forwarding it', async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const now = Math.floor(clock / 1000);
    const forged = await new SignJWT({ sid: 'x', tid: 'default', sub: 'u-alice' })
      .setProtectedHeader({ alg: 'ES256', kid: 'retired-key' })
      .setIssuer('login-with-token')
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    partnerTokens.set(forged, { ContactId: 1001 });
    expect((await me(forged)).status).toBe(401);
    expect(partner.received).toHaveLength(0);
  });

  it('keeps re-spelt secrets of ours from the partner: a re-cased prefix, a trailing "="', async () => {
    createPortal({ bearer: { forwardUnknownUuids: true }, logon: { tokenTypes: { apitoken: { kind: 'apitoken' } } } });
    const created = await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    const { ConnectionId, JWTToken } = (await logonApiToken(portal, recordSecret(created.token)).expect(200)).body.LogonWithToken;
    for (const variant of [`LWTA_${created.token.slice(5)}`, `Lwts_${'c'.repeat(43)}`]) {
      partnerTokens.set(variant, { ContactId: 1001 });
      expect((await me(variant)).status).toBe(401);
    }
    // RFC 6750 allows "=" padding; the padded id or JWT is still that credential, and stays here.
    for (const variant of [`${ConnectionId}=`, `${ConnectionId.toUpperCase()}==`, `${JWTToken}=`]) {
      partnerTokens.set(variant, { ContactId: 1002 });
      expect((await me(variant)).body.user).not.toBe('u-bob');
    }
    expect(partner.received).toHaveLength(0);
  });

  it("still sends a partner's JWT to the partner when only its key id looks like ours", async () => {
    const { SignJWT, generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    // A partner portal running this package derives its key ids the same way.
    const theirs = await new SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'ES256', kid: 'lwt-partnerkey0001' }).setIssuer('https://partner.example').sign(privateKey);
    partnerTokens.set(theirs, { ContactId: 1001 });
    expect((await me(theirs)).status).toBe(200);
    expect(partner.received).toHaveLength(1);
  });

  it("keeps another tenant's connection id from the partner even with forwardUnknownUuids", async () => {
    createPortal({
      tenants: { acme: {}, globex: {} },
      resolveTenant: (req) => String(req.headers['x-tenant'] ?? 'acme'),
      bearer: { forwardUnknownUuids: true },
      logon: { tokenTypes: { apitoken: { kind: 'apitoken' } } },
    });
    const created = await portal.login.apiTokens.create({ tenant: 'globex', userId: 'u-alice', contactId: '1001' });
    const { ConnectionId } = (await logonApiToken(portal, recordSecret(created.token), 'globex').expect(200)).body.LogonWithToken;
    partnerTokens.set(ConnectionId, { ContactId: 1001 });
    expect((await request(portal.app).get('/api/me').set('x-tenant', 'globex').set('authorization', `Bearer ${ConnectionId}`)).status).toBe(200);
    expect((await me(ConnectionId)).status).toBe(401);
    expect(partner.received).toHaveLength(0);
    // A UUID that is nobody's connection still goes to the partner, as configured.
    const uuid = recordSecret('0b8e3a52-6f7d-4c1e-9a3b-2d4c5e6f7a8b');
    partnerTokens.set(uuid, { ContactId: 1001 });
    expect((await me(uuid)).status).toBe(200);
    expect(partner.received).toHaveLength(1);
  });
});
