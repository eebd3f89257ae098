// What the "ours" servers share: one user, found by contact id or e-mail in a Map, so that
// resolveUser costs as little as the Map lookup of the passport-http-bearer baseline.
import { randomBytes } from 'node:crypto';
import { createLoginWithToken } from 'login-with-token';

const user = { id: 'u-1', name: 'Bench User', email: 'bench@example.com' };
const byContactId = new Map([['1', user]]);
const byEmail = new Map([[user.email, user]]);

export const resolveUser = ({ contactId, contactEmail }) =>
  contactId !== undefined ? byContactId.get(contactId) : byEmail.get(contactEmail);

export const ok = (_req, res) => res.json({ ok: true });

/** A token shaped like our session tokens, for baselines that never check it. */
export const tokenLikeOurs = () => `lwts_${randomBytes(32).toString('base64url')}`;

/** Signs in through the package's own POST /authentication/token and returns the session token. */
export async function fetchSessionToken(origin) {
  const response = await fetch(`${origin}/authentication/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench', organisation: 'BENCH' }),
  });
  const body = await response.json();
  if (!response.ok || typeof body?.data?.token !== 'string') throw new Error(`token request failed: ${response.status} ${JSON.stringify(body)}`);
  return body.data.token;
}

/**
 * createLoginWithToken for servers whose partner is the local validator on 127.0.0.1. The load
 * stands for many clients but all of it comes from 127.0.0.1, so the per-network bound on partner
 * calls under way (8 by default) is lifted.
 */
export function createLoginForLocalPartner(options) {
  return createLoginWithToken({ ...options, http: { allowPrivateAddresses: ['127.0.0.1'] }, rateLimits: { partnerCallsInFlightPerIp: 10_000 } });
}

/**
 * The store options of an "ours" server: none (the default MemoryStore) unless `store` is
 * 'postgres' — then a PostgresStore on the loopback database in a schema of its own, migrated now
 * and dropped by `close`, with the `hashKey` a shared store requires. The schema is named after
 * the runner (this process's parent), which drops it too if this server is killed before `close`.
 * `databaseCpu` samples the CPU of the PostgreSQL processes serving this server. With 'redis', a
 * RedisStore on the loopback Redis under the runner's `redisPrefix` and `hashKey`, which
 * instances given the same share (the runner deletes the keys).
 */
export async function benchStore(store, { redisPrefix, hashKey } = {}) {
  if (store === undefined) return { options: {}, close: async () => undefined };
  if (store === 'redis') return redisBenchStore(redisPrefix, hashKey);
  if (store !== 'postgres') throw new Error(`unknown bench store ${store}`);
  // Loaded only here, so the servers on memory load exactly what they always did.
  const [{ PostgresStore }, { postgresCpu }, { createPool, httpSchemaPrefix }] = await Promise.all([
    import('login-with-token/postgres'),
    import('../database-cpu.mjs'),
    import('../postgres.mjs'),
  ]);
  const applicationName = `lwt-bench-http-${process.pid}`;
  const pool = createPool({ applicationName });
  const schema = `${httpSchemaPrefix(process.ppid)}${process.pid}`;
  const postgres = new PostgresStore({ pool, schema });
  await postgres.migrate();
  return {
    options: { store: postgres, hashKey: randomBytes(32).toString('base64url') },
    databaseCpu: postgresCpu(pool, applicationName),
    close: async () => {
      await postgres.close();
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

async function redisBenchStore(prefix, hashKey) {
  const [{ RedisStore }, { Redis }] = await Promise.all([import('login-with-token/redis'), import('ioredis')]);
  const client = new Redis('redis://127.0.0.1:6379', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', () => undefined);
  await client.connect();
  return { options: { store: new RedisStore({ client, prefix }), hashKey }, close: async () => client.disconnect() };
}

/**
 * What the hand-written bearer routes answer a refused token with: 401 (no token, or `error`
 * `invalid_token`) or 403 `insufficient_scope` naming the required scope, with RFC 6750's
 * WWW-Authenticate, as ours does.
 */
export function refuseBearer(res, status, error, scope) {
  const scopeParameter = error === 'insufficient_scope' ? `, scope="${scope}"` : '';
  res.set('www-authenticate', `Bearer realm="api"${error ? `, error="${error}"${scopeParameter}` : ''}`);
  res.status(status).json({ error: error ?? 'token_missing' });
}

/** The RFC 6750 bearer token of `req`'s Authorization header, or undefined. */
export const bearerTokenOf = (req) => /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '')?.[1];

/**
 * How the hand-written partner routes ask the partner: the token as JSON, POSTed over their
 * undici Pool with a 5 s timeout; the parsed answer, or undefined for a status other than 200.
 */
export async function askPartner(pool, path, token) {
  const { statusCode, body } = await pool.request({
    method: 'POST',
    path,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    headersTimeout: 5_000,
    bodyTimeout: 5_000,
  });
  if (statusCode !== 200) {
    await body.dump();
    return undefined;
  }
  return body.json();
}

/**
 * Registers an OpenTelemetry SDK globally, as an app does before it builds the portal: context
 * propagation, every span recorded (none exported), metrics aggregated by a reader nobody reads.
 */
export async function registerTelemetry() {
  const [{ context, metrics, trace }, { AsyncLocalStorageContextManager }, { MeterProvider, MetricReader }, { BasicTracerProvider }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  class UnreadReader extends MetricReader {
    async onShutdown() {}
    async onForceFlush() {}
  }
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new BasicTracerProvider());
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [new UnreadReader()] }));
}
