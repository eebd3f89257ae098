import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisStore } from '../src/redis.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
import { expectOptionsError } from './support/options-error.js';
import { describeStoreContract } from './support/store-contract.js';

describeRedis('RedisStore', () => {
  let client: Redis;
  beforeAll(async () => {
    client = await connectRedis();
  });
  afterAll(() => client.quit());

  describeStoreContract('RedisStore', async (now) => {
    const prefix = uniquePrefix();
    return { store: new RedisStore({ client, prefix, now }), cleanup: () => deleteKeys(client, prefix) };
  });

  it('keeps every key under its prefix', async () => {
    const prefix = uniquePrefix();
    const store = new RedisStore({ client, prefix });
    await store.ledger.reserve('k', 1000);
    await store.rateLimits.add('r', 1, 1000);
    const all = await client.keys(`${prefix}*`);
    expect(all.sort()).toEqual([`${prefix}ledger:k`, `${prefix}rate:r`]);
    expect(Object.keys(await dumpKeys(client, prefix))).toHaveLength(2);
    await deleteKeys(client, prefix);
  });

  it('refuses something that is not an ioredis client', () => {
    expect(() => new RedisStore({ client: {} as never })).toThrow(TypeError);
    expectOptionsError(() => new RedisStore({ client: {} as never }), { code: 'LWT_INVALID_OPTION', path: 'client', message: /^RedisStore: invalid options: client: / });
  });

  it('checks its other options like the factory does', () => {
    const client = { evalsha: () => undefined } as never;
    expectOptionsError(() => new RedisStore({ client, commandTimeoutMs: -1 }), { code: 'LWT_INVALID_OPTION', path: 'commandTimeoutMs' });
    expectOptionsError(() => new RedisStore({ client, prefx: 'x:' } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'prefx' });
    expectOptionsError(() => new RedisStore({} as never), { code: 'LWT_MISSING_OPTION', path: 'client' });
  });
});
