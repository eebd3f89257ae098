import { generateKeyPairSync } from 'node:crypto';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { LoginWithTokenOptions } from '../src/index.js';
import { RedisStore } from '../src/redis.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { createTestPortal, newToken, type TestPortal, type TestUser } from './support/portal-app.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

// Two portal instances, each with its own Redis client, sharing one Redis — as two processes
// behind a load balancer would.
describeRedis('two instances on one Redis', () => {
  let partner: PartnerServer;
  let clients: Redis[];
  let prefix: string;
  let a: TestPortal;
  let b: TestPortal;
  const accepted = new Set<string>();
  const signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  beforeAll(async () => {
    partner = await startPartnerServer((received, res) => {
      const { token } = JSON.parse(received.body) as { token: string };
      if (accepted.has(token)) setTimeout(() => json(res, 200, { ContactId: 1001 }), 30);
      else json(res, 401, {});
    });
    clients = [await connectRedis(), await connectRedis()];
  });
  afterAll(async () => {
    await partner.close();
    await Promise.all(clients.map((client) => client.quit()));
  });

  function instance(client: Redis, options: Partial<LoginWithTokenOptions<TestUser>>) {
    return createTestPortal({
      store: new RedisStore({ client, prefix }),
      hashKey: 'a-secret-all-instances-share',
      commands: {
        LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' },
        VerifyCredentials: { run: ({ username, password }) => (username === 'alice' && password === recordSecret('alice-password') ? { ContactId: 1001 } : null) },
      },
      logon: { tokenTypes: { apitoken: { kind: 'apitoken' } }, jwt: { privateKey: signingKey }, maxSessionsPerUser: 2 },
      rateLimits: { tokenFailuresPerUsername: 3 },
      ...options,
    });
  }

  beforeEach(() => {
    prefix = uniquePrefix();
    a = instance(clients[0]!, {});
    b = instance(clients[1]!, {});
  });
  afterEach(async () => {
    await Promise.all([a.login.close(), b.login.close()]);
    await deleteKeys(clients[0]!, prefix);
  });

  it('50 concurrent redemptions of one authToken across both → exactly one session', async () => {
    const token = newToken();
    accepted.add(token);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => request((i % 2 === 0 ? a : b).app).get('/authentication/login').query({ authToken: token })),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(49);
    expect([...a.audit, ...b.audit].filter((event) => event.type === 'handoff' && event.outcome === 'ok')).toHaveLength(1);
  });

  it('a session token issued by A works on B, and revocation on A fails it on B at once', async () => {
    const issued = await request(a.app).post('/authentication/token').send({ username: 'alice', password: 'alice-password', organisation: 'X' });
    const token = recordSecret(issued.body.data.token);
    expect((await request(b.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(200);
    await request(a.app).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
    expect((await request(b.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
  });

  it('connections and their JWTs from A work on B; Logoff on B ends them on A', async () => {
    const created = await a.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    const result = (await request(a.app).post('/Authentication/LogonWithToken').send({ token: recordSecret(created.token), tokenType: 'apitoken' })).body.LogonWithToken;
    for (const credential of [recordSecret(result.ConnectionId), recordSecret(result.JWTToken)]) {
      expect((await request(b.app).get('/api/me').set('authorization', `Bearer ${credential}`)).status).toBe(200);
    }
    await request(b.app).post('/Authentication/Logoff').send({ connectionId: result.ConnectionId }).expect(204);
    expect((await request(a.app).get('/api/me').set('authorization', `Bearer ${result.JWTToken}`)).status).toBe(401);
  });

  it('the maximum-sessions rule counts connections on both', async () => {
    const created = await a.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    const logon = (portal: TestPortal) => request(portal.app).post('/Authentication/LogonWithToken').send({ token: recordSecret(created.token), tokenType: 'apitoken' });
    expect((await logon(a)).status).toBe(200);
    expect((await logon(b)).status).toBe(200);
    const third = await logon(a);
    expect(third.status).toBe(409);
    expect(third.body.error.number).toBe(10055);
  });

  it('rate limits count attempts on both', async () => {
    const attempt = (portal: TestPortal, password: string) =>
      request(portal.app).post('/authentication/token').send({ username: 'alice', password: recordSecret(password), organisation: 'X' });
    expect((await attempt(a, 'wrong-password-1')).status).toBe(401);
    expect((await attempt(b, 'wrong-password-2')).status).toBe(401);
    expect((await attempt(a, 'wrong-password-3')).status).toBe(401);
    expect((await attempt(b, 'alice-password')).status).toBe(429);
  });

  it('leaves no raw token, password or pass code in any Redis key or value', async () => {
    const handoffToken = newToken();
    accepted.add(handoffToken);
    await request(a.app).get('/authentication/login').query({ authToken: handoffToken }).expect(303);
    const session = recordSecret((await request(b.app).post('/authentication/token').send({ username: 'alice', password: 'alice-password', organisation: 'X' })).body.data.token);
    await request(a.app).post('/authentication/token').send({ username: 'alice', password: recordSecret('a-wrong-password'), organisation: 'X' });
    const created = await a.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' });
    const logon = (await request(b.app).post('/Authentication/LogonWithToken').send({ token: recordSecret(created.token), tokenType: 'apitoken' })).body.LogonWithToken;
    await request(a.app).get('/api/me').set('authorization', `Bearer ${recordSecret(logon.ConnectionId)}`).expect(200);
    await request(a.app).get('/api/me').set('authorization', `Bearer ${session}`).expect(200);
    const dump = JSON.stringify(await dumpKeys(clients[0]!, prefix));
    expect(dump.length).toBeGreaterThan(200);
    expect(leakedSecrets(dump)).toEqual([]);
    for (const secret of [handoffToken, session, created.token, logon.ConnectionId, logon.JWTToken, 'alice-password']) expect(dump).not.toContain(secret);
  });
});
