import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { RedisLedger } from '../src/store/redis/redis-ledger.js';
import { RedisRunner } from '../src/store/redis/redis-runner.js';
import { redisKeys, storeKeys } from '../src/store/store-keys.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

// What every ledger does is in the store contract (test/support/store-contract.ts); here what is
// particular to Redis: the stored values, their expiry and what the scripts do with odd input.
describeRedis('RedisLedger', () => {
  let client: Redis;
  let prefix: string;
  let now: number;
  let ledger: RedisLedger;
  let key: string;
  const stored = () => client.get(`${prefix}ledger:${key}`);

  beforeAll(async () => {
    client = await connectRedis();
  });
  afterAll(() => client.quit());
  beforeEach(() => {
    prefix = uniquePrefix();
    now = Date.parse('2026-11-28T12:00:00Z');
    ledger = new RedisLedger(new RedisRunner(client, { commandTimeoutMs: 1000 }), redisKeys(prefix), () => now);
    key = storeKeys.authToken(recordSecret(`handoff-token-${prefix}`));
  });
  afterEach(() => deleteKeys(client, prefix));

  const reserve = async (holdMs = 5000) => {
    const reservation = await ledger.reserve(key, holdMs);
    if (reservation.status !== 'reserved') throw new Error(`not reserved: ${reservation.status}`);
    return reservation.id;
  };

  it('stores r|<id>|<until> while reserved and u|<until> once used, in the app’s clock, with PX only to collect them', async () => {
    const id = await reserve(5000);
    expect(await stored()).toBe(`r|${id}|${now + 5000}`);
    expect(await client.pttl(`${prefix}ledger:${key}`)).toBeGreaterThan(4000);
    now += 1000;
    expect(await ledger.consume(key, id, 600_000)).toBe(true);
    expect(await stored()).toBe(`u|${now + 600_000}`);
    const ttl = await client.pttl(`${prefix}ledger:${key}`);
    expect(ttl).toBeGreaterThan(590_000);
    expect(ttl).toBeLessThanOrEqual(600_000);
  });

  it('draws a fresh, unguessable id for every reservation', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const id = await reserve();
      expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      ids.add(id);
      await ledger.release(key, id);
    }
    expect(ids.size).toBe(20);
  });

  it('ignores consume and release with an id that does not hold the token', async () => {
    const id = await reserve();
    const before = await stored();
    for (const forged of ['', 'guess', `${id}x`, '.*', '%d+']) {
      expect(await ledger.consume(key, forged, 600_000)).toBe(false);
      await ledger.release(key, forged);
    }
    expect(await stored()).toBe(before);
    expect(await ledger.reserve(key, 5000)).toEqual({ status: 'in-use' });
  });

  it('never lets a release take a used token back', async () => {
    const id = await reserve();
    await ledger.consume(key, id, 600_000);
    await ledger.release(key, id);
    expect(await ledger.reserve(key, 5000)).toEqual({ status: 'used' });
  });

  it('consumes a reservation once, without extending how long the token stays used', async () => {
    const id = await reserve();
    expect(await ledger.consume(key, id, 60_000)).toBe(true);
    const used = await stored();
    now += 30_000;
    expect(await ledger.consume(key, id, 600_000)).toBe(false);
    expect(await stored()).toBe(used);
  });

  it('ignores a release of a token nobody holds, writing nothing', async () => {
    await ledger.release(key, 'any');
    expect(await stored()).toBeNull();
  });

  it('spends a token whose reservation lapsed while nobody else took it', async () => {
    expect(await ledger.consume(key, 'lapsed', 600_000)).toBe(true);
    expect(await stored()).toMatch(/^u\|\d+$/);
    expect(await ledger.reserve(key, 5000)).toEqual({ status: 'used' });
  });

  it('refuses, rather than grants, a token whose key holds something that is not a ledger entry', async () => {
    await client.hset(`${prefix}ledger:${key}`, 'c', '1');
    await expect(ledger.reserve(key, 5000)).rejects.toThrow(/WRONGTYPE/);
    expect(await client.type(`${prefix}ledger:${key}`)).toBe('hash');
  });

  it('counts a value that is neither a reservation nor a used mark as used, and leaves it as it was', async () => {
    // Overwriting it with a reservation would make a spent token redeemable again.
    for (const mangled of ['garbage', 'u|', 'u|12e99', `u|${now + 600_000}|x`]) {
      await client.set(`${prefix}ledger:${key}`, mangled);
      expect(await ledger.reserve(key, 5000)).toEqual({ status: 'used' });
      expect(await stored()).toBe(mangled);
    }
  });

  it('writes times exactly where Lua’s own number format would switch to exponent notation', async () => {
    // Lua prints numbers with 14 significant digits; this one has 15.
    now = 100_000_000_012_345;
    const id = await reserve(5000);
    expect(await stored()).toBe(`r|${id}|${now + 5000}`);
    expect(await ledger.consume(key, id, 600_000)).toBe(true);
    now += 599_999;
    expect(await ledger.reserve(key, 5000)).toEqual({ status: 'used' });
  });
});
