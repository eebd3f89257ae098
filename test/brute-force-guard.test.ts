import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isPromise, type MaybePromise } from '../src/async/maybe-promise.js';
import { isLoginError, type LoginError } from '../src/errors/login-error.js';
import { BruteForceGuard, type GuardedAttempt, type GuardedKey } from '../src/rate-limit/brute-force-guard.js';
import { RedisStore } from '../src/redis.js';
import { MemoryRateLimitStore } from '../src/store/memory-rate-limit-store.js';
import type { RateLimitStore } from '../src/store/rate-limit-store.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';

const windowMs = 60_000;
const start = Date.parse('2026-11-28T12:00:00Z');

function memoryGuard() {
  let now = start;
  const store = new MemoryRateLimitStore({ maxRateLimitEntries: 1000, now: () => now });
  return { store, guard: new BruteForceGuard(store, { windowMs }, () => now), advance: (ms: number) => (now += ms) };
}

/** A counter's value; a zero delta reads it without opening a window. */
async function count(store: RateLimitStore, key: string): Promise<number> {
  return (await store.add(key, 0, windowMs, Number.MAX_SAFE_INTEGER)).count;
}

async function refusal(outcome: MaybePromise<unknown>): Promise<LoginError> {
  const error = await Promise.resolve(outcome).then(() => undefined, (caught: unknown) => caught);
  expect(isLoginError(error)).toBe(true);
  return error as LoginError;
}

/** Starts `n` attempts at once; returns the granted ones and the errors of the refused. */
async function burst(n: number, begin: () => MaybePromise<GuardedAttempt>) {
  const settled = await Promise.allSettled(Array.from({ length: n }, begin));
  return {
    granted: settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : [])),
    refused: settled.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : [])),
  };
}

const ip: GuardedKey = { key: 'token-ip:203.0.113.7', limit: 10, onSuccess: 'refund' };
const nameIp: GuardedKey = { key: 'token-name-ip:alice:203.0.113.7', limit: 3, onSuccess: 'reset' };
const nameTotal: GuardedKey = { key: 'token-name:alice', limit: 100, onSuccess: 'refund' };

describe('BruteForceGuard', () => {
  it('counts an attempt on every key before it is judged', async () => {
    const { store, guard } = memoryGuard();
    await guard.attempt([ip, nameIp, nameTotal]);
    expect([await count(store, ip.key), await count(store, nameIp.key), await count(store, nameTotal.key)]).toEqual([1, 1, 1]);
  });

  it('refuses the attempt past a limit with rate_limited and the seconds left in the window', async () => {
    const { guard, advance } = memoryGuard();
    for (let i = 0; i < nameIp.limit; i++) await guard.attempt([nameIp]);
    advance(15_500);
    const error = await refusal(guard.attempt([nameIp]));
    expect(error.code).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.headers['retry-after']).toBe('45');
  });

  it('lets attempts through again once the window has ended', async () => {
    const { store, guard, advance } = memoryGuard();
    for (let i = 0; i < nameIp.limit; i++) await guard.attempt([nameIp]);
    advance(windowMs);
    await guard.attempt([nameIp]);
    expect(await count(store, nameIp.key)).toBe(1);
  });

  it('says Retry-After 1 at the very end of the window rather than 0', async () => {
    const { guard, advance } = memoryGuard();
    await guard.attempt([{ ...nameIp, limit: 1 }]);
    advance(windowMs - 1);
    expect((await refusal(guard.attempt([{ ...nameIp, limit: 1 }]))).headers['retry-after']).toBe('1');
  });

  it('waits for the latest window among the counters over their limit', async () => {
    const { guard, advance } = memoryGuard();
    const a: GuardedKey = { key: 'a', limit: 1, onSuccess: 'refund' };
    const b: GuardedKey = { key: 'b', limit: 1, onSuccess: 'refund' };
    await guard.attempt([a]);
    advance(30_000);
    await guard.attempt([b]);
    advance(10_000);
    expect((await refusal(guard.attempt([a]))).headers['retry-after']).toBe('20');
    expect((await refusal(guard.attempt([a, b]))).headers['retry-after']).toBe('50');
  });

  it('gives a refused attempt back on every key, so one network’s lockout does not fill the name’s total', async () => {
    const { store, guard } = memoryGuard();
    for (let i = 0; i < nameIp.limit; i++) await guard.attempt([ip, nameIp, nameTotal]);
    for (let i = 0; i < 20; i++) expect((await refusal(guard.attempt([ip, nameIp, nameTotal]))).code).toBe('rate_limited');
    expect([await count(store, ip.key), await count(store, nameIp.key), await count(store, nameTotal.key)]).toEqual([3, 3, 3]);
  });

  it('keeps the count of an attempt that is neither succeeded nor undecided (a failure)', async () => {
    const { store, guard } = memoryGuard();
    await guard.attempt([ip, nameIp]);
    await guard.attempt([ip, nameIp]);
    expect([await count(store, ip.key), await count(store, nameIp.key)]).toEqual([2, 2]);
  });

  it('resets a reset counter and refunds a refund counter when the attempt succeeds', async () => {
    const { store, guard } = memoryGuard();
    await guard.attempt([ip, nameIp]);
    await guard.attempt([ip, nameIp]);
    const success = await guard.attempt([ip, nameIp]);
    await success.succeeded();
    // The user's own failures are forgiven; the network keeps its two failures.
    expect([await count(store, ip.key), await count(store, nameIp.key)]).toEqual([2, 0]);
  });

  it('gives an undecided attempt back on every key', async () => {
    const { store, guard } = memoryGuard();
    await guard.attempt([ip, nameIp]);
    const outage = await guard.attempt([ip, nameIp]);
    await outage.undecided();
    expect([await count(store, ip.key), await count(store, nameIp.key)]).toEqual([1, 1]);
  });

  it('never grants more of 50 parallel attempts than the limit', async () => {
    const { store, guard } = memoryGuard();
    const { granted, refused } = await burst(50, () => guard.attempt([ip, nameIp]));
    expect(granted).toHaveLength(nameIp.limit);
    expect(refused.every((error) => isLoginError(error) && error.code === 'rate_limited')).toBe(true);
    expect([await count(store, ip.key), await count(store, nameIp.key)]).toEqual([3, 3]);
    await Promise.all(granted.map((attempt) => attempt.undecided()));
    expect([await count(store, ip.key), await count(store, nameIp.key)]).toEqual([0, 0]);
  });

  it('passes a store outage on to the caller instead of judging the attempt', async () => {
    const outage = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const down: RateLimitStore = { add: () => Promise.reject(outage), reset: () => Promise.reject(outage) };
    const guard = new BruteForceGuard(down, { windowMs }, () => start);
    await expect(guard.attempt([ip, nameIp])).rejects.toBe(outage);
  });

  it('gives back what a partly failed store counted, so an attempt never judged leaves no count', async () => {
    const { store } = memoryGuard();
    const outage = new Error('connect ECONNREFUSED');
    const partly: RateLimitStore = {
      add: (key, delta, window, limit) => (key === nameIp.key && delta > 0 ? Promise.reject(outage) : store.add(key, delta, window, limit)),
      reset: (key) => store.reset(key),
    };
    const guard = new BruteForceGuard(partly, { windowMs }, () => start);
    for (let attempt = 0; attempt < ip.limit + 2; attempt++) await expect(guard.attempt([ip, nameIp])).rejects.toBe(outage);
    expect(await count(store, ip.key)).toBe(0);
    // Once the store is back, the network has all its attempts.
    expect(await new BruteForceGuard(store, { windowMs }, () => start).attempt([ip, nameIp])).toBeDefined();
  });

  it('answers at once, without a promise, when the store counts synchronously — refusals still reject', async () => {
    const { store, guard } = memoryGuard();
    const attempt = guard.attempt([ip]);
    expect(isPromise(attempt)).toBe(false);
    expect(await count(store, ip.key)).toBe(1);
    expect(isPromise((attempt as GuardedAttempt).succeeded())).toBe(false);
    expect(await count(store, ip.key)).toBe(0);
    for (let i = 0; i < ip.limit; i++) await guard.attempt([ip]);
    const refused = guard.attempt([ip]);
    expect(isPromise(refused)).toBe(true);
    expect((await refusal(refused)).code).toBe('rate_limited');
  });

  it('still refuses an attempt over its limit when giving the others back fails', async () => {
    const { store } = memoryGuard();
    const flaky: RateLimitStore = {
      add: (key, delta, window, limit) => (delta < 0 ? Promise.reject(new Error('store down')) : store.add(key, delta, window, limit)),
      reset: (key) => store.reset(key),
    };
    const guard = new BruteForceGuard(flaky, { windowMs }, () => start);
    for (let attempt = 0; attempt < nameIp.limit; attempt++) await guard.attempt([ip, nameIp]);
    expect((await refusal(guard.attempt([ip, nameIp]))).code).toBe('rate_limited');
  });

  it('rejects succeeded() when the store cannot give the count back', async () => {
    const { store } = memoryGuard();
    let up = true;
    const flaky: RateLimitStore = {
      add: (key, delta, window, limit) => (up ? store.add(key, delta, window, limit) : Promise.reject(new Error('store down'))),
      reset: (key) => (up ? store.reset(key) : Promise.reject(new Error('store down'))),
    };
    const attempt = await new BruteForceGuard(flaky, { windowMs }, () => start).attempt([ip, nameIp]);
    up = false;
    // The flows catch this: a signed-in user must not get an error because a counter stayed.
    await expect(attempt.succeeded()).rejects.toThrow('store down');
  });
});

describeRedis('BruteForceGuard on RedisStore', () => {
  let client: Redis;
  let prefix: string;
  let now: number;
  beforeAll(async () => {
    client = await connectRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
    now = start;
  });
  afterEach(() => deleteKeys(client, prefix));
  afterAll(() => client.quit());

  /** A guard as one portal instance has it; instances made with the same prefix share counters. */
  function instance() {
    const store = new RedisStore({ client, prefix, now: () => now });
    return { store: store.rateLimits, guard: new BruteForceGuard(store.rateLimits, { windowMs }, () => now) };
  }

  it('never grants more of 40 parallel attempts on two instances than the limit', async () => {
    const [one, two] = [instance(), instance()];
    let turn = 0;
    const { granted, refused } = await burst(40, () => (turn++ % 2 === 0 ? one : two).guard.attempt([ip, nameIp]));
    expect(granted).toHaveLength(nameIp.limit);
    expect(refused.every((error) => isLoginError(error) && error.code === 'rate_limited')).toBe(true);
    expect([await count(one.store, ip.key), await count(two.store, nameIp.key)]).toEqual([3, 3]);
    await Promise.all(granted.map((attempt) => attempt.undecided()));
    expect([await count(one.store, ip.key), await count(one.store, nameIp.key)]).toEqual([0, 0]);
  });

  it('gives refused attempts back on every key and resets on success', async () => {
    const { store, guard } = instance();
    await guard.attempt([ip, nameIp, nameTotal]);
    await guard.attempt([ip, nameIp, nameTotal]);
    await guard.attempt([ip, nameIp, nameTotal]);
    now += 20_000;
    const error = await refusal(guard.attempt([ip, nameIp, nameTotal]));
    expect(error.code).toBe('rate_limited');
    expect(error.headers['retry-after']).toBe('40');
    expect([await count(store, ip.key), await count(store, nameIp.key), await count(store, nameTotal.key)]).toEqual([3, 3, 3]);
    now += 40_000;
    const success = await guard.attempt([ip, nameIp, nameTotal]);
    await success.succeeded();
    expect(await client.exists(`${prefix}rate:${nameIp.key}`)).toBe(0);
    expect([await count(store, ip.key), await count(store, nameTotal.key)]).toEqual([0, 0]);
  });
});
