import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres.js';
import { newToken, type TestPortal } from './support/portal-app.js';
import { alicePassword, bobDevice, bobPassCode, createSharedStorePortal, HandoffPartner } from './support/postgres-portal.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

/** The tables the store writes to; each must hold rows after the run, or the scan proves nothing. */
const storeTables = ['lwt_ledger', 'lwt_sessions', 'lwt_api_tokens', 'lwt_rate_limits'];

// After every flow ran against one schema, no secret any of them used may be found in any column
// of any table: the store keeps hashes only.
describePostgres('what PostgresStore writes', () => {
  const schema = uniqueSchema();
  const partner = new HandoffPartner();
  let pool: pg.Pool;
  let store: PostgresStore;
  let portal: TestPortal;

  beforeAll(async () => {
    pool = createPool();
    store = new PostgresStore({ pool, schema });
    await store.migrate();
    portal = createSharedStorePortal(store, partner, {
      // Bob's connections need a second factor, so the pending-then-confirmed path runs too.
      logon: { twoStepVerification: (user) => (user.id === 'u-bob' ? { type: 'Email', targetMail: user.email } : { type: 'None' }) },
    });
  });
  afterAll(async () => {
    await portal.login.close();
    await store.close();
    await dropSchema(pool, schema);
    await pool.end();
  });

  /** Every row of every table in the schema, as PostgreSQL renders it as text, by table. */
  async function scanSchema(): Promise<Map<string, string[]>> {
    const { rows: tables } = await pool.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
      [schema],
    );
    const scanned = new Map<string, string[]>();
    for (const { name } of tables) {
      const { rows } = await pool.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${name}" t`);
      scanned.set(name, rows.map(({ row }) => row));
    }
    return scanned;
  }

  it('holds no token, password, pass code, session token, API token secret or connection id', async () => {
    const used: string[] = [];
    const use = (secret: string) => (used.push(recordSecret(secret)), secret);

    // Handoffs: one the partner accepts, one it rejects.
    const accepted = use(partner.token());
    await request(portal.app).get('/authentication/login').query({ authToken: accepted }).expect(303);
    const rejected = use(newToken('pg-unknown'));
    await request(portal.app).get('/authentication/login').query({ authToken: rejected }).expect(401);

    // Session tokens: by password and by pass code, each also with a wrong guess.
    const signIn = (body: object) => request(portal.app).post('/authentication/token').send({ organisation: 'X', ...body });
    const byPassword = use((await signIn({ username: 'alice', password: alicePassword }).expect(200)).body.data.token);
    await signIn({ username: 'alice', password: use('alice-wrong-password-77') }).expect(401);
    const byPassCode = use((await signIn({ access_token_identifier: { identifier: bobDevice, pass_code: bobPassCode } }).expect(200)).body.data.token);
    await signIn({ access_token_identifier: { identifier: bobDevice, pass_code: use('kiosk-7-wrong-pass-code') } }).expect(401);
    used.push(alicePassword, bobPassCode);
    for (const token of [byPassword, byPassCode]) await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`).expect(200);

    // LogonWithToken: Alice's connection, and Bob's, pending until its second factor is confirmed.
    const logon = async (userId: string, contactId: string) => {
      const apiToken = use((await portal.login.apiTokens.create({ userId, contactId, name: `${userId} export` })).token);
      const res = await request(portal.app).post('/Authentication/LogonWithToken').send({ token: apiToken, tokenType: 'apitoken' }).expect(200);
      return { connection: use(res.body.LogonWithToken.ConnectionId), jwt: res.body.LogonWithToken.JWTToken as string };
    };
    const alice = await logon('u-alice', '1001');
    use(alice.jwt);
    const bob = await logon('u-bob', '1002');
    expect(bob.jwt).toBe('');
    const confirmed = await portal.login.confirmSecondFactor(bob.connection);
    expect(confirmed).not.toBe(false);
    use((confirmed as { JWTToken: string }).JWTToken);
    for (const credential of [alice.connection, alice.jwt, bob.connection]) {
      await request(portal.app).get('/api/me').set('authorization', `Bearer ${credential}`).expect(200);
    }

    const scanned = await scanSchema();
    for (const table of storeTables) expect(scanned.get(table)?.length ?? 0, `rows in ${table}`).toBeGreaterThan(0);
    const text = [...scanned.values()].flat().join('\n');
    // The scan reads inside the JSON columns too: an API token's label is there.
    expect(text).toContain('u-alice export');
    for (const secret of used) {
      for (const spelling of new Set([secret, secret.toLowerCase(), encodeURIComponent(secret)])) {
        expect(text.includes(spelling), `a secret of ${secret.length} characters is stored`).toBe(false);
      }
    }
    expect(leakedSecrets(text)).toEqual([]);
  });
});
