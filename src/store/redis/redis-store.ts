import type { Store } from '../store.js';
import { redisKeys } from '../store-keys.js';
import { RedisApiTokenStore } from './redis-api-token-store.js';
import { RedisLedger } from './redis-ledger.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';
import { RedisRunner } from './redis-runner.js';
import { redisStoreOptionsSchema, type RedisStoreOptions } from './redis-store-options.js';
import { validateOptions } from '../../config/validate-options.js';
import { RedisSessionStore } from './redis-session-store.js';

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

  /** Checks `options` like the factory checks its own (an `OptionsError` names a bad one). */
  constructor(options: RedisStoreOptions) {
    const valid = validateOptions(redisStoreOptionsSchema, options, 'RedisStore');
    const keys = redisKeys(valid.prefix);
    const now = valid.now;
    const runner = new RedisRunner(valid.client, valid);
    this.ledger = new RedisLedger(runner, keys, now);
    this.sessions = new RedisSessionStore(runner, keys, now);
    this.apiTokens = new RedisApiTokenStore(runner, keys, now);
    this.rateLimits = new RedisRateLimitStore(runner, keys, now);
  }

  async close(): Promise<void> {
    // The client belongs to the app, which may share it with other code.
  }
}
