// npm start: the example portal and the partner simulator, both in memory — or on PostgreSQL
// (DATABASE_URL), Redis (REDIS_URL), or both. OTEL=1 adds OpenTelemetry metrics (Prometheus on
// METRICS_PORT) and traces (to OTEL_EXPORTER_OTLP_ENDPOINT, when set).
import { randomBytes } from 'node:crypto';
import { createPartner } from './partner.js';
import { createPortal } from './portal.js';
import { postgresAndRedisSettings } from './postgres-and-redis.js';
import { postgresSettings } from './postgres.js';
import { redisSettings } from './redis.js';
import { createServer as createHttpsServer } from 'node:https';
import { senderKeys, senderPrivateKeyPath } from './sender-keys.js';
import { localhostCertificate } from './tls.js';

// The SDK first: the package looks up OpenTelemetry's providers when the portal is built.
const otlp = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
const telemetry = process.env.OTEL ? await (await import('./telemetry.js')).registerTelemetry({ metricsPort: Number(process.env.METRICS_PORT ?? 9464), otlp }) : undefined;

const portalPort = Number(process.env.PORTAL_PORT ?? 3000);
const partnerPort = Number(process.env.PARTNER_PORT ?? 4000);
// 3000 → 3443: a second instance on PORTAL_PORT=3001 gets 3444 instead of colliding.
const portalHttpsPort = Number(process.env.PORTAL_HTTPS_PORT ?? portalPort + 443);
// Different host names make the two apps different sites, as in real life.
const portalOrigin = `http://localhost:${portalPort}`;
const partnerOrigin = `http://127.0.0.1:${partnerPort}`;
const certificate = localhostCertificate();
const portalEmbedOrigin = certificate ? `https://localhost:${portalHttpsPort}` : portalOrigin;
const partnerApiKey = process.env.PARTNER_API_KEY ?? randomBytes(16).toString('hex');

const sender = senderKeys();
// DATABASE_URL or REDIS_URL set: the portal keeps everything where every instance behind a load
// balancer finds it. DATABASE_SCHEMA picks the PostgreSQL schema (default example_portal).
const { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, DATABASE_SCHEMA: schema } = process.env;
const shared =
  databaseUrl && redisUrl ? await postgresAndRedisSettings(databaseUrl, redisUrl, { schema })
  : databaseUrl ? await postgresSettings(databaseUrl, { schema })
  : redisUrl ? await redisSettings(redisUrl)
  : undefined;

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
    console.log(`Store: ${storeDescription()}`);
    if (telemetry) console.log(`Metrics: ${telemetry.metricsUrl}${otlp ? '; traces to the OTLP collector' : ''}`);
  });
});

/** Where the portal keeps its state, for the start-up line. */
function storeDescription() {
  const database = () => `PostgreSQL at ${hostAndDatabase(databaseUrl)}, schema ${shared.schema}`;
  if (databaseUrl && redisUrl) return `${database()} (session tokens, API tokens) and Redis at ${hostAndDatabase(redisUrl)} (ledger, rate limits, browser sessions)`;
  if (databaseUrl) return database();
  if (redisUrl) return `Redis at ${hostAndDatabase(redisUrl)}`;
  return 'in memory (set REDIS_URL to use Redis, DATABASE_URL to use PostgreSQL)';
}

/** host:port/database of a connection URL, never its user name or password. */
function hostAndDatabase(url) {
  const { hostname, port, pathname } = new URL(url);
  return `${hostname}${port ? `:${port}` : ''}${pathname}`;
}

// Ctrl-C or a stop: the last spans still reach the collector.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    Promise.resolve(telemetry?.shutdown()).finally(() => process.exit(0));
  });
}
