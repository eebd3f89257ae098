import type { Redis } from 'ioredis';
import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginWithToken, MemoryStore, type ComposedStore } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { RedisStore } from '../src/redis.js';
import { expectOptionsError } from './support/options-error.js';
import { findTestUser, type TestPortal } from './support/portal-app.js';
import { alicePassword, createSharedStorePortal, HandoffPartner, sharedHashKey } from './support/postgres-portal.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

// The store option made of roles from two stores: the one-time ledger and the counters in Redis
// (fast, short-lived), sessions and API tokens in PostgreSQL (durable).
describeRedis('a composed store', () => {
  describePostgres('of Redis and PostgreSQL roles', () => {
    const schema = uniqueSchema();
    const prefix = uniquePrefix();
    let client: Redis;
    let pool: pg.Pool;
    let redis: RedisStore;
    let postgres: PostgresStore;
    let composed: ComposedStore;

    beforeAll(async () => {
      client = await connectRedis();
      pool = createPool();
      redis = new RedisStore({ client, prefix });
      postgres = new PostgresStore({ pool, schema });
      await postgres.migrate();
      composed = { ledger: redis.ledger, rateLimits: redis.rateLimits, sessions: postgres.sessions, apiTokens: postgres.apiTokens };
    });
    afterAll(async () => {
      await Promise.all([redis.close(), postgres.close()]);
      await deleteKeys(client, prefix);
      await client.quit();
      await dropSchema(pool, schema);
      await pool.end();
    });

    /** How many rows each of the store's tables holds. */
    async function rowCounts(): Promise<Record<string, number>> {
      const counts: Record<string, number> = {};
      for (const [role, table] of Object.entries(postgres.tables)) {
        if (role === 'migrations') continue;
        counts[role] = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
      }
      return counts;
    }

    describe('in a portal', () => {
      const partner = new HandoffPartner();
      let portal: TestPortal;
      beforeAll(() => {
        portal = createSharedStorePortal(composed, partner);
      });
      afterAll(() => portal.login.close());

      it('runs the handoff, session tokens and API token logons, each record where its role lives', async () => {
        const token = partner.token();
        await request(portal.app).get('/authentication/login').query({ authToken: token }).expect(303);
        expect((await request(portal.app).get('/authentication/login').query({ authToken: token })).status).toBe(401);

        const signIn = (password: string) => request(portal.app).post('/authentication/token').send({ username: 'alice', password, organisation: 'X' });
        await signIn(recordSecret('alice-wrong-password-composed')).expect(401);
        const session = recordSecret((await signIn(alicePassword).expect(200)).body.data.token);
        expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${session}`)).body.user).toBe('u-alice');

        const apiToken = recordSecret((await portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001' })).token);
        const logon = await request(portal.app).post('/Authentication/LogonWithToken').send({ token: apiToken, tokenType: 'apitoken' }).expect(200);
        const connection = recordSecret(logon.body.LogonWithToken.ConnectionId);
        recordSecret(logon.body.LogonWithToken.JWTToken);
        expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${connection}`)).body.user).toBe('u-alice');

        // Redis: the ledger entry and the counters, nothing else.
        const kinds = new Set(Object.keys(await dumpKeys(client, prefix)).map((key) => key.slice(prefix.length).split(':')[0]));
        expect([...kinds].sort()).toEqual(['ledger', 'rate']);
        // PostgreSQL: the session token, the connection and the API token; no ledger entry, no counter.
        expect(await rowCounts()).toEqual({ ledger: 0, sessions: 2, apiTokens: 1, rateLimits: 0 });
      });
    });

    describe('when createLoginWithToken checks it', () => {
      const base = { resolveUser: findTestUser, hashKey: sharedHashKey };

      it('refuses a MemoryStore role beside shared ones, naming the role', async () => {
        const memory = new MemoryStore();
        try {
          const error = expectOptionsError(() => createLoginWithToken({ ...base, store: { ...composed, rateLimits: memory.rateLimits } }), {
            code: 'LWT_INVALID_OPTION',
            path: 'store.rateLimits',
            message: /store\.instanceLocal/,
          });
          expect(error.problems.map((problem) => problem.path)).toEqual(['store.rateLimits']);
          expectOptionsError(() => createLoginWithToken({ ...base, store: { ...composed, ledger: memory.ledger, sessions: memory.sessions } }), {
            code: 'LWT_INVALID_OPTION',
            path: 'store.sessions',
          });
        } finally {
          await memory.close();
        }
      });

      it('accepts it when the role is listed in instanceLocal', async () => {
        const memory = new MemoryStore();
        const login = createLoginWithToken({ ...base, store: { ...composed, rateLimits: memory.rateLimits, instanceLocal: ['rateLimits'] } });
        await login.close();
        await memory.close();
      });

      it('refuses instanceLocal naming a shared role', () => {
        expectOptionsError(() => createLoginWithToken({ ...base, store: { ...composed, instanceLocal: ['ledger'] } }), {
          code: 'LWT_INVALID_OPTION',
          path: 'store.instanceLocal',
        });
      });

      it('requires hashKey as soon as one role is shared', async () => {
        const memory = new MemoryStore();
        try {
          expectOptionsError(() => createLoginWithToken({ resolveUser: findTestUser, store: composed }), { code: 'LWT_MISSING_OPTION', path: 'hashKey' });
          const oneShared: ComposedStore = {
            ledger: memory.ledger,
            sessions: memory.sessions,
            rateLimits: memory.rateLimits,
            apiTokens: postgres.apiTokens,
            instanceLocal: ['ledger', 'sessions', 'rateLimits'],
          };
          expectOptionsError(() => createLoginWithToken({ resolveUser: findTestUser, store: oneShared }), { code: 'LWT_MISSING_OPTION', path: 'hashKey' });
          await createLoginWithToken({ resolveUser: findTestUser, store: oneShared, hashKey: sharedHashKey }).close();
          // Nothing shared, nothing required.
          await createLoginWithToken({ resolveUser: findTestUser, store: { ledger: memory.ledger, sessions: memory.sessions, rateLimits: memory.rateLimits, apiTokens: memory.apiTokens } }).close();
        } finally {
          await memory.close();
        }
      });
    });
  });
});
