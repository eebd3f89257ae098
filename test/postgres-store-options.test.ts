import type pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgresStore, type PostgresStoreOptions } from '../src/postgres.js';
import { postgresStoreOptionsSchema } from '../src/store/postgres/postgres-store-options.js';
import { systemClock } from '../src/time/clock.js';
import { expectOptionsError } from './support/options-error.js';
import { createPool } from './support/postgres.js';

// Never connected: the checks only look at the pool.
const pool: pg.Pool = createPool();
afterAll(() => pool.end());

/** A store from these options (closed again at once), or the OptionsError they give. */
const construct = (options: unknown) => () => void new PostgresStore(options as PostgresStoreOptions).close();

describe('PostgresStore options', () => {
  it('fills every default but the pool', () => {
    expect(postgresStoreOptionsSchema.parse({ pool })).toEqual({
      pool,
      schema: 'public',
      tablePrefix: 'lwt_',
      queryTimeoutMs: 1000,
      maxWaitingQueries: 100,
      sweepIntervalMs: 60_000,
      sweepBatchSize: 1000,
      now: systemClock,
    });
  });

  it('builds its table names from schema and tablePrefix', async () => {
    const store = new PostgresStore({ pool, schema: 'portal', tablePrefix: 'auth_' });
    await store.close();
    expect(store.tables.ledger).toBe('"portal"."auth_ledger"');
  });

  describe('pool', () => {
    it('is required', () => {
      expectOptionsError(construct({ schema: 'portal' }), { code: 'LWT_MISSING_OPTION', path: 'pool' });
    });

    it('must give up on a connection attempt: a pool without connectionTimeoutMillis never recovers from an unreachable database', async () => {
      const { default: pg } = await import('pg');
      const endless = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:5432/test' });
      try {
        expectOptionsError(construct({ pool: endless }), { code: 'LWT_INVALID_OPTION', path: 'pool', message: /connectionTimeoutMillis/ });
      } finally {
        await endless.end();
      }
    });

    it('refuses what is not a pg pool', () => {
      for (const bad of [null, 'postgres://postgres@127.0.0.1/test', { query: () => undefined }, { connect: () => undefined }, { connect: 'connect', waitingCount: 0 }]) {
        expectOptionsError(construct({ pool: bad }), { code: 'LWT_INVALID_OPTION', path: 'pool' });
      }
    });
  });

  describe('schema and tablePrefix', () => {
    // They are written into SQL as quoted identifiers: only names that need no escaping get there.
    it('refuse anything but lower-case letters, digits and _', () => {
      for (const bad of ['Bad-Name', 'a"b', 'x"; DROP TABLE users; --', 'Portal', '1st', '', 'p'.repeat(64), 7]) {
        expectOptionsError(construct({ pool, schema: bad }), { code: 'LWT_INVALID_OPTION', path: 'schema' });
      }
      for (const bad of ['', 'a"', 'auth-', 'Auth_', '"', 'p'.repeat(33)]) {
        expectOptionsError(construct({ pool, tablePrefix: bad }), { code: 'LWT_INVALID_OPTION', path: 'tablePrefix' });
      }
    });

    it('take names of up to 63 and 32 characters', () => {
      const valid = postgresStoreOptionsSchema.parse({ pool, schema: `_${'s'.repeat(62)}`, tablePrefix: 'p'.repeat(32) });
      expect([valid.schema.length, valid.tablePrefix.length]).toEqual([63, 32]);
    });
  });

  it('takes queryTimeoutMs as whole milliseconds from 1 to 60000', () => {
    expect(postgresStoreOptionsSchema.parse({ pool, queryTimeoutMs: 60_000 }).queryTimeoutMs).toBe(60_000);
    for (const bad of [0, -1, 2.5, 60_001, '1000']) {
      expectOptionsError(construct({ pool, queryTimeoutMs: bad }), { code: 'LWT_INVALID_OPTION', path: 'queryTimeoutMs' });
    }
  });

  it('takes the sizes as whole numbers in range', () => {
    for (const [option, bad] of [
      ['maxWaitingQueries', -1],
      ['maxWaitingQueries', 1.5],
      ['sweepBatchSize', 0],
      ['sweepBatchSize', 100_001],
      ['sweepIntervalMs', 0],
      ['sweepIntervalMs', 24 * 3600_000 + 1],
    ] as const) {
      expectOptionsError(construct({ pool, [option]: bad }), { code: 'LWT_INVALID_OPTION', path: option });
    }
  });

  it('takes now only as a function', () => {
    expectOptionsError(construct({ pool, now: 42 }), { code: 'LWT_INVALID_OPTION', path: 'now' });
  });

  it('refuses an unknown option by name', () => {
    expectOptionsError(construct({ pool, timeoutMs: 500 }), { code: 'LWT_UNKNOWN_OPTION', path: 'timeoutMs', message: /^PostgresStore: / });
  });
});
