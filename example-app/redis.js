// REDIS_URL set: the portal keeps everything in Redis, as every instance behind a load balancer
// must — login-with-token's RedisStore, and express-session's sessions through connect-redis,
// both on one ioredis client.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/**
 * The `shared` settings of `createPortal` for the Redis at `url`: the stores and the secrets
 * every instance must share. `close()` lets go of the client.
 * @param {string} url
 * @param {string} [prefix] the keys' prefix
 */
export async function redisSettings(url, prefix = 'example-portal:') {
  const { client, store, sessionStore, close } = await redisStores(url, prefix);
  // Every instance needs the same hash key and JWT signing key. Production passes them in the
  // environment; the demo agrees on them through Redis (first instance wins) so that several
  // `npm start`s on different ports just work.
  /** @type {(name: string, make: () => string | Buffer) => Promise<string>} */
  const shared = async (name, make) => {
    if (process.env[name]) return process.env[name].replaceAll('\\n', '\n');
    console.warn(`[demo] ${name} not set: using a value shared through Redis. Set it in production.`);
    await client.set(`${prefix}demo:${name}`, make(), 'NX');
    return /** @type {string} */ (await client.get(`${prefix}demo:${name}`));
  };
  return {
    store,
    sessionStore,
    hashKey: await shared('LOGIN_HASH_KEY', () => randomBytes(32).toString('hex')),
    jwtPrivateKey: await shared('LOGIN_JWT_PRIVATE_KEY', () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ),
    client,
    close,
  };
}

/**
 * A connected ioredis client with login-with-token's `RedisStore` and express-session's
 * connect-redis store on it, without the shared secrets (the PostgreSQL + Redis layout takes
 * those from PostgreSQL). `close()` lets go of the client.
 * @param {string} url
 * @param {string} [prefix] the keys' prefix
 */
export async function redisStores(url, prefix = 'example-portal:') {
  const [{ Redis }, { RedisStore }, { RedisStore: SessionRedisStore }] = await Promise.all([
    import('ioredis'),
    import('login-with-token/redis'),
    import('connect-redis'),
  ]);
  // Fail fast while Redis is away: requests get 503 instead of waiting in a queue.
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', (error) => console.error(`[redis] ${error.message}`));
  await new Promise((resolve) => client.once('ready', resolve));
  return {
    store: new RedisStore({ client, prefix }),
    sessionStore: new SessionRedisStore({ client, prefix: `${prefix}sess:` }),
    client,
    close: () => client.quit(),
  };
}
