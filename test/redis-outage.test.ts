import { Redis } from 'ioredis';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RedisStore } from '../src/redis.js';
import { createTestPortal, newToken, type TestPortal } from './support/portal-app.js';
import { connectRedis, deleteKeys, describeRedis, redisUrl, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

// Redis taken away mid-test: a TCP proxy in front of the real Redis is cut and restored.
describeRedis('when Redis goes away', () => {
  let proxy: TcpProxy;
  let client: Redis;
  let admin: Redis;
  let portal: TestPortal;
  const prefix = uniquePrefix();
  const valid = new Set<string>();

  beforeAll(async () => {
    proxy = await startTcpProxy(Number(new URL(redisUrl).port || 6379), new URL(redisUrl).hostname);
    admin = await connectRedis();
    client = new Redis(proxy.port, '127.0.0.1', { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50, connectTimeout: 500 });
    client.on('error', () => undefined);
    await new Promise((resolve) => client.once('ready', resolve));
    portal = createTestPortal({
      store: new RedisStore({ client, prefix, commandTimeoutMs: 500 }),
      hashKey: 'outage-test-hash-key',
      commands: {
        LoginWithToken: { run: ({ authToken }) => (valid.has(authToken ?? '') ? { ContactId: 1001 } : null) },
        VerifyCredentials: { run: ({ password }) => (password === 'outage-password' ? { ContactId: 1001 } : null) },
      },
    });
  });
  afterAll(async () => {
    await portal.login.close();
    client.disconnect();
    await proxy.close();
    await deleteKeys(admin, prefix);
    await admin.quit();
  });

  async function untilReady(): Promise<void> {
    for (let i = 0; i < 100 && client.status !== 'ready'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(client.status).toBe('ready');
  }

  it('answers 503 store_unavailable, burns no token, and recovers without a restart', async () => {
    const session = recordSecret(
      (await request(portal.app).post('/authentication/token').send({ username: 'alice', password: recordSecret('outage-password'), organisation: 'X' })).body.data.token,
    );
    const token = newToken();
    valid.add(token);

    await proxy.cut();
    const handoff = await request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json');
    expect(handoff.status).toBe(503);
    expect(handoff.body.error).toMatchObject({ code: 'store_unavailable', number: 19004 });
    const bearer = await request(portal.app).get('/api/me').set('authorization', `Bearer ${session}`);
    expect(bearer.status).toBe(503);
    expect(bearer.body.status.code).toBe('store_unavailable');
    const issue = await request(portal.app).post('/authentication/token').send({ username: 'alice', password: 'outage-password', organisation: 'X' });
    expect(issue.status).toBe(503);

    await proxy.restore();
    await untilReady();
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${session}`)).status).toBe(200);
    const retried = await request(portal.app).get('/authentication/login').query({ authToken: token });
    expect(retried.status).toBe(303);
    expect((await request(portal.app).get('/authentication/login').query({ authToken: token })).status).toBe(401);
  });

  it('answers 503 when Redis hangs instead of refusing', async () => {
    const session = recordSecret(
      (await request(portal.app).post('/authentication/token').send({ username: 'alice', password: 'outage-password', organisation: 'X' })).body.data.token,
    );
    proxy.stall();
    const started = Date.now();
    const res = await request(portal.app).get('/api/me').set('authorization', `Bearer ${session}`);
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1500);
    proxy.resume();
    await untilReady();
    let recovered = 0;
    for (let i = 0; i < 40 && recovered !== 200; i++) {
      recovered = (await request(portal.app).get('/api/me').set('authorization', `Bearer ${session}`)).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(recovered).toBe(200);
  });
});
