import type pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres.js';
import type { TestPortal } from './support/portal-app.js';
import { alicePassword, createSharedStorePortal, HandoffPartner } from './support/postgres-portal.js';
import { createPool, databaseUrl, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/** Deadline of each query; every outage answer must come well within `outageBoundMs`. */
const queryTimeoutMs = 300;
/** Generous for a loaded two-core machine, yet far below a hung request or pg's own timeouts. */
const outageBoundMs = 5000;

const signIn = (portal: TestPortal) => request(portal.app).post('/authentication/token').send({ username: 'alice', password: alicePassword, organisation: 'X' });
const callApi = (portal: TestPortal, token: string) => request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`);
const redeem = (portal: TestPortal, token: string) => request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json');

/** Runs `probe`, which must answer 503 `store_unavailable` within the bound. */
async function expectUnavailable(probe: () => Promise<request.Response>): Promise<void> {
  const started = performance.now();
  const res = await probe();
  expect(performance.now() - started).toBeLessThan(outageBoundMs);
  expect(res.status).toBe(503);
  // The handoff answers in its `error` envelope, the API routes in their `status` one.
  const code = res.body.error?.code ?? res.body.status?.code;
  expect(code).toBe('store_unavailable');
}

// PostgreSQL taken away mid-test: a TCP proxy in front of the real server is cut (refused) or
// stalled (connections hang), then brought back.
describePostgres('when PostgreSQL goes away', () => {
  /** Connections the pool may open; all of them are open when the proxy stalls (the stall's queries take about ten). */
  const poolSize = 24;
  const schema = uniqueSchema();
  const partner = new HandoffPartner();
  let admin: pg.Pool;
  let proxy: TcpProxy;
  let pool: pg.Pool;
  let store: PostgresStore;
  let portal: TestPortal;
  let session: string;

  beforeAll(async () => {
    admin = createPool({ max: 1 });
    const target = new URL(databaseUrl);
    proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
    const proxied = new URL(databaseUrl);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    pool = createPool({ connectionString: proxied.href, max: poolSize });
    store = new PostgresStore({ pool, schema, queryTimeoutMs });
    await store.migrate();
    // A short reservation: a reserve that a stalled connection delivers late holds its token only this long.
    portal = createSharedStorePortal(store, partner, { handoff: { reservationMs: 1000 } });
  });
  afterAll(async () => {
    await portal.login.close();
    await store.close();
    await pool.end();
    await proxy.close();
    await dropSchema(admin, schema);
    await admin.end();
  });
  beforeEach(async () => {
    session = recordSecret((await signIn(portal).expect(200)).body.data.token);
  });

  /** Waits until the portal serves `session` again (pg reconnects on its own), for at most the bound. */
  async function untilRecovered(): Promise<void> {
    const started = performance.now();
    let status = 0;
    while (status !== 200 && performance.now() - started < outageBoundMs) {
      status = (await callApi(portal, session)).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(200);
  }

  describe('when connections are refused (proxy cut)', () => {
    let cut = false;
    afterEach(async () => {
      if (cut) await proxy.restore();
      cut = false;
    });

    it('answers 503 store_unavailable on every route, spends no token, and recovers without a restart', async () => {
      const token = partner.token();
      await proxy.cut();
      cut = true;
      await expectUnavailable(() => redeem(portal, token));
      await expectUnavailable(() => callApi(portal, session));
      await expectUnavailable(() => signIn(portal));

      await proxy.restore();
      cut = false;
      await untilRecovered();
      expect((await signIn(portal)).status).toBe(200);
      // The token that met the outage was never spent: it redeems once, and only once.
      expect((await redeem(portal, token)).status).toBe(303);
      const again = await redeem(portal, token);
      expect(again.status).toBe(401);
      expect(again.body.error.code).toBe('token_invalid');
    });
  });

  describe('when connections hang (proxy stalled)', () => {
    let stalled = false;
    afterEach(() => {
      if (stalled) proxy.resume();
      stalled = false;
    });

    /**
     * Opens every connection the pool may hold: the proxy holds the connections it carries when it
     * stalls, so each query during the stall meets a hanging one.
     */
    async function openEveryConnection(): Promise<void> {
      const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
      for (const client of clients) client.release();
      expect(pool.idleCount).toBe(poolSize);
    }

    it('answers 503 store_unavailable within the deadline on every route, and recovers without a restart', async () => {
      const token = partner.token();
      await openEveryConnection();
      proxy.stall();
      stalled = true;
      await expectUnavailable(() => redeem(portal, token));
      await expectUnavailable(() => callApi(portal, session));
      await expectUnavailable(() => signIn(portal));
      // Concurrent requests are not queued behind each other either.
      const started = performance.now();
      const answers = await Promise.all([callApi(portal, session), signIn(portal), redeem(portal, token)]);
      expect(performance.now() - started).toBeLessThan(outageBoundMs);
      expect(answers.map((res) => res.status)).toEqual([503, 503, 503]);

      proxy.resume();
      stalled = false;
      await untilRecovered();
      expect((await signIn(portal)).status).toBe(200);
      // The token was not spent; a reserve the stalled connection delivered late holds it for reservationMs at most.
      let redeemed = 0;
      for (const until = performance.now() + outageBoundMs; redeemed !== 303 && performance.now() < until; ) {
        redeemed = (await redeem(portal, token)).status;
        if (redeemed !== 303) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(redeemed).toBe(303);
      expect((await redeem(portal, token)).status).toBe(401);
    });
  });
});

describePostgres('when the pool has no connection to give', () => {
  /** Far above what a refusal takes: a refusal in less than half of it joined no queue. */
  const deadlineMs = 3000;
  const schema = uniqueSchema();
  const partner = new HandoffPartner();
  let setupPool: pg.Pool;
  let pool: pg.Pool;
  let session: string;

  beforeAll(async () => {
    setupPool = createPool();
    pool = createPool({ max: 1 });
    const store = new PostgresStore({ pool: setupPool, schema });
    await store.migrate();
    // Issued on a roomy pool: signing in runs several queries at once, which one connection cannot serve without a queue.
    const setup = createSharedStorePortal(store, partner);
    session = recordSecret((await signIn(setup).expect(200)).body.data.token);
    await setup.login.close();
    await store.close();
  });
  afterAll(async () => {
    await dropSchema(setupPool, schema);
    await Promise.all([setupPool.end(), pool.end()]);
  });

  /** Runs `work` on a portal whose store may queue `maxWaitingQueries` on `on` (the one-connection pool unless given). */
  async function withPortal(maxWaitingQueries: number, work: (portal: TestPortal) => Promise<void>, on: pg.Pool = pool): Promise<void> {
    const store = new PostgresStore({ pool: on, schema, maxWaitingQueries, queryTimeoutMs: deadlineMs });
    const portal = createSharedStorePortal(store, partner);
    try {
      await work(portal);
    } finally {
      await portal.login.close();
      await store.close();
    }
  }

  /** Holds the pool's one connection while `work` runs. */
  async function holdingTheConnection(work: () => Promise<void>): Promise<void> {
    const held = await pool.connect();
    try {
      await work();
    } finally {
      held.release();
    }
  }

  it('refuses at once with 503 store_unavailable while the one connection is held (maxWaitingQueries: 0)', async () => {
    await withPortal(0, (portal) =>
      holdingTheConnection(async () => {
        const started = performance.now();
        await expectUnavailable(() => callApi(portal, session));
        await expectUnavailable(() => signIn(portal));
        await expectUnavailable(() => redeem(portal, partner.token()));
        expect(performance.now() - started).toBeLessThan(deadlineMs / 2);
        expect(pool.waitingCount).toBe(0);
      }),
    );
  });

  it('lets maxWaitingQueries wait for the connection and refuses the next at once (maxWaitingQueries: 1)', async () => {
    await withPortal(1, async (portal) => {
      let waiting: Promise<request.Response> | undefined;
      await holdingTheConnection(async () => {
        waiting = callApi(portal, session).then((res) => res);
        for (let i = 0; i < 100 && pool.waitingCount === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        expect(pool.waitingCount).toBe(1);
        const started = performance.now();
        await expectUnavailable(() => callApi(portal, session));
        expect(performance.now() - started).toBeLessThan(deadlineMs / 2);
        expect(pool.waitingCount).toBe(1);
      });
      // The one that waited gets the connection once it is free.
      expect((await waiting!).status).toBe(200);
    });
  });

  // maxWaitingQueries bounds the queries that wait for a connection; one that finds a free
  // connection waits for nothing and must not be refused.
  describe('when connections are free', () => {
    it('serves a request on the free connection (maxWaitingQueries: 0)', async () => {
      await withPortal(0, async (portal) => {
        expect(pool.waitingCount).toBe(0);
        expect(pool.totalCount - pool.idleCount).toBe(0);
        // A bearer call with a session token is one query: with the connection free, nothing waits.
        expect((await callApi(portal, session)).status).toBe(200);
      });
    });

    it('serves concurrent queries that idle connections can take (maxWaitingQueries: 1)', async () => {
      const roomy = setupPool.options.max;
      const clients = await Promise.all(Array.from({ length: roomy }, () => setupPool.connect()));
      for (const client of clients) client.release();
      expect(setupPool.idleCount).toBe(roomy);
      // Signing in counts its attempt on three counters at once: fewer queries than idle connections.
      await withPortal(1, async (portal) => expect((await signIn(portal)).status).toBe(200), setupPool);
    });
  });
});
