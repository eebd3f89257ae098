import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ms, RedisRunner } from '../src/store/redis/redis-runner.js';
import { connectRedis, deleteKeys, describeRedis, redisUrl, uniquePrefix } from './support/redis.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

/** A script no other test has loaded, so Redis does not know its SHA yet. */
const freshScript = (body: string) => `-- ${randomUUID()}\n${body}`;
const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');

/**
 * Runs `fn` alone among the holders of this lock. SCRIPT FLUSH empties the cache for every
 * client of this Redis, the other project's run of this file included, so the tests that flush
 * it or count on it staying loaded take turns.
 */
async function withScriptCacheLock<T>(client: Redis, fn: () => Promise<T>): Promise<T> {
  const lock = 'lwt-test:script-cache-lock';
  const holder = randomUUID();
  while ((await client.set(lock, holder, 'PX', 5000, 'NX')) !== 'OK') await new Promise((resolve) => setTimeout(resolve, 10));
  try {
    return await fn();
  } finally {
    if ((await client.get(lock)) === holder) await client.del(lock);
  }
}

describeRedis('RedisRunner', () => {
  let client: Redis;
  const prefix = uniquePrefix();
  beforeAll(async () => {
    client = await connectRedis();
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await deleteKeys(client, prefix);
    await client.quit();
  });

  describe('script', () => {
    it('passes one key and the arguments to the script', async () => {
      const runner = new RedisRunner(client, { commandTimeoutMs: 1000 });
      const script = freshScript(`return {KEYS[1], ARGV[1], ARGV[2]}`);
      expect(await runner.script(script, `${prefix}k`, 'a', 7)).toEqual([`${prefix}k`, 'a', '7']);
    });

    it('loads an unknown script with EVAL once, then runs it by EVALSHA', async () => {
      const runner = new RedisRunner(client, { commandTimeoutMs: 1000 });
      const script = freshScript(`return redis.call('INCR', KEYS[1])`);
      const evalsha = vi.spyOn(client, 'evalsha');
      const evalScript = vi.spyOn(client, 'eval');
      await withScriptCacheLock(client, async () => {
        expect(await client.script('EXISTS', sha1(script))).toEqual([0]);
        expect(await runner.script(script, `${prefix}loaded`)).toBe(1);
        expect([evalsha.mock.calls.length, evalScript.mock.calls.length]).toEqual([1, 1]);
        expect(await client.script('EXISTS', sha1(script))).toEqual([1]);
        expect(await runner.script(script, `${prefix}loaded`)).toBe(2);
        expect([evalsha.mock.calls.length, evalScript.mock.calls.length]).toEqual([2, 1]);
      });
    });

    it('falls back to EVAL after SCRIPT FLUSH, once', async () => {
      const runner = new RedisRunner(client, { commandTimeoutMs: 1000 });
      const script = freshScript(`return redis.call('INCR', KEYS[1])`);
      const evalScript = vi.spyOn(client, 'eval');
      await withScriptCacheLock(client, async () => {
        expect(await runner.script(script, `${prefix}flushed`)).toBe(1);
        await client.script('FLUSH');
        expect(await client.script('EXISTS', sha1(script))).toEqual([0]);
        expect(await runner.script(script, `${prefix}flushed`)).toBe(2);
        expect(await runner.script(script, `${prefix}flushed`)).toBe(3);
        expect(evalScript).toHaveBeenCalledTimes(2);
      });
    });

    it('does not run a script again when it failed for another reason than NOSCRIPT', async () => {
      const runner = new RedisRunner(client, { commandTimeoutMs: 1000 });
      // A side effect, then an error: a second run would show in the counter.
      const script = freshScript(`redis.call('INCR', KEYS[1])\nreturn redis.error_reply('refused by script')`);
      const key = `${prefix}failing`;
      await expect(runner.script(script, key)).rejects.toThrow('refused by script');
      await expect(runner.script(script, key)).rejects.toThrow('refused by script');
      expect(await client.get(key)).toBe('2');
    });
  });

  describe('run', () => {
    it('returns what the command answers', async () => {
      const runner = new RedisRunner(client, { commandTimeoutMs: 1000 });
      await runner.run((redis) => redis.set(`${prefix}plain`, 'value'));
      expect(await runner.run((redis) => redis.get(`${prefix}plain`))).toBe('value');
    });

    it('clears its deadline once the command answers', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const runner = new RedisRunner(client, { commandTimeoutMs: 1000 });
        expect(await runner.run(async () => 'answered')).toBe('answered');
        await expect(runner.run(() => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
        expect(vi.getTimerCount()).toBe(0);
      } finally {
        vi.useRealTimers();
      }
    });

    it('does not leave a command that fails after its deadline as an unhandled rejection', async () => {
      const unhandled: unknown[] = [];
      const listener = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', listener);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        const runner = new RedisRunner(client, { commandTimeoutMs: 50 });
        const late = runner.run(() => new Promise((_resolve, reject) => setTimeout(() => reject(new Error('late failure')), 200)));
        const timedOut = expect(late).rejects.toThrow('Redis command timed out');
        await vi.advanceTimersByTimeAsync(50);
        await timedOut;
        await vi.advanceTimersByTimeAsync(200);
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).toEqual([]);
      } finally {
        vi.useRealTimers();
        process.off('unhandledRejection', listener);
      }
    });
  });

  describe('when Redis stops answering', () => {
    let proxy: TcpProxy;
    let stalling: Redis;
    beforeAll(async () => {
      proxy = await startTcpProxy(Number(new URL(redisUrl).port || 6379), new URL(redisUrl).hostname);
      stalling = new Redis(proxy.port, '127.0.0.1', { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000, lazyConnect: true });
      stalling.on('error', () => undefined);
      await stalling.connect();
    });
    afterAll(async () => {
      stalling.disconnect();
      await proxy.close();
    });

    it('rejects commands and scripts after commandTimeoutMs, and runs them again once Redis answers', async () => {
      const runner = new RedisRunner(stalling, { commandTimeoutMs: 100 });
      const script = freshScript(`return redis.call('INCR', KEYS[1])`);
      expect(await runner.script(script, `${prefix}stall`)).toBe(1);
      proxy.stall();
      const started = Date.now();
      await expect(runner.run((redis) => redis.get(`${prefix}stall`))).rejects.toThrow('Redis command timed out');
      await expect(runner.script(script, `${prefix}stall`)).rejects.toThrow('Redis command timed out');
      // Two deadlines of 100 ms, not the client's own patience.
      expect(Date.now() - started).toBeLessThan(1000);
      proxy.resume();
      // The stalled script still ran once the bytes went through: the count goes on from there.
      expect(await runner.script(script, `${prefix}stall`)).toBe(3);
    });
  });
});

describe('ms', () => {
  it('formats a timestamp as whole milliseconds, without exponent notation', () => {
    expect(ms(1_795_000_000_000.4)).toBe('1795000000000');
    expect(ms(1_795_000_000_000.5)).toBe('1795000000001');
    expect(ms(4_102_444_800_000)).toBe('4102444800000');
    expect(ms(1e20)).toBe('100000000000000000000');
    expect(ms(0.2)).toBe('0');
  });
});
