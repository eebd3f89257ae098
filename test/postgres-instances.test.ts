import type pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LoginWithTokenOptions } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { sessionCookie } from './support/agent.js';
import type { TestPortal, TestUser } from './support/portal-app.js';
import { alicePassword, createSharedStorePortal, HandoffPartner } from './support/postgres-portal.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';

// Two portal instances, each with its own pool and PostgresStore, on one schema of one database —
// as two processes behind a load balancer would run.
describePostgres('two instances on one PostgreSQL', () => {
  const partner = new HandoffPartner();
  let pools: pg.Pool[];
  let schema: string;
  let stores: PostgresStore[];
  let a: TestPortal;
  let b: TestPortal;

  beforeAll(() => {
    pools = [createPool(), createPool()];
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
  });

  async function start(options: Partial<LoginWithTokenOptions<TestUser>> = {}): Promise<void> {
    stores = pools.map((pool) => new PostgresStore({ pool, schema }));
    await stores[0]!.migrate();
    [a, b] = stores.map((store) => createSharedStorePortal(store, partner, options)) as [TestPortal, TestPortal];
  }

  beforeEach(() => {
    schema = uniqueSchema();
    partner.delayMs = 0;
  });
  afterEach(async () => {
    await Promise.all([a.login.close(), b.login.close()]);
    await Promise.all(stores.map((store) => store.close()));
    await dropSchema(pools[0]!, schema);
  });

  const issueSessionToken = async (portal: TestPortal) =>
    recordSecret((await request(portal.app).post('/authentication/token').send({ username: 'alice', password: alicePassword, organisation: 'X' }).expect(200)).body.data.token);

  describe('the handoff', () => {
    it('redeems one authToken exactly once among 50 concurrent attempts on both', async () => {
      await start();
      // The winner holds its reservation while the partner thinks: every other attempt overlaps it.
      partner.delayMs = 50;
      const token = partner.token();
      const portals = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b));
      const results = await Promise.all(
        portals.map((portal) => request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json')),
      );

      const outcomes = results.map((res, i) => ({ res, portal: portals[i]! }));
      const won = outcomes.filter(({ res }) => res.status === 303);
      const refused = outcomes.filter(({ res }) => res.status !== 303);
      expect(won).toHaveLength(1);
      expect(refused).toHaveLength(49);
      for (const { res } of refused) {
        expect(res.status).toBe(401);
        expect(res.body.error).toMatchObject({ code: 'token_invalid', number: 10376 });
      }

      // The winner's cookie carries a signed-in session on the instance that answered.
      const cookie = sessionCookie(won[0]!.res);
      expect(cookie).toBeDefined();
      expect((await request(won[0]!.portal.app).get('/whoami').set('cookie', cookie!)).body.user).toBe('u-alice');
      expect([...a.audit, ...b.audit].filter((event) => event.type === 'handoff' && event.outcome === 'ok')).toHaveLength(1);

      // Spent for good, on either instance.
      partner.delayMs = 0;
      expect((await request(b.app).get('/authentication/login').query({ authToken: token })).status).toBe(401);
      expect((await request(a.app).get('/authentication/login').query({ authToken: token })).status).toBe(401);
    });
  });

  describe('session tokens', () => {
    it('work on B when A issued them, and fail on B once A revoked them', async () => {
      await start();
      const token = await issueSessionToken(a);
      const onB = await request(b.app).get('/api/me').set('authorization', `Bearer ${token}`);
      expect(onB.status).toBe(200);
      expect(onB.body.user).toBe('u-alice');

      await request(a.app).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
      const revoked = await request(b.app).get('/api/me').set('authorization', `Bearer ${token}`);
      expect(revoked.status).toBe(401);
      expect(revoked.headers['www-authenticate']).toContain('error="invalid_token"');
      expect((await request(a.app).get('/api/me').set('authorization', `Bearer ${token}`)).status).toBe(401);
    });
  });

  describe('the maximum-sessions rule', () => {
    const logon = (portal: TestPortal, token: string) => request(portal.app).post('/Authentication/LogonWithToken').send({ token, tokenType: 'apitoken' });

    it("counts connections opened alternately on A and B, refusing the one past the maximum ('refuse')", async () => {
      await start({ logon: { maxSessionsPerUser: 3, onTooManySessions: 'refuse' } });
      const apiToken = recordSecret((await a.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' })).token);
      for (const portal of [a, b, a]) {
        const res = await logon(portal, apiToken);
        expect(res.status).toBe(200);
        recordSecret(res.body.LogonWithToken.ConnectionId);
        recordSecret(res.body.LogonWithToken.JWTToken);
      }
      for (const portal of [b, a]) {
        const refused = await logon(portal, apiToken);
        expect(refused.status).toBe(409);
        expect(refused.body.error).toMatchObject({ code: 'too_many_sessions', number: 10055 });
      }
    });

    it("ends the oldest connection, opened on the other instance ('end-oldest')", async () => {
      await start({ logon: { maxSessionsPerUser: 2, onTooManySessions: 'end-oldest' } });
      const apiToken = recordSecret((await b.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' })).token);
      const connections: string[] = [];
      for (const portal of [a, b, b]) {
        const res = await logon(portal, apiToken);
        expect(res.status).toBe(200);
        connections.push(recordSecret(res.body.LogonWithToken.ConnectionId));
      }
      const status = (portal: TestPortal, connection: string) => request(portal.app).get('/api/me').set('authorization', `Bearer ${connection}`).then((res) => res.status);
      expect(await status(a, connections[0]!)).toBe(401);
      expect(await status(a, connections[1]!)).toBe(200);
      expect(await status(a, connections[2]!)).toBe(200);
    });
  });
});
