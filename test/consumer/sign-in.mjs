// A portal as its developers write it, run inside a scratch project that installed the packed
// package with a plain `npm install` (see test/package.test.ts). It signs a user in through the
// handoff, the token endpoint and LogonWithToken (an API token, and a signed sender token minted
// with the installed CLI), and prints one JSON line with what each step answered.
//
//   node sign-in.mjs memory                    the default MemoryStore
//   node sign-in.mjs redis <url>               RedisStore on the project's own ioredis
//   node sign-in.mjs postgres <url> <schema>   PostgresStore on the project's own pg, over tables
//                                              made by `login-with-token migrate`; the API token
//                                              is the one `login-with-token api-token create`
//                                              printed, given in the API_TOKEN environment variable
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { createLoginWithToken } from 'login-with-token';

const [storeKind = 'memory', storeUrl, schema] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const versions = Object.fromEntries(['express', 'passport', 'ioredis', 'pg'].map((name) => [name, require(`${name}/package.json`).version]));

const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`)));
const close = (server) => new Promise((resolve) => server.close(resolve));

// The partner application: vouches for contact 7 when the token starts with "good-".
const partner = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const good = JSON.parse(body).token.startsWith('good-');
    res.writeHead(good ? 200 : 401, { 'content-type': 'application/json' }).end(good ? '{"ContactId":7}' : '{}');
  });
});
const partnerOrigin = await listen(partner);

const sender = generateKeyPairSync('ec', { namedCurve: 'P-256' });
writeFileSync('sender.pem', sender.privateKey.export({ format: 'pem', type: 'pkcs8' }));
const users = new Map([['7', { id: 'u-7', contactId: '7' }]]);

const { store, release } = await openStore();
const login = createLoginWithToken({
  ...(store ? { store, hashKey: 'consumer-hash-key-0123456789' } : {}),
  http: { allowPrivateAddresses: ['127.0.0.1'] },
  commands: {
    LoginWithToken: { url: `${partnerOrigin}/validate`, body: '{"token":"{authToken}"}' },
    VerifyCredentials: { run: ({ username, password }) => (username === 'seven' && password === 'seven-password' ? { ContactId: 7 } : null) },
  },
  logon: {
    tokenTypes: {
      apitoken: { kind: 'apitoken' },
      InfoShareToken: { kind: 'signed-sender', keys: [sender.publicKey.export({ format: 'pem', type: 'spki' })], algorithms: ['ES256'] },
    },
    jwt: { privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) },
  },
  resolveUser: ({ contactId }) => users.get(contactId) ?? null,
});

const auth = new passport.Passport();
auth.serializeUser((user, done) => done(null, user.id));
auth.deserializeUser((id, done) => done(null, [...users.values()].find((user) => user.id === id) ?? false));
const app = express();
app.use(session({ secret: 'consumer-session-secret', resave: false, saveUninitialized: false }));
app.use(auth.initialize());
app.use(auth.session());
app.use(login.router);
app.get('/whoami', (req, res) => res.json({ user: req.user?.id ?? null }));
app.get('/api/me', login.bearer, (req, res) => res.json({ user: req.user.id }));
app.use(login.apiErrorHandler);
const portal = createServer(app);
const portalOrigin = await listen(portal);

const post = (path, body) => fetch(portalOrigin + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const me = async (bearer) => (await (await fetch(`${portalOrigin}/api/me`, { headers: { authorization: `Bearer ${bearer}` } })).json()).user;

try {
  const authToken = `good-${randomUUID()}`;
  const handoff = await fetch(`${portalOrigin}/authentication/login?authToken=${authToken}&returnTo=/whoami`, { redirect: 'manual' });
  const cookie = handoff.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const signedIn = await (await fetch(portalOrigin + handoff.headers.get('location'), { headers: { cookie } })).json();
  const replay = await fetch(`${portalOrigin}/authentication/login?authToken=${authToken}`, { headers: { accept: 'application/json' } });

  const issued = await (await post('/authentication/token', { username: 'seven', password: 'seven-password', organisation: 'X' })).json();

  const apiToken = storeKind === 'postgres' ? process.env.API_TOKEN : (await login.apiTokens.create({ userId: 'u-7', contactId: '7' })).token;
  const byApiToken = (await (await post('/Authentication/LogonWithToken', { token: apiToken, tokenType: 'apitoken' })).json()).LogonWithToken;

  const signed = execFileSync('node_modules/.bin/login-with-token', ['sign-token', '--key', 'sender.pem', '--contact-id', '7'], { encoding: 'utf8' }).trim();
  const bySigned = await post('/Authentication/LogonWithToken', { token: signed, tokenType: 'InfoShareToken' });
  const signedReplay = await post('/Authentication/LogonWithToken', { token: signed, tokenType: 'InfoShareToken' });

  console.log(
    JSON.stringify({
      versions,
      store: store ? store.constructor.name : 'MemoryStore',
      handoff: { status: handoff.status, location: handoff.headers.get('location'), user: signedIn.user, replay: (await replay.json()).error.number },
      sessionToken: { user: await me(issued.data.token) },
      logonWithApiToken: { user: await me(byApiToken.JWTToken), byConnectionId: await me(byApiToken.ConnectionId), absent: byApiToken.AbsenceInfo?.Absent ?? null },
      logonWithSignedToken: { status: bySigned.status, user: await me((await bySigned.json()).LogonWithToken.JWTToken), replay: (await signedReplay.json()).error.number },
    }),
  );
} finally {
  portal.closeAllConnections();
  await Promise.all([close(portal), close(partner), login.close()]);
  await release();
}

/** The store to run on, and how to give it back. */
async function openStore() {
  if (storeKind === 'postgres') return openPostgresStore();
  if (storeKind !== 'redis') return { store: undefined, release: async () => undefined };
  const [{ Redis }, { RedisStore }] = await Promise.all([import('ioredis'), import('login-with-token/redis')]);
  const client = new Redis(storeUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true });
  await client.connect();
  const prefix = `lwt-consumer:${randomUUID()}:`;
  return {
    store: new RedisStore({ client, prefix }),
    release: async () => {
      const keys = await client.keys(`${prefix}*`);
      if (keys.length > 0) await client.del(...keys);
      client.disconnect();
    },
  };
}

/** PostgresStore on the project's pg, over the tables the CLI made in `schema` (the test drops it). */
async function openPostgresStore() {
  const [{ default: pg }, { PostgresStore }] = await Promise.all([import('pg'), import('login-with-token/postgres')]);
  const pool = new pg.Pool({ connectionString: storeUrl, max: 4, connectionTimeoutMillis: 2000 });
  const store = new PostgresStore({ pool, schema });
  return {
    store,
    release: async () => {
      await store.close();
      await pool.end();
    },
  };
}
