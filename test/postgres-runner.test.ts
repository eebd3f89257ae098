import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLoginError } from '../src/errors/login-error.js';
import { PostgresRunner } from '../src/store/postgres/postgres-runner.js';
import { createPool, databaseUrl, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const runnerOn = (pool: pg.Pool, options: { queryTimeoutMs?: number; maxWaitingQueries?: number } = {}) =>
  new PostgresRunner(pool, { queryTimeoutMs: 1000, maxWaitingQueries: 100, ...options });

/** The server process behind the connection a query ran on: a new one means a new connection. */
const backendPid = async (runner: PostgresRunner) => (await runner.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'))[0]!.pid;

/** How a promise ended: its error, for the promises expected to reject. */
const rejection = (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error);

/** 'pending' when `promise` has not settled once every already-queued callback ran. */
const settledAtOnce = (promise: Promise<unknown>) => Promise.race([promise.then(() => 'settled', () => 'settled'), new Promise((resolve) => setImmediate(() => resolve('pending')))]);

describePostgres('PostgresRunner', () => {
  const pools: pg.Pool[] = [];
  const poolOf = (options: pg.PoolConfig = {}) => {
    const pool = createPool(options);
    pools.push(pool);
    return pool;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });

  describe('query', () => {
    it('returns the rows, with the values passed as parameters', async () => {
      const runner = runnerOn(poolOf());
      expect(await runner.query('SELECT $1::int AS n, $2::text AS s', [7, "it's"])).toEqual([{ n: 7, s: "it's" }]);
      expect(await runner.query('SELECT 1 WHERE false')).toEqual([]);
    });

    it('rejects on an SQL error and discards that connection instead of reusing it', async () => {
      const pool = poolOf({ max: 1 });
      const runner = runnerOn(pool);
      const before = await backendPid(runner);
      expect(pool.idleCount).toBe(1);
      const error = await rejection(runner.query('SELECT 1 / 0'));
      expect(error).toMatchObject({ code: '22012' });
      expect(pool.totalCount).toBe(0);
      expect(await backendPid(runner)).not.toBe(before);
    });
  });

  describe('when the pool has no free connection', () => {
    it('refuses at once with store_unavailable when no query may wait', async () => {
      const pool = poolOf({ max: 1 });
      const held = await pool.connect();
      try {
        const refused = runnerOn(pool, { maxWaitingQueries: 0 }).query('SELECT 1');
        expect(await settledAtOnce(refused)).toBe('settled');
        const error = await rejection(refused);
        expect(isLoginError(error) && error.code).toBe('store_unavailable');
        expect(pool.waitingCount).toBe(0);
      } finally {
        held.release();
      }
    });

    it('lets maxWaitingQueries wait and refuses the next one while they do', async () => {
      const pool = poolOf({ max: 1 });
      const runner = runnerOn(pool, { maxWaitingQueries: 1, queryTimeoutMs: 5000 });
      const held = await pool.connect();
      const waiting = runner.query<{ n: number }>('SELECT 1 AS n');
      expect(pool.waitingCount).toBe(1);
      const refused = runner.query('SELECT 2');
      expect(await settledAtOnce(refused)).toBe('settled');
      const error = await rejection(refused);
      expect(isLoginError(error) && error.code).toBe('store_unavailable');
      held.release();
      expect(await waiting).toEqual([{ n: 1 }]);
    });

    it('gives up waiting after queryTimeoutMs and hands the connection that comes too late back to the pool', async () => {
      const pool = poolOf({ max: 1 });
      const runner = runnerOn(pool, { queryTimeoutMs: 100 });
      const held = await pool.connect();
      const heldPid = (await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const error = await rejection(runner.query('SELECT 1'));
      expect(error).toMatchObject({ name: 'TimeoutError', message: expect.stringMatching(/connection timed out/) });
      expect(pool.waitingCount).toBe(1);
      held.release();
      await vi.waitFor(() => expect([pool.waitingCount, pool.idleCount, pool.totalCount]).toEqual([0, 1, 1]));
      // Not leaked (the only connection would stay checked out) and not discarded (it did nothing wrong).
      expect(await backendPid(runner)).toBe(heldPid);
    });

    it('runs a query that need not wait even when no query may wait', async () => {
      const pool = poolOf({ max: 2 });
      const runner = runnerOn(pool, { maxWaitingQueries: 0 });
      // Room for a new connection, then an idle one: neither is waiting.
      expect(await runner.query('SELECT 1 AS n')).toEqual([{ n: 1 }]);
      expect(pool.idleCount).toBe(1);
      expect(await runner.query('SELECT 2 AS n')).toEqual([{ n: 2 }]);
    });
  });

  describe('when PostgreSQL stops answering', () => {
    let proxy: TcpProxy;
    let pool: pg.Pool;
    beforeEach(async () => {
      const target = new URL(databaseUrl);
      proxy = await startTcpProxy(Number(target.port || 5432), target.hostname);
      const viaProxy = new URL(databaseUrl);
      viaProxy.hostname = '127.0.0.1';
      viaProxy.port = String(proxy.port);
      pool = poolOf({ connectionString: viaProxy.href, max: 1 });
    });
    afterEach(async () => {
      proxy.resume();
      await proxy.close();
    });

    it('rejects a query after about queryTimeoutMs and discards the stalled connection', async () => {
      const runner = runnerOn(pool, { queryTimeoutMs: 200 });
      const before = await backendPid(runner);
      proxy.stall();
      const started = performance.now();
      const error = await rejection(runner.query('SELECT 1'));
      expect(error).toMatchObject({ name: 'TimeoutError', message: expect.stringMatching(/query timed out/) });
      // Generous: the deadline, not the driver's or the kernel's patience.
      expect(performance.now() - started).toBeLessThan(1000);
      expect(pool.totalCount).toBe(0);
      proxy.resume();
      const after = await backendPid(runner);
      expect(after).not.toBe(before);
    });
  });

  describe('when a new connection never opens', () => {
    let silent: Server;
    const accepted = new Set<Socket>();
    beforeEach(async () => {
      // Accepts and never answers, like a server that hangs before the startup reply.
      silent = createServer((socket) => void accepted.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      for (const socket of accepted) socket.destroy();
      accepted.clear();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('counts connecting against queryTimeoutMs, and lets the late failure go unnoticed', async () => {
      const { port } = silent.address() as AddressInfo;
      const pool = poolOf({ connectionString: `postgres://postgres@127.0.0.1:${port}/test`, max: 1, connectionTimeoutMillis: 300 });
      const runner = runnerOn(pool, { queryTimeoutMs: 100 });
      const started = performance.now();
      const error = await rejection(runner.query('SELECT 1'));
      expect(error).toMatchObject({ name: 'TimeoutError', message: expect.stringMatching(/connection timed out/) });
      expect(performance.now() - started).toBeLessThan(500);
      // The driver gives up on its own later; that rejection is handled (no unhandled error) and nothing stays checked out.
      await vi.waitFor(() => expect(pool.totalCount).toBe(0), { timeout: 3000 });
    });
  });

  describe('transaction', () => {
    let pool: pg.Pool;
    let schema: string;
    beforeEach(async () => {
      pool = poolOf();
      schema = uniqueSchema();
      await pool.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".items (v int)`);
    });
    afterEach(() => dropSchema(pool, schema));
    const stored = async () => (await pool.query<{ v: number }>(`SELECT v FROM "${schema}".items ORDER BY v`)).rows.map((row) => row.v);

    it('commits what the work did and returns its result', async () => {
      const runner = runnerOn(pool);
      const result = await runner.transaction(async (client) => {
        await client.query(`INSERT INTO "${schema}".items (v) VALUES (1), (2)`);
        // Another connection does not see it before the commit.
        expect(await stored()).toEqual([]);
        return 'done';
      });
      expect(result).toBe('done');
      expect(await stored()).toEqual([1, 2]);
    });

    it('rolls back when the work throws, and rejects with its error', async () => {
      const runner = runnerOn(pool);
      const thrown = new Error('changed my mind');
      const error = await rejection(
        runner.transaction(async (client) => {
          await client.query(`INSERT INTO "${schema}".items (v) VALUES (1)`);
          throw thrown;
        }),
      );
      expect(error).toBe(thrown);
      expect(await stored()).toEqual([]);
      await runner.transaction((client) => client.query(`INSERT INTO "${schema}".items (v) VALUES (3)`));
      expect(await stored()).toEqual([3]);
    });
  });
});
