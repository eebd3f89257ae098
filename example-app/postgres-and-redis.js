// DATABASE_URL and REDIS_URL both set: the recommended layout for several instances. What must
// outlive a restart — API tokens, and session tokens and connections that scripts hold for
// hours — lives in PostgreSQL; the one-time ledger and the rate-limit counters, written on every
// attempt and gone within minutes, live in Redis.
import { postgresDatabase } from './postgres.js';
import { redisStores } from './redis.js';

/**
 * The `shared` settings of `createPortal` on PostgreSQL and Redis together: a store composed of
 * `sessions` and `apiTokens` from PostgreSQL and `ledger` and `rateLimits` from Redis.
 * express-session's sessions go to Redis too: they are read on every page, short-lived and
 * expired by Redis itself, and losing them only means following the partner's link again.
 * The shared secrets come from PostgreSQL (or the environment): the JWT key must live as long
 * as the connections it signs for. `close()` ends the pool and lets go of the client.
 * @param {string} databaseUrl
 * @param {string} redisUrl
 * @param {{ schema?: string, prefix?: string }} [options] `schema`: where the tables go; `prefix`: the Redis keys' prefix
 */
export async function postgresAndRedisSettings(databaseUrl, redisUrl, { schema, prefix } = {}) {
  const database = await postgresDatabase(databaseUrl, { schema });
  const redis = await redisStores(redisUrl, prefix);
  return {
    store: {
      sessions: database.store.sessions,
      apiTokens: database.store.apiTokens,
      ledger: redis.store.ledger,
      rateLimits: redis.store.rateLimits,
    },
    sessionStore: redis.sessionStore,
    hashKey: database.hashKey,
    jwtPrivateKey: database.jwtPrivateKey,
    pool: database.pool,
    schema: database.schema,
    client: redis.client,
    close: async () => {
      await database.close();
      await redis.close();
    },
  };
}
