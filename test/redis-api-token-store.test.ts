import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredApiToken } from '../src/store/api-token-store.js';
import { RedisApiTokenStore } from '../src/store/redis/redis-api-token-store.js';
import { RedisRunner } from '../src/store/redis/redis-runner.js';
import { redisKeys, storeKeys } from '../src/store/store-keys.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

// What every API token store does is in the store contract (test/support/store-contract.ts);
// here what is particular to Redis: the three keys per token, their expiry and the pruned id set.
describeRedis('RedisApiTokenStore', () => {
  let client: Redis;
  let prefix: string;
  let start: number;
  let now: number;
  let store: RedisApiTokenStore;

  beforeAll(async () => {
    client = await connectRedis();
  });
  afterAll(() => client.quit());
  beforeEach(() => {
    prefix = uniquePrefix();
    start = now = Date.parse('2026-11-28T12:00:00Z');
    store = new RedisApiTokenStore(new RedisRunner(client, { commandTimeoutMs: 1000 }), redisKeys(prefix), () => now);
  });
  afterEach(() => deleteKeys(client, prefix));

  const token = (overrides: Partial<StoredApiToken> = {}): StoredApiToken => ({
    id: 'at_1',
    tenant: 'acme',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'apitoken' },
    name: 'CI',
    createdAt: start,
    ...overrides,
  });
  const keyOf = (secret: string) => storeKeys.apiToken(recordSecret(secret));

  describe('create', () => {
    it('writes the record under the hash, an id → hash pointer and the tenant’s id set, never the secret', async () => {
      const secret = 'lwta_api-token-secret-layout';
      const key = keyOf(secret);
      await store.create(key, token());
      const dump = await dumpKeys(client, prefix);
      expect(dump).toEqual({
        [`${prefix}api-token:${key}`]: JSON.stringify(token()),
        [`${prefix}api-token-id:acme:at_1`]: key,
        [`${prefix}api-tokens:acme`]: ['at_1'],
      });
      expect(JSON.stringify(dump)).not.toContain(secret);
      expect(await client.pttl(`${prefix}api-token:${key}`)).toBe(-1);
    });

    it('gives record and pointer of an expiring token a matching PX', async () => {
      const key = keyOf('lwta_api-token-secret-expiring');
      await store.create(key, token({ expiresAt: start + 3_600_000 }));
      for (const redisKey of [`${prefix}api-token:${key}`, `${prefix}api-token-id:acme:at_1`]) {
        const ttl = await client.pttl(redisKey);
        expect(ttl).toBeGreaterThan(3_590_000);
        expect(ttl).toBeLessThanOrEqual(3_600_000);
      }
    });
  });

  describe('find', () => {
    it('ignores a record past expiresAt by the app’s clock while Redis still holds it', async () => {
      const key = keyOf('lwta_api-token-secret-clock');
      await store.create(key, token({ expiresAt: start + 1000 }));
      now += 1000;
      expect(await store.find(key)).toBeUndefined();
      expect(await client.exists(`${prefix}api-token:${key}`)).toBe(1);
    });
  });

  describe('list', () => {
    it('lists oldest first, whatever order the set gives', async () => {
      for (const [n, createdAt] of [[3, start + 30], [1, start + 10], [4, start + 40], [2, start + 20]] as const) {
        await store.create(keyOf(`lwta_api-token-secret-order-${n}`), token({ id: `at_${n}`, createdAt }));
      }
      expect((await store.list('acme')).map((entry) => entry.id)).toEqual(['at_1', 'at_2', 'at_3', 'at_4']);
    });

    it('drops the ids of expired or vanished tokens from the tenant’s set', async () => {
      const [live, expiring, vanished] = ['live', 'expiring', 'vanished'].map((name) => keyOf(`lwta_api-token-secret-${name}`)) as [string, string, string];
      await store.create(live, token({ id: 'at_live' }));
      await store.create(expiring, token({ id: 'at_expiring', expiresAt: start + 1000 }));
      await store.create(vanished, token({ id: 'at_vanished' }));
      await client.del(`${prefix}api-token:${vanished}`);
      now += 1000;
      expect((await store.list('acme')).map((entry) => entry.id)).toEqual(['at_live']);
      expect(await client.smembers(`${prefix}api-tokens:acme`)).toEqual(['at_live']);
    });
  });

  describe('revoke', () => {
    it('refuses another tenant’s token and leaves all its keys', async () => {
      const key = keyOf('lwta_api-token-secret-victim');
      await store.create(key, token());
      const before = await dumpKeys(client, prefix);
      expect(await store.revoke('other', 'at_1')).toBe(false);
      expect(await dumpKeys(client, prefix)).toEqual(before);
      expect((await store.find(key))?.id).toBe('at_1');
    });

    it('removes the record, the pointer and the id', async () => {
      const kept = keyOf('lwta_api-token-secret-kept');
      await store.create(keyOf('lwta_api-token-secret-revoked'), token());
      await store.create(kept, token({ id: 'at_2' }));
      expect(await store.revoke('acme', 'at_1')).toBe(true);
      expect(Object.keys(await dumpKeys(client, prefix)).sort()).toEqual([`${prefix}api-token-id:acme:at_2`, `${prefix}api-token:${kept}`, `${prefix}api-tokens:acme`]);
      expect(await client.smembers(`${prefix}api-tokens:acme`)).toEqual(['at_2']);
    });
  });
});
