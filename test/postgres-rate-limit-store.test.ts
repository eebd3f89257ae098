import { beforeEach, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres.js';
import { rateLimitKeys } from '../src/store/store-keys.js';
import { describePostgres, twoInstancesEachTest } from './support/postgres.js';

// What every rate-limit store does is in the store contract (test/support/store-contract.ts);
// here what is particular to PostgreSQL: counting from two instances at once, and the row a
// negative delta or a closed window leaves.
describePostgres('PostgresRateLimitStore', () => {
  let start: number;
  let now: number;
  let a: PostgresStore;
  let b: PostgresStore;
  const clock = () => now;
  const key = rateLimitKeys.tokenIp('192.0.2.0');
  const windowMs = 60_000;

  const instances = twoInstancesEachTest(clock);

  beforeEach(() => {
    start = now = Date.parse('2026-11-28T12:00:00Z');
    ({ a, b } = instances);
  });

  const rows = async () => (await instances.pools[0]!.query(`SELECT key, count, reset_at FROM ${a.tables.rateLimits}`)).rows;

  it('gives 50 concurrent increments split between two instances 50 distinct counts', async () => {
    const counters = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).rateLimits.add(key, 1, windowMs)));
    expect(counters.map((counter) => counter.count).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(counters.map((counter) => counter.resetAt))).toEqual(new Set([start + windowMs]));
    expect(await rows()).toEqual([{ key, count: 50, reset_at: String(start + windowMs) }]);
  });

  it('never opens a window with a negative delta', async () => {
    expect(await a.rateLimits.add(key, -1, windowMs)).toEqual({ count: 0, resetAt: start });
    expect(await rows()).toEqual([]);
  });

  it('lowers an open window with a negative delta, never below zero', async () => {
    await a.rateLimits.add(key, 2, windowMs);
    expect(await b.rateLimits.add(key, -1, windowMs)).toEqual({ count: 1, resetAt: start + windowMs });
    expect(await b.rateLimits.add(key, -5, windowMs)).toEqual({ count: 0, resetAt: start + windowMs });
    expect(await rows()).toEqual([{ key, count: 0, reset_at: String(start + windowMs) }]);
  });

  it('leaves a closed window alone on a negative delta', async () => {
    await a.rateLimits.add(key, 3, windowMs);
    now += windowMs;
    expect(await b.rateLimits.add(key, -1, windowMs)).toEqual({ count: 0, resetAt: now });
    expect(await rows()).toEqual([{ key, count: 3, reset_at: String(start + windowMs) }]);
  });

  it('starts a closed window over from the delta', async () => {
    await a.rateLimits.add(key, 3, windowMs);
    now += windowMs;
    expect(await b.rateLimits.add(key, 2, windowMs)).toEqual({ count: 2, resetAt: now + windowMs });
    expect(await a.rateLimits.add(key, 1, windowMs)).toEqual({ count: 3, resetAt: now + windowMs });
  });
});
