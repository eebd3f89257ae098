import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { RateLimitStore } from '../src/store/rate-limit-store.js';
import { RedisRateLimitStore } from '../src/store/redis/redis-rate-limit-store.js';
import { RedisRunner } from '../src/store/redis/redis-runner.js';
import { rateLimitKeys, redisKeys } from '../src/store/store-keys.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';

// What every rate-limit store does is in the store contract (test/support/store-contract.ts);
// here what is particular to Redis: the stored hash, its expiry, and a key that holds something else.
describeRedis('RedisRateLimitStore', () => {
  let client: Redis;
  let prefix: string;
  let now: number;
  // As its callers see it: through the interface, which passes a limit.
  let store: RateLimitStore;
  const counter = rateLimitKeys.tokenIp('203.0.113.7');
  const redisKey = () => `${prefix}rate:${counter}`;

  beforeAll(async () => {
    client = await connectRedis();
  });
  afterAll(() => client.quit());
  beforeEach(() => {
    prefix = uniquePrefix();
    now = Date.parse('2026-11-28T12:00:00Z');
    store = new RedisRateLimitStore(new RedisRunner(client, { commandTimeoutMs: 1000 }), redisKeys(prefix), () => now);
  });
  afterEach(() => deleteKeys(client, prefix));

  it('keeps a counter as a hash { c, r } that Redis drops with its window', async () => {
    await store.add(counter, 2, 60_000, 10);
    expect(await client.hgetall(redisKey())).toEqual({ c: '2', r: String(now + 60_000) });
    const ttl = await client.pttl(redisKey());
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('keeps the window fixed: later hits move neither its end nor its expiry', async () => {
    const first = await store.add(counter, 1, 60_000, 10);
    const ttl = await client.pttl(redisKey());
    now += 30_000;
    const second = await store.add(counter, 1, 60_000, 10);
    expect(second).toEqual({ count: 2, resetAt: first.resetAt });
    expect(await client.pttl(redisKey())).toBeLessThanOrEqual(ttl);
  });

  it('writes nothing for a refund when no window is open', async () => {
    expect(await store.add(counter, -1, 60_000, 10)).toEqual({ count: 0, resetAt: now });
    expect(await client.exists(redisKey())).toBe(0);
  });

  it('starts over by the app’s clock, even while Redis still holds the old window', async () => {
    await store.add(counter, 5, 60_000, 10);
    now += 60_000;
    expect(await store.add(counter, -1, 60_000, 10)).toEqual({ count: 0, resetAt: now });
    expect(await store.add(counter, 1, 60_000, 10)).toEqual({ count: 1, resetAt: now + 60_000 });
  });

  it('counts on past the limit, so a lockout holds however hard it is hammered', async () => {
    for (let i = 0; i < 12; i++) await store.add(counter, 1, 60_000, 3);
    expect((await store.add(counter, 0, 60_000, 3)).count).toBe(12);
  });

  it('refuses to count, rather than starting from zero, when the key holds something else', async () => {
    await client.set(redisKey(), 'not a counter');
    await expect(store.add(counter, 1, 60_000, 10)).rejects.toThrow(/WRONGTYPE/);
    expect(await client.get(redisKey())).toBe('not a counter');
  });

  it('reset deletes the key', async () => {
    await store.add(counter, 3, 60_000, 10);
    await store.reset(counter);
    expect(await client.exists(redisKey())).toBe(0);
  });
});
