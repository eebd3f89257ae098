import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { PostgresStore } from '../src/postgres.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { describeStoreContract } from './support/store-contract.js';

describePostgres('PostgresStore', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    pool = createPool();
  });
  afterAll(() => pool.end());

  describeStoreContract('PostgresStore', async (now) => {
    const schema = uniqueSchema();
    const store = new PostgresStore({ pool, schema, now });
    await store.migrate();
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(pool, schema);
      },
    };
  });
});
