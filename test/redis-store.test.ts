import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisStore } from '../src/redis.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
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
  });
});
