import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe } from 'vitest';

/** Where the suite's PostgreSQL is (database `test`, trust auth). */
export const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function probe(): Promise<boolean> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const available = await probe();
if (!available && !process.env['CI']) {
  console.warn(`\n!!! PostgreSQL is not reachable at ${databaseUrl}: the PostgreSQL suites are SKIPPED (in CI they run and fail).\n`);
}

/** `describe` for suites that need PostgreSQL: skipped only outside CI when it is absent. */
export const describePostgres = available || process.env['CI'] ? describe : describe.skip;

/** A pool on the suite's database (the app's side: the store never ends it). */
export function createPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 2000, ...options });
  pool.on('error', () => undefined);
  return pool;
}

/** A schema name no other test (or run) uses. */
export function uniqueSchema(): string {
  return `lwt_test_${randomUUID().replaceAll('-', '')}`;
}

/** Drops `schema` and everything in it. */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
