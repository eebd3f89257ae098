import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAndRedisSettings } from '../example-app/postgres-and-redis.js';
import { postgresSettings } from '../example-app/postgres.js';
import { redisSettings } from '../example-app/redis.js';
import { startExampleServers, type ExampleServers } from './support/example-servers.js';
import { createPool, databaseUrl, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { deleteKeys, describeRedis, dumpKeys, redisUrl, uniquePrefix } from './support/redis.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';
import { expectBearerChallenge, expectLoginError, expectSignedIn, issueSessionToken, logonWithToken, signInWithHandoff } from '../src/testing.js';

let servers: ExampleServers;
beforeAll(async () => {
  servers = await startExampleServers();
});
afterAll(() => servers.close());

/** Clicks a partner link: the one-time token and the handoff path it leads to. */
async function clickPartnerLink(path: string, on = servers) {
  const click = await request(on.partner).get(path);
  expect(click.status).toBe(302);
  const handoff = new URL(click.headers['location'] as string);
  expect(handoff.origin).toBe(on.portalOrigin);
  const token = recordSecret(handoff.searchParams.get('authToken')!);
  return { token, returnTo: handoff.searchParams.get('returnTo') ?? undefined, handoffPath: handoff.pathname + handoff.search };
}

/** Clicks a partner link and signs in through the handoff with a cookie-keeping client. */
async function openPortalAs(path: string, on = servers) {
  const { token, returnTo, handoffPath } = await clickPartnerLink(path, on);
  const browser = await signInWithHandoff(request.agent(on.portal), { token, returnTo });
  return { browser, handoffPath };
}

describe('example portal with the partner simulator', () => {
  it('lists the people the partner can send', async () => {
    const page = await request(servers.partner).get('/');
    expect(page.text).toContain('data-person="alice"');
    expect(page.text).toContain('/embedded/alice');
  });

  it('signs Alice in by ContactId and lands on the invoice without the token in the URL', async () => {
    const { handoffPath } = await clickPartnerLink('/go/alice?returnTo=/invoices/42');
    const browser = request.agent(servers.portal);
    const landed = await browser.get(handoffPath);
    expectSignedIn(landed);
    expect(landed.headers['location']).toBe('/invoices/42');
    const invoice = await browser.get('/invoices/42');
    expect(invoice.text).toContain('data-signed-in-as="alice@example.com"');
    expect(invoice.text).toContain('data-chrome');
  });

  it('signs Bob in by an e-mail in another case', async () => {
    const { browser } = await openPortalAs('/go/bob?returnTo=/');
    expect((await browser.get('/')).text).toContain('data-signed-in-as="Bob@Example.com"');
  });

  it('refuses Carol, who is deactivated', async () => {
    const { handoffPath } = await clickPartnerLink('/go/carol');
    expectLoginError(await request(servers.portal).get(handoffPath), 'user_deactivated');
  });

  it('shows the 10376 error page when a link is used twice', async () => {
    const { handoffPath } = await openPortalAs('/go/alice');
    expectLoginError(await request(servers.portal).get(handoffPath), 'token_invalid');
  });

  it('renders without chrome after an embedded handoff', async () => {
    const frame = await request(servers.partner).get('/embedded/alice');
    const src = /<iframe title="portal" src="([^"]+)"/.exec(frame.text)![1]!.replaceAll('&amp;', '&');
    const handoff = new URL(src);
    recordSecret(handoff.searchParams.get('authToken')!);
    expect(handoff.searchParams.get('noChrome')).toBe('true');
    // Embedded sessions need https; the portal trusts its loopback proxy's X-Forwarded-Proto.
    const signedIn = await request(servers.portal).get(handoff.pathname + handoff.search).set('x-forwarded-proto', 'https').expect(303);
    const cookie = (signedIn.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('portal.sid='))!;
    expect(cookie).toMatch(/SameSite=None/);
    expect(cookie).toMatch(/Partitioned/);
    expect(signedIn.headers['content-security-policy']).toBe(`frame-ancestors ${servers.partnerOrigin}`);
    const page = await request(servers.portal).get('/invoices/42').set('x-forwarded-proto', 'https').set('cookie', cookie.split(';')[0]!);
    expect(page.text).toContain('data-signed-in-as="alice@example.com"');
    expect(page.text).not.toContain('data-chrome');
  });

  it('issues a session token for the README curl example and serves the API with it', async () => {
    const token = await sessionTokenOfAlice(servers);
    const invoices = await request(servers.portal).get('/api/invoices').set('authorization', `Bearer ${token}`);
    expect(invoices.body.owner).toBe('alice@example.com');
    await request(servers.portal).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
    expectBearerChallenge(await request(servers.portal).get('/api/invoices').set('authorization', `Bearer ${token}`), { error: 'invalid_token' });
  });

  it('accepts the kiosk access token of the README', async () => {
    const token = await issueSessionToken(servers.portal, { access_token_identifier: { identifier: 'kiosk-1', pass_code: '0000' }, organisation: 'DEMO' });
    const me = await request(servers.portal).get('/api/me').set('authorization', `Bearer ${recordSecret(token)}`);
    expect(me.body.name).toBe('Bob Baker');
  });

  it('accepts a bearer token the partner issued, validated through ValidateBearer', async () => {
    const minted = await request(servers.partner).post('/api-token/bob');
    const token = recordSecret(minted.body.access_token);
    const me = await request(servers.portal).get('/api/me').set('authorization', `Bearer ${token}`);
    expect(me.body).toMatchObject({ name: 'Bob Baker', via: 'bearer' });
  });

  describe('LogonWithToken as in the README', () => {
    const logon = (body: object) => request(servers.portal).post('/Authentication/LogonWithToken').send(body);

    it('accepts the JWT profile with an ID token from the partner', async () => {
      const idToken = recordSecret((await request(servers.partner).post('/id-token/bob')).body.id_token);
      const connection = await logonWithToken(servers.portal, { tenantName: 'DEMO', token: idToken, tokenType: 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6' });
      const me = await request(servers.portal).get('/api/me').set('authorization', `Bearer ${recordSecret(connection.JWTToken)}`);
      expect(me.body.name).toBe('Bob Baker');
    });

    it('accepts a signed sender token from the partner, once', async () => {
      const token = recordSecret((await request(servers.partner).post('/signed-token/alice')).body.token);
      recordSecret((await logonWithToken(servers.portal, { tenantName: 'DEMO', token, tokenType: 'InfoShareToken' })).JWTToken);
      expectLoginError(await logon({ tenantName: 'DEMO', token, tokenType: 'InfoShareToken' }), 'token_invalid');
    });

    it('accepts an API token the user created', async () => {
      const apiToken = await apiTokenOfAlice(servers);
      const connection = await logonWithToken(servers.portal, { tenantName: 'DEMO', token: apiToken, tokenType: 'apitoken' });
      const me = await request(servers.portal).get('/api/me').set('authorization', `Bearer ${recordSecret(connection.ConnectionId)}`);
      expect(me.body).toMatchObject({ name: 'Alice Archer', via: 'connection-id' });
    });
  });

  it('refuses a cross-site POST to the portal but not its own', async () => {
    const cross = await request(servers.portal).post('/logout').set('sec-fetch-site', 'cross-site');
    expect(cross.status).toBe(403);
    const own = await request(servers.portal).post('/logout').set('sec-fetch-site', 'same-origin');
    expect(own.status).toBe(303);
  });

  it('logs audit lines without any token', () => {
    expect(servers.logLines.length).toBeGreaterThan(0);
    expect(leakedSecrets(servers.logLines.join('\n'))).toEqual([]);
  });
});

describeRedis('example portal on Redis (REDIS_URL)', () => {
  let shared: Awaited<ReturnType<typeof redisSettings>>;
  let onRedis: ExampleServers;
  let prefix: string;
  beforeAll(async () => {
    prefix = uniquePrefix();
    shared = await redisSettings(redisUrl, prefix);
    onRedis = await startExampleServers({ shared });
  });
  afterAll(async () => {
    await onRedis?.close();
    const keys = Object.keys(await dumpKeys(shared.client, prefix));
    if (keys.length > 0) await shared.client.del(...keys);
    await shared?.close();
  });

  it('keeps the browser session in Redis through connect-redis and the one-time token in the RedisStore', async () => {
    const { browser, handoffPath } = await openPortalAs('/go/alice?returnTo=/invoices/42', onRedis);
    expect((await browser.get('/invoices/42')).text).toContain('data-signed-in-as="alice@example.com"');
    const keys = Object.keys(await dumpKeys(shared.client, prefix));
    expect(keys.filter((key) => key.startsWith(`${prefix}sess:`))).toHaveLength(1);
    expect(keys.filter((key) => key.startsWith(`${prefix}ledger:`))).toHaveLength(1);
    expectLoginError(await request(onRedis.portal).get(handoffPath), 'token_invalid');
  });
});

/** A session token for Alice from `on`'s token endpoint. */
async function sessionTokenOfAlice(on: ExampleServers) {
  return recordSecret(await issueSessionToken(on.portal, { username: 'alice', password: recordSecret('alice-password'), organisation: 'DEMO' }));
}

/** An API token Alice creates on `on`. */
async function apiTokenOfAlice(on: ExampleServers) {
  const created = await request(on.portal).post('/api/api-tokens').set('authorization', `Bearer ${await sessionTokenOfAlice(on)}`);
  expect(created.status).toBe(201);
  return recordSecret(created.body.token);
}

/** The `portal.sid` cookie a response set, ready for a `cookie` header. */
function portalCookie(response: request.Response) {
  const lines = response.headers['set-cookie'] as unknown as string[];
  return lines.find((line) => line.startsWith('portal.sid='))!.split(';')[0]!;
}

/** How many rows `table` of `schema` holds, optionally only those matching `where`. */
async function countRows(pool: pg.Pool, schema: string, table: string, where = 'true', values: unknown[] = []) {
  const { rows } = await pool.query<{ count: number }>(`SELECT count(*)::int AS count FROM "${schema}"."${table}" WHERE ${where}`, values);
  return rows[0]!.count;
}

describePostgres('example portal on PostgreSQL (DATABASE_URL)', () => {
  const schema = uniqueSchema();
  // Two instances of the portal on one database, each with its own pool, as two `npm start`s.
  let first: Awaited<ReturnType<typeof postgresSettings>>;
  let second: Awaited<ReturnType<typeof postgresSettings>>;
  let onFirst: ExampleServers;
  let onSecond: ExampleServers;
  let pool: pg.Pool;
  beforeAll(async () => {
    pool = createPool();
    // Started together: the start-up must not trip over the other instance creating the same tables.
    [first, second] = await Promise.all([postgresSettings(databaseUrl, { schema }), postgresSettings(databaseUrl, { schema })]);
    // SESSION_SECRET, the same for both, as a load balancer's instances need.
    const sessionSecret = 'example-session-secret-of-both-instances';
    onFirst = await startExampleServers({ shared: first, sessionSecret });
    onSecond = await startExampleServers({ shared: second, sessionSecret });
  });
  afterAll(async () => {
    await onFirst?.close();
    await onSecond?.close();
    await first?.close();
    await second?.close();
    await dropSchema(pool, schema);
    await pool.end();
  });

  it('agrees on the secrets every instance must share through the database', () => {
    expect(second.hashKey).toBe(first.hashKey);
    expect(second.jwtPrivateKey).toBe(first.jwtPrivateKey);
    expect(first.jwtPrivateKey).toContain('PRIVATE KEY');
  });

  it('signs Alice in through the partner link, with her browser session in PostgreSQL for the other instance', async () => {
    const { handoffPath } = await clickPartnerLink('/go/alice?returnTo=/invoices/42', onFirst);
    const landed = await request(onFirst.portal).get(handoffPath);
    expectSignedIn(landed);
    const cookie = portalCookie(landed);
    // The cookie is "s:<session id>.<signature>", percent-encoded.
    const sid = decodeURIComponent(cookie.slice('portal.sid='.length)).replace(/^s:/, '').replace(/\.[^.]*$/, '');
    expect(await countRows(pool, schema, 'express_sessions', 'sid = $1', [sid])).toBe(1);
    const invoice = await request(onSecond.portal).get('/invoices/42').set('cookie', cookie);
    expect(invoice.text).toContain('data-signed-in-as="alice@example.com"');
    // The ledger is shared too: the link, spent on the first instance, is refused by the second.
    expectLoginError(await request(onSecond.portal).get(handoffPath), 'token_invalid');
  });

  it('issues a session token on one instance that the other accepts and ends', async () => {
    const token = await sessionTokenOfAlice(onFirst);
    expect(await countRows(pool, schema, 'lwt_sessions', "user_id = 'u-1' AND kind = 'session-token'")).toBeGreaterThan(0);
    const me = await request(onSecond.portal).get('/api/me').set('authorization', `Bearer ${token}`);
    expect(me.body).toMatchObject({ name: 'Alice Archer' });
    await request(onSecond.portal).post('/authentication/logout').set('authorization', `Bearer ${token}`).expect(200);
    expectBearerChallenge(await request(onFirst.portal).get('/api/me').set('authorization', `Bearer ${token}`), { error: 'invalid_token' });
  });

  it('logs on at one instance with an API token created on the other', async () => {
    const apiToken = await apiTokenOfAlice(onFirst);
    expect(await countRows(pool, schema, 'lwt_api_tokens', "user_id = 'u-1'")).toBeGreaterThan(0);
    const connection = await logonWithToken(onSecond.portal, { tenantName: 'DEMO', token: apiToken, tokenType: 'apitoken' });
    // The connection and its JWT, made on the second instance, work on the first.
    const connectionId = recordSecret(connection.ConnectionId);
    const jwt = recordSecret(connection.JWTToken);
    expect((await request(onFirst.portal).get('/api/me').set('authorization', `Bearer ${connectionId}`)).body).toMatchObject({ name: 'Alice Archer', via: 'connection-id' });
    expect((await request(onFirst.portal).get('/api/me').set('authorization', `Bearer ${jwt}`)).body).toMatchObject({ name: 'Alice Archer' });
  });

  it('keeps its rows in PostgreSQL without any token in them', async () => {
    await openPortalAs('/go/alice', onFirst);
    const apiToken = await apiTokenOfAlice(onSecond);
    const logon = await request(onFirst.portal).post('/Authentication/LogonWithToken').send({ tenantName: 'DEMO', token: apiToken, tokenType: 'apitoken' });
    recordSecret(logon.body.LogonWithToken.ConnectionId);
    recordSecret(logon.body.LogonWithToken.JWTToken);
    const { rows: tables } = await pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    const rows: Record<string, unknown[]> = {};
    for (const { name } of tables) rows[name] = (await pool.query(`SELECT * FROM "${schema}"."${name}"`)).rows;
    for (const table of ['lwt_ledger', 'lwt_sessions', 'lwt_api_tokens', 'express_sessions']) expect(rows[table]?.length, table).toBeGreaterThan(0);
    expect(leakedSecrets(JSON.stringify(rows))).toEqual([]);
  });

  describeRedis('with Redis beside it (DATABASE_URL and REDIS_URL)', () => {
    const composedSchema = uniqueSchema();
    const prefix = uniquePrefix();
    let composed: Awaited<ReturnType<typeof postgresAndRedisSettings>>;
    let servers: ExampleServers;
    beforeAll(async () => {
      composed = await postgresAndRedisSettings(databaseUrl, redisUrl, { schema: composedSchema, prefix });
      servers = await startExampleServers({ shared: composed });
    });
    afterAll(async () => {
      await servers?.close();
      if (composed) await deleteKeys(composed.client, prefix);
      await composed?.close();
      await dropSchema(pool, composedSchema);
    });
    const redisKeys = async (role: string) => Object.keys(await dumpKeys(composed.client, `${prefix}${role}`));
    const postgresRows = (table: string) => countRows(pool, composedSchema, table);

    it('signs Alice in with the ledger and the browser session in Redis, none of it in PostgreSQL', async () => {
      const { browser } = await openPortalAs('/go/alice?returnTo=/invoices/42', servers);
      expect((await browser.get('/invoices/42')).text).toContain('data-signed-in-as="alice@example.com"');
      expect(await redisKeys('ledger:')).toHaveLength(1);
      expect(await redisKeys('sess:')).toHaveLength(1);
      expect(await postgresRows('lwt_ledger')).toBe(0);
      expect(await pool.query('SELECT to_regclass($1) AS found', [`"${composedSchema}".express_sessions`])).toMatchObject({ rows: [{ found: null }] });
    });

    it('keeps session tokens and API tokens in PostgreSQL and failure counters in Redis', async () => {
      const apiToken = await apiTokenOfAlice(servers);
      const logon = await request(servers.portal).post('/Authentication/LogonWithToken').send({ tenantName: 'DEMO', token: apiToken, tokenType: 'apitoken' });
      const connectionId = recordSecret(logon.body.LogonWithToken.ConnectionId);
      recordSecret(logon.body.LogonWithToken.JWTToken);
      expect((await request(servers.portal).get('/api/me').set('authorization', `Bearer ${connectionId}`)).body).toMatchObject({ name: 'Alice Archer' });
      expect(await postgresRows('lwt_sessions')).toBe(2);
      expect(await postgresRows('lwt_api_tokens')).toBe(1);
      expect(await redisKeys('session:')).toEqual([]);
      expect(await redisKeys('api-token')).toEqual([]);
      const refused = await request(servers.portal)
        .post('/authentication/token')
        .send({ username: 'alice', password: recordSecret('not-alice-password'), organisation: 'DEMO' });
      expect(refused.body.status.code).not.toBe('OK');
      expect((await redisKeys('rate:')).length).toBeGreaterThan(0);
      expect(await postgresRows('lwt_rate_limits')).toBe(0);
    });
  });
});
