import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../../src/postgres.js';

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

/** Options of the stores the helpers below make: any but the pool and the schema. */
type TestStoreOptions = Omit<PostgresStoreOptions, 'pool' | 'schema'>;

/** A {@link PostgresStore} in a schema of its own, migrated, and how to remove both. */
export interface MigratedStore {
  readonly store: PostgresStore;
  readonly schema: string;
  /** Another instance of the portal on the same schema, through its own pool; the caller closes it. */
  instanceOn(pool: pg.Pool, options?: TestStoreOptions): PostgresStore;
  /** Closes the store and drops its schema. */
  drop(): Promise<void>;
}

/**
 * A migrated store on `pool` in a fresh schema; `drop()` after the test. Its stores have
 * `queryTimeoutMs` 5000 unless given: a busy test machine must not turn a slow query into a failure.
 */
export async function migratedStore(pool: pg.Pool, options: TestStoreOptions = {}): Promise<MigratedStore> {
  const schema = uniqueSchema();
  const storeOn = (on: pg.Pool, given: TestStoreOptions) => new PostgresStore({ queryTimeoutMs: 5000, ...given, pool: on, schema });
  const store = storeOn(pool, options);
  await store.migrate();
  return {
    store,
    schema,
    instanceOn: (on, given = {}) => storeOn(on, given),
    drop: async () => {
      await store.close();
      await dropSchema(pool, schema);
    },
  };
}

/** Two instances of the portal on one fresh schema, a pool each (the first also serves the test's own queries). */
export interface TwoInstances {
  readonly pools: readonly pg.Pool[];
  readonly schema: string;
  readonly a: PostgresStore;
  readonly b: PostgresStore;
}

/** Registers the hooks that give each test of the suite {@link TwoInstances} on `clock`, closed and dropped after it. */
export function twoInstancesEachTest(clock: () => number): TwoInstances {
  let pools: pg.Pool[] = [];
  let migrated: MigratedStore | undefined;
  let other: PostgresStore | undefined;
  beforeAll(() => {
    pools = [createPool(), createPool()];
  });
  afterAll(() => Promise.all(pools.map((pool) => pool.end())));
  beforeEach(async () => {
    migrated = await migratedStore(pools[0]!, { now: clock });
    other = migrated.instanceOn(pools[1]!, { now: clock });
  });
  afterEach(async () => {
    await other?.close();
    await migrated?.drop();
  });
  return {
    get pools() {
      return pools;
    },
    get schema() {
      return migrated!.schema;
    },
    get a() {
      return migrated!.store;
    },
    get b() {
      return other!;
    },
  };
}
