import { Cluster, Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { redisStoreOptionsSchema } from '../src/store/redis/redis-store-options.js';
import { systemClock } from '../src/time/clock.js';
import { expectOptionsError } from './support/options-error.js';

const validate = (input: unknown) => validateOptions(redisStoreOptionsSchema, input, 'RedisStore');

// Never connected: the schema only looks at the client.
const client = new Redis({ lazyConnect: true });

describe('redisStoreOptionsSchema', () => {
  it('fills every default but the client', () => {
    expect(validate({ client })).toEqual({ client, prefix: 'lwt:', commandTimeoutMs: 1000, now: systemClock });
  });

  describe('client', () => {
    it('accepts an ioredis Redis or Cluster instance, kept as given', () => {
      const cluster = new Cluster([{ host: '127.0.0.1', port: 6379 }], { lazyConnect: true });
      try {
        expect(validate({ client }).client).toBe(client);
        expect(validate({ client: cluster }).client).toBe(cluster);
      } finally {
        cluster.disconnect();
      }
    });

    it('is required', () => {
      expectOptionsError(() => validate({ prefix: 'x:' }), { code: 'LWT_MISSING_OPTION', path: 'client' });
    });

    it('refuses what cannot run a script', () => {
      for (const bad of [null, 'redis://127.0.0.1:6379', { get: () => undefined }, { evalsha: 'EVALSHA' }]) {
        expectOptionsError(() => validate({ client: bad }), { code: 'LWT_INVALID_OPTION', path: 'client' });
      }
    });
  });

  it('takes a prefix of up to 256 characters, a hash tag or none', () => {
    expect(validate({ client, prefix: '{lwt}:' }).prefix).toBe('{lwt}:');
    expect(validate({ client, prefix: '' }).prefix).toBe('');
    expect(validate({ client, prefix: 'p'.repeat(256) }).prefix).toHaveLength(256);
    expectOptionsError(() => validate({ client, prefix: 'p'.repeat(257) }), { code: 'LWT_INVALID_OPTION', path: 'prefix' });
    expectOptionsError(() => validate({ client, prefix: 7 }), { code: 'LWT_INVALID_OPTION', path: 'prefix' });
  });

  it('takes commandTimeoutMs as whole milliseconds from 1 to 60000', () => {
    expect(validate({ client, commandTimeoutMs: 60_000 }).commandTimeoutMs).toBe(60_000);
    for (const bad of [0, -5, 2.5, 60_001, '1000']) {
      expectOptionsError(() => validate({ client, commandTimeoutMs: bad }), { code: 'LWT_INVALID_OPTION', path: 'commandTimeoutMs' });
    }
  });

  it('takes now only as a function', () => {
    const now = () => 42;
    expect(validate({ client, now }).now).toBe(now);
    expectOptionsError(() => validate({ client, now: 42 }), { code: 'LWT_INVALID_OPTION', path: 'now' });
  });

  it('refuses an unknown option by name', () => {
    expectOptionsError(() => validate({ client, timeoutMs: 500 }), { code: 'LWT_UNKNOWN_OPTION', path: 'timeoutMs' });
  });
});
