import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe } from 'vitest';

/** Where the suite's Redis is. */
export const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function probe(): Promise<boolean> {
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const available = await probe();
if (!available && !process.env['CI']) {
  console.warn(`\n!!! Redis is not reachable at ${redisUrl}: the Redis suites are SKIPPED (in CI they run and fail).\n`);
}

/** `describe` for suites that need Redis: skipped only outside CI when Redis is absent. */
export const describeRedis = available || process.env['CI'] ? describe : describe.skip;

/** A connected client that fails fast when Redis goes away (what the README recommends). */
export async function connectRedis(url = redisUrl): Promise<Redis> {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1000, lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** A key prefix no other test (or run) uses. */
export function uniquePrefix(): string {
  return `lwt-test:${randomUUID()}:`;
}

/** Every key under `prefix` with its value, whatever the type. */
export async function dumpKeys(client: Redis, prefix: string): Promise<Record<string, unknown>> {
  const dump: Record<string, unknown> = {};
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      const type = await client.type(key);
      dump[key] =
        type === 'string' ? await client.get(key)
        : type === 'hash' ? await client.hgetall(key)
        : type === 'set' ? await client.smembers(key)
        : type === 'zset' ? await client.zrange(key, '0', '-1', 'WITHSCORES')
        : type;
    }
  } while (cursor !== '0');
  return dump;
}

/** Deletes every key under `prefix`. */
export async function deleteKeys(client: Redis, prefix: string): Promise<void> {
  const keys = Object.keys(await dumpKeys(client, prefix));
  if (keys.length > 0) await client.del(...keys);
}
