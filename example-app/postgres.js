// DATABASE_URL set: the portal keeps everything in PostgreSQL, as every instance behind a load
// balancer must — login-with-token's PostgresStore, and express-session's sessions through
// connect-pg-simple, both on one pg pool.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

/** Where the demo puts its tables unless told otherwise: a schema of its own, so nothing collides. */
const defaultSchema = 'example_portal';

/**
 * The `shared` settings of `createPortal` for the PostgreSQL at `url`: the stores and the secrets
 * every instance must share. Creates or upgrades the tables on start. `close()` ends the pool.
 * @param {string} url
 * @param {{ schema?: string }} [options] `schema`: where every table goes, created when missing
 */
export async function postgresSettings(url, { schema = defaultSchema } = {}) {
  const database = await postgresDatabase(url, { schema });
  const { default: session } = await import('express-session');
  const { default: connectPgSimple } = await import('connect-pg-simple');
  const sessionStore = new (connectPgSimple(session))({ pool: database.pool, schemaName: schema, tableName: 'express_sessions', createTableIfMissing: true });
  // connect-pg-simple creates its table on first use, and an instance that loses the race to
  // create it keeps failing: create it now (pruning expired sessions does), one instance at a time.
  await oneInstanceAtATime(database.pool, () => new Promise((resolve, reject) => sessionStore.pruneSessions((error) => (error ? reject(error) : resolve(undefined)))));
  return {
    ...database,
    sessionStore,
    close: async () => {
      await sessionStore.close();
      await database.close();
    },
  };
}

/**
 * A pg pool with login-with-token's `PostgresStore` on it (migrated) and the secrets every
 * instance must share, without express-session's store (the PostgreSQL + Redis layout keeps
 * browser sessions in Redis). `close()` ends the pool.
 * @param {string} url
 * @param {{ schema?: string }} [options] `schema`: where every table goes, created when missing
 */
export async function postgresDatabase(url, { schema = defaultSchema } = {}) {
  const [{ default: pg }, { PostgresStore }] = await Promise.all([import('pg'), import('login-with-token/postgres')]);
  // Fail fast while PostgreSQL is away: a connection that does not come within 2 s is an error
  // (the store's own queries have a 1 s deadline), and a statement stuck behind a lock ends on the
  // server too instead of holding a server process.
  const pool = new pg.Pool({ connectionString: url, connectionTimeoutMillis: 2000, statement_timeout: 2000, lock_timeout: 1000 });
  pool.on('error', (error) => console.error(`[postgres] ${error.message}`));
  // The store checks `schema` (lower-case letters, digits, "_") before anything below quotes it.
  const store = new PostgresStore({ pool, schema });
  await store.migrate();
  const demoSecrets = `"${schema}"."example_portal_demo_secrets"`;
  await oneInstanceAtATime(pool, () => pool.query(`CREATE TABLE IF NOT EXISTS ${demoSecrets} (name text PRIMARY KEY, value text NOT NULL)`));
  // Every instance needs the same hash key and JWT signing key. Production passes them in the
  // environment; the demo agrees on them through the database (first instance wins) so that
  // several `npm start`s on different ports just work.
  /** @type {(name: string, make: () => string | Buffer) => Promise<string>} */
  const shared = async (name, make) => {
    if (process.env[name]) return process.env[name].replaceAll('\\n', '\n');
    console.warn(`[demo] ${name} not set: using a value shared through PostgreSQL. Set it in production.`);
    await pool.query(`INSERT INTO ${demoSecrets} (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, [name, make().toString()]);
    // A separate statement: the insert's own snapshot cannot see a row another instance just wrote.
    const { rows } = await pool.query(`SELECT value FROM ${demoSecrets} WHERE name = $1`, [name]);
    return /** @type {string} */ (rows[0].value);
  };
  return {
    store,
    hashKey: await shared('LOGIN_HASH_KEY', () => randomBytes(32).toString('hex')),
    jwtPrivateKey: await shared('LOGIN_JWT_PRIVATE_KEY', () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ),
    pool,
    schema,
    close: async () => {
      await store.close();
      await pool.end();
    },
  };
}

/**
 * Runs `work` under a PostgreSQL advisory lock, so instances starting together take turns at
 * creating tables (`CREATE TABLE IF NOT EXISTS` is not safe against a concurrent create).
 * @template T
 * @param {import('pg').Pool} pool
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
async function oneInstanceAtATime(pool, work) {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('example-portal:start-up'))");
    try {
      return await work();
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('example-portal:start-up'))");
    }
  } finally {
    client.release();
  }
}
