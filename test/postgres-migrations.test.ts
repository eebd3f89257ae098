import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres.js';
import { renderMigration, shippedMigrations } from '../src/store/postgres/postgres-migrations.js';
import { postgresTables } from '../src/store/postgres/postgres-tables.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';

describe('shippedMigrations', () => {
  it('lists the package’s migrations in version order, 0001 first', () => {
    const migrations = shippedMigrations();
    expect(migrations[0]).toMatchObject({ version: 1, name: 'store_roles' });
    expect(migrations.map((migration) => migration.version)).toEqual([...migrations.keys()].map((index) => index + 1));
    for (const migration of migrations) expect(migration.template).toMatch(/CREATE TABLE/);
  });
});

describe('renderMigration', () => {
  it('replaces every placeholder with the table names and the prefix', () => {
    const tables = postgresTables('s', 'p_');
    for (const { template } of shippedMigrations()) {
      expect(template).toMatch(/\{\{\w+\}\}/);
      const sql = renderMigration(template, tables, 'p_');
      expect(sql).not.toMatch(/\{\{|\}\}/);
      expect(sql).toContain('CREATE TABLE IF NOT EXISTS "s"."p_ledger" (');
      expect(sql).toContain('CREATE INDEX IF NOT EXISTS p_ledger_until ON "s"."p_ledger"');
    }
  });
});

describePostgres('migrate', () => {
  let pools: pg.Pool[];
  let schema: string;
  beforeAll(() => {
    pools = [createPool(), createPool()];
  });
  afterAll(() => Promise.all(pools.map((pool) => pool.end())));
  afterEach(() => dropSchema(pools[0]!, schema));

  const storeOn = (pool: pg.Pool, tablePrefix?: string) => new PostgresStore({ pool, schema, queryTimeoutMs: 5000, ...(tablePrefix === undefined ? {} : { tablePrefix }) });

  /** What the migration made in the schema: tables, indexes (with their definitions) and the migration log. */
  async function inventory(migrations = 'lwt_migrations') {
    const pool = pools[0]!;
    const tables = await pool.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name', [schema]);
    const indexes = await pool.query<{ indexname: string; indexdef: string }>('SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 ORDER BY indexname', [schema]);
    const log = await pool.query(`SELECT version, name, applied_at FROM "${schema}"."${migrations}" ORDER BY version`);
    return { tables: tables.rows.map((row) => row.table_name), indexes: indexes.rows, log: log.rows };
  }

  it('creates the schema, the four tables and their indexes from nothing, and returns [1]', async () => {
    schema = uniqueSchema();
    const store = storeOn(pools[0]!);
    try {
      expect(await store.migrate()).toEqual([1]);
    } finally {
      await store.close();
    }
    const { tables, indexes, log } = await inventory();
    expect(tables).toEqual(['lwt_api_tokens', 'lwt_ledger', 'lwt_migrations', 'lwt_rate_limits', 'lwt_sessions']);
    expect(indexes.map((index) => index.indexname)).toEqual(
      expect.arrayContaining([
        'lwt_ledger_until',
        'lwt_sessions_user',
        'lwt_sessions_idle_until',
        'lwt_api_tokens_user',
        'lwt_api_tokens_expires_at',
        'lwt_rate_limits_reset_at',
        'lwt_ledger_pkey',
        'lwt_sessions_pkey',
        'lwt_api_tokens_pkey',
        'lwt_rate_limits_pkey',
      ]),
    );
    expect(indexes.find((index) => index.indexname === 'lwt_sessions_user')?.indexdef).toMatch(/\(tenant, user_id, seq\)/);
    expect(log).toEqual([expect.objectContaining({ version: 1, name: 'store_roles' })]);
  });

  it('applies nothing and changes nothing when run again', async () => {
    schema = uniqueSchema();
    const store = storeOn(pools[0]!);
    try {
      await store.migrate();
      const before = await inventory();
      expect(await store.migrate()).toEqual([]);
      expect(await inventory()).toEqual(before);
    } finally {
      await store.close();
    }
  });

  it('migrates once when two instances start together on the same fresh schema', async () => {
    schema = uniqueSchema();
    const stores = pools.map((pool) => storeOn(pool));
    try {
      const applied = await Promise.all(stores.map((store) => store.migrate()));
      expect(applied.map((versions) => versions.join()).sort()).toEqual(['', '1']);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
    expect((await inventory()).log).toHaveLength(1);
  });

  it('lets stores with different prefixes create the same new schema at once', async () => {
    schema = uniqueSchema();
    const stores = [storeOn(pools[0]!, 'one_'), storeOn(pools[1]!, 'two_')];
    try {
      expect(await Promise.all(stores.map((store) => store.migrate()))).toEqual([[1], [1]]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
    }
  });

  it('names tables and indexes after the schema and tablePrefix', async () => {
    schema = uniqueSchema();
    const store = storeOn(pools[0]!, 'auth_');
    try {
      expect(await store.migrate()).toEqual([1]);
    } finally {
      await store.close();
    }
    const { tables, indexes } = await inventory('auth_migrations');
    expect(tables).toEqual(['auth_api_tokens', 'auth_ledger', 'auth_migrations', 'auth_rate_limits', 'auth_sessions']);
    expect(indexes.length).toBeGreaterThanOrEqual(10);
    for (const index of indexes) {
      expect(index.indexname).toMatch(/^auth_/);
      expect(index.indexdef).toContain(`ON ${schema}.auth_`);
      expect(index.indexdef).not.toMatch(/\{|\}/);
    }
  });
});
