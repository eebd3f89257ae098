import { systemClock, type Clock } from '../../time/clock.js';
import type { Store } from '../store.js';
import { redisKeys } from '../store-keys.js';
import { RedisApiTokenStore } from './redis-api-token-store.js';
import { RedisLedger } from './redis-ledger.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';
import { RedisRunner, type RedisClient } from './redis-runner.js';
import { RedisSessionStore } from './redis-session-store.js';

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  /**
   * An ioredis client (`new Redis(url)` or `new Cluster(nodes)`), owned by the app. Recommended:
   * `{ enableOfflineQueue: false, maxRetriesPerRequest: 1 }` so an outage fails fast. Required.
   */
  client: RedisClient;
  /** Prefix of every key; put a hash tag in it (`{lwt}:`) to pin all keys to one cluster slot. @default 'lwt:' */
  prefix?: string;
  /** Deadline of one Redis command; past it the request gets 503 `store_unavailable`. @default 1000 */
  commandTimeoutMs?: number;
  /** Time source, for tests; give every instance the same (real) clock. @default Date.now */
  now?: Clock;
}

/**
 * Every store role on Redis, for portals running on several instances: the one-time ledger,
 * session tokens and connections with the per-user index, API tokens and rate-limit counters.
 * Only hashes of tokens, passwords and pass codes are written. Each Lua script touches one key.
 * The client stays the app's: `close()` does not disconnect it.
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis';
 * import { RedisStore } from 'login-with-token/redis';
 * const store = new RedisStore({ client: new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false }) });
 * createLoginWithToken({ store, hashKey: process.env.LOGIN_HASH_KEY, … });
 * ```
 */
export class RedisStore implements Store {
  readonly shared = true;
  readonly ledger: RedisLedger;
  readonly sessions: RedisSessionStore;
  readonly apiTokens: RedisApiTokenStore;
  readonly rateLimits: RedisRateLimitStore;

  constructor(options: RedisStoreOptions) {
    if (typeof options?.client?.evalsha !== 'function') throw new TypeError('RedisStore: client must be an ioredis Redis or Cluster instance');
    const keys = redisKeys(options.prefix ?? 'lwt:');
    const now = options.now ?? systemClock;
    const runner = new RedisRunner(options.client, options.commandTimeoutMs ?? 1000);
    this.ledger = new RedisLedger(runner, keys, now);
    this.sessions = new RedisSessionStore(runner, keys, now);
    this.apiTokens = new RedisApiTokenStore(runner, keys, now);
    this.rateLimits = new RedisRateLimitStore(runner, keys, now);
  }

  async close(): Promise<void> {
    // The client belongs to the app, which may share it with other code.
  }
}
