// npm start: the example portal and the partner simulator, both in memory.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createPartner } from './partner.js';
import { createPortal } from './portal.js';
import { createServer as createHttpsServer } from 'node:https';
import { senderKeys, senderPrivateKeyPath } from './sender-keys.js';
import { localhostCertificate } from './tls.js';

const portalPort = Number(process.env.PORTAL_PORT ?? 3000);
const partnerPort = Number(process.env.PARTNER_PORT ?? 4000);
const portalHttpsPort = Number(process.env.PORTAL_HTTPS_PORT ?? 3443);
// Different host names make the two apps different sites, as in real life.
const portalOrigin = `http://localhost:${portalPort}`;
const partnerOrigin = `http://127.0.0.1:${partnerPort}`;
const certificate = localhostCertificate();
const portalEmbedOrigin = certificate ? `https://localhost:${portalHttpsPort}` : portalOrigin;
const partnerApiKey = process.env.PARTNER_API_KEY ?? randomBytes(16).toString('hex');

const sender = senderKeys();
// REDIS_URL set: the portal keeps everything in Redis, as every instance behind a load balancer must.
const shared = process.env.REDIS_URL ? await redisSettings(process.env.REDIS_URL) : undefined;

const { app: portal } = createPortal({ partnerOrigin, partnerApiKey, senderPublicKey: sender.publicKey, sessionSecret: process.env.SESSION_SECRET, shared });
const { app: partner } = createPartner({ portalOrigin, portalEmbedOrigin, partnerOrigin, partnerApiKey, senderPrivateKey: sender.privateKey });
if (certificate) createHttpsServer(certificate, portal).listen(portalHttpsPort, 'localhost');

portal.listen(portalPort, 'localhost', () => {
  partner.listen(partnerPort, '127.0.0.1', () => {
    console.log(`Portal:  ${portalOrigin}/`);
    console.log(`Partner: ${partnerOrigin}/   ← open this and click a link`);
    console.log(
      certificate
        ? `Portal (https, for the iframe): ${portalEmbedOrigin}/   ← self-signed: open it once and accept the certificate`
        : 'openssl not found: the iframe demo needs https and is not available',
    );
    console.log(`Sender key for "login-with-token sign-token --key": ${senderPrivateKeyPath}`);
    console.log(shared ? `Store: Redis at ${process.env.REDIS_URL}` : 'Store: in memory (set REDIS_URL to use Redis)');
  });
});

/** Redis for login-with-token and for express-session; secrets every instance must share. */
async function redisSettings(url) {
  const [{ Redis }, { RedisStore }, { default: ConnectRedis }] = await Promise.all([
    import('ioredis'),
    import('login-with-token/redis'),
    import('connect-redis'),
  ]);
  // Fail fast while Redis is away: requests get 503 instead of waiting in a queue.
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  client.on('error', (error) => console.error(`[redis] ${error.message}`));
  await new Promise((resolve) => client.once('ready', resolve));
  // Every instance needs the same hash key and JWT signing key. Production passes them in the
  // environment; the demo agrees on them through Redis (first instance wins) so that several
  // `npm start`s on different ports just work.
  const shared = async (name, make) => {
    if (process.env[name]) return process.env[name].replaceAll('\\n', '\n');
    console.warn(`[demo] ${name} not set: using a value shared through Redis. Set it in production.`);
    await client.set(`example-portal:demo:${name}`, make(), 'NX');
    return client.get(`example-portal:demo:${name}`);
  };
  return {
    store: new RedisStore({ client, prefix: 'example-portal:' }),
    sessionStore: new ConnectRedis({ client, prefix: 'example-portal:sess:' }),
    hashKey: await shared('LOGIN_HASH_KEY', () => randomBytes(32).toString('hex')),
    jwtPrivateKey: await shared('LOGIN_JWT_PRIVATE_KEY', () =>
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
    ),
  };
}
