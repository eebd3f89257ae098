import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import { optionSchema } from '../../config/option-schema.js';
import { durationMs, functionSchema } from '../../config/zod-helpers.js';
import { systemClock, type Clock } from '../../time/clock.js';

/** An ioredis client: a single node or a cluster. */
export type RedisClient = Redis | Cluster;

/** Options of `new RedisStore(…)`. */
export interface RedisStoreOptions {
  /**
   * An ioredis client (`new Redis(url)` or `new Cluster(nodes)`), owned by the app. Recommended:
   * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }` so an outage fails fast. Required.
   */
  client: RedisClient;
  /** Prefix of every key; put a hash tag in it (`{lwt}:`) to pin all keys to one cluster slot. @default 'lwt:' */
  prefix?: string;
  /** Deadline of one Redis command, at most 60000; past it the request gets 503 `store_unavailable`. @default 1000 */
  commandTimeoutMs?: number;
  /** Time source, for tests; give every instance the same (real) clock. @default Date.now */
  now?: Clock;
}

/** Validates {@link RedisStoreOptions}; every default is written here. */
export const redisStoreOptionsSchema = optionSchema<RedisStoreOptions>()(
  z.strictObject({
    client: z.custom<RedisClient>((value) => typeof (value as RedisClient | null)?.evalsha === 'function', { message: 'must be an ioredis Redis or Cluster instance' }),
    prefix: z.string().max(256).default('lwt:'),
    commandTimeoutMs: durationMs(60_000).default(1000),
    now: functionSchema<Clock>().default(() => systemClock),
  }),
);
