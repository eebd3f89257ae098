import type pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore, type PostgresClient, type PostgresPool } from '../src/postgres.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';

/** A pool that remembers every statement the store sends, with the values of its last use. */
function recordingPool(pool: pg.Pool, seen: Map<string, unknown[]>): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresClient>();
  const wrap = (client: pg.PoolClient): PostgresClient => ({
    query: <Row>(text: string, values: unknown[] = []) => {
      seen.set(text, values);
      return client.query(text, values) as unknown as Promise<{ rows: Row[] }>;
    },
    release: (error) => client.release(error),
    on: (event, listener) => client.on(event, listener),
  });
  return {
    get waitingCount() {
      return pool.waitingCount;
    },
    get idleCount() {
      return pool.idleCount;
    },
    get totalCount() {
      return pool.totalCount;
    },
    options: pool.options,
    on: (event, listener) => pool.on(event, listener),
    off: (event, listener) => pool.off(event, listener),
    async connect(): Promise<PostgresClient> {
      const client = await pool.connect();
      if (!wrappers.has(client)) wrappers.set(client, wrap(client));
      return wrappers.get(client)!;
    },
  };
}

/** A statement of a store role or the sweep, not of the migration. */
function isRoleStatement(text: string): boolean {
  return !/^(BEGIN|COMMIT|ROLLBACK)$|^SELECT pg_advisory|pg_namespace|migrations|CREATE /.test(text);
}

/** Every node type of a JSON plan. */
function nodeTypes(plan: { 'Node Type': string; Plans?: unknown[] }): string[] {
  return [plan['Node Type'], ...(plan.Plans ?? []).flatMap((child) => nodeTypes(child as typeof plan))];
}

// Every statement the flows and the sweep send follows an index: none reads a whole table, at any
// size. The tables are filled like a busy portal's (many tenants, users and expiry times), so the
// planner picks what it would pick in production.
describePostgres('PostgresStore query plans', () => {
  const schema = uniqueSchema();
  const seen = new Map<string, unknown[]>();
  let pool: pg.Pool;
  let store: PostgresStore;

  beforeAll(async () => {
    pool = createPool();
    store = new PostgresStore({ pool: recordingPool(pool, seen), schema });
    await store.migrate();
    const { ledger, sessions, apiTokens, rateLimits } = store.tables;
    const now = Date.now();
    await pool.query(`INSERT INTO ${ledger} SELECT 'l' || i, CASE WHEN i % 10 = 0 THEN 'r' END, $1::bigint + i FROM generate_series(1, 20000) i`, [now - 10_000]);
    await pool.query(
      `INSERT INTO ${sessions} (key, tenant, user_id, kind, created_at, idle_until, expires_at, idle_ms, pending, session)
       SELECT 's' || i, 't' || (i % 50), 'u' || (i % 5000), 'session-token', $1::bigint, $1::bigint + i, $1::bigint + 3600000, 0, false, '{}'
       FROM generate_series(1, 20000) i`,
      [now - 10_000],
    );
    await pool.query(
      `INSERT INTO ${apiTokens} SELECT 'a' || i, 'at_' || i, 't' || (i % 50), 'u' || (i % 5000), $1::bigint, CASE WHEN i % 2 = 0 THEN $1::bigint + i END, '{}'
       FROM generate_series(1, 20000) i`,
      [now - 10_000],
    );
    await pool.query(`INSERT INTO ${rateLimits} SELECT 'r' || i, 1, $1::bigint + i FROM generate_series(1, 20000) i`, [now - 10_000]);
    for (const table of [ledger, sessions, apiTokens, rateLimits]) await pool.query(`ANALYZE ${table}`);

    const reserved = await store.ledger.reserve('fresh', 5000);
    if (reserved.status === 'reserved') {
      await store.ledger.consume('fresh', reserved.id, 60_000);
      await store.ledger.release('fresh', reserved.id);
    }
    const session = { kind: 'connection', tenant: 't1', userId: 'u1', identity: { contactId: '1', tokenType: 'credentials' }, createdAt: now, expiresAt: now + 60_000 } as const;
    // An idle timeout of 100 ms slides on a use 2 ms later (1 % of it).
    await store.sessions.create('new', { ...session, idleTimeoutMs: 100 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.sessions.use('new', 't1');
    await store.sessions.confirm('new');
    await store.sessions.exists('new');
    await store.sessions.listForUser('t1', 'u1');
    await store.sessions.revoke('new');
    await store.apiTokens.create('k', { id: 'at_new', tenant: 't1', userId: 'u1', identity: { contactId: '1', tokenType: 'apitoken' }, createdAt: now });
    await store.apiTokens.find('k');
    await store.apiTokens.list('t1', 'u1');
    await store.apiTokens.list('t1');
    await store.apiTokens.revoke('t1', 'at_new');
    await store.rateLimits.add('r1', 1, 60_000);
    await store.rateLimits.add('r1', -1, 60_000);
    await store.rateLimits.reset('r1');
    await store.sweep();
  });

  afterAll(async () => {
    await store.close();
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('saw every kind of statement the store sends', () => {
    const statements = [...seen.keys()].filter(isRoleStatement);
    // ledger 3, sessions 7 (a use reads, and slides when it must), API tokens 4, counters 3, sweep 4 (one per table)
    expect(statements).toHaveLength(21);
  });

  it('reads no whole table for any of them', async () => {
    const client = await pool.connect();
    try {
      await client.query(`SET search_path TO "${schema}"`);
      for (const [text, values] of seen) {
        if (!isRoleStatement(text)) continue;
        const [{ 'QUERY PLAN': [plan] }] = (await client.query(`EXPLAIN (FORMAT JSON) ${text}`, values)).rows as [{ 'QUERY PLAN': [{ Plan: never }] }];
        expect(nodeTypes(plan.Plan), text).not.toContain('Seq Scan');
      }
    } finally {
      client.release();
    }
  });
});
