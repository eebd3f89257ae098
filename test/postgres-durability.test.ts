import type pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PostgresStore } from '../src/postgres.js';
import type { TestPortal } from './support/portal-app.js';
import { createSharedStorePortal, HandoffPartner } from './support/postgres-portal.js';
import { createPool, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';

// API tokens are meant to outlive the process that issued them: a portal, its store and its pool
// go away completely, and a new one on the same schema takes over.
describePostgres('API tokens across a restart on PostgreSQL', () => {
  const schema = uniqueSchema();
  const partner = new HandoffPartner();
  let admin: pg.Pool;

  /** A portal started from nothing but the database and schema, as a fresh process would. */
  async function startPortal(): Promise<{ portal: TestPortal; stop: () => Promise<void> }> {
    const pool = createPool();
    const store = new PostgresStore({ pool, schema });
    await store.migrate();
    const portal = createSharedStorePortal(store, partner);
    return {
      portal,
      stop: async () => {
        await portal.login.close();
        await store.close();
        await pool.end();
      },
    };
  }

  const logon = (portal: TestPortal, token: string) => request(portal.app).post('/Authentication/LogonWithToken').send({ token, tokenType: 'apitoken' });

  beforeAll(() => {
    admin = createPool({ max: 1 });
  });
  afterAll(async () => {
    await dropSchema(admin, schema);
    await admin.end();
  });

  it('keeps live tokens (secret, metadata) and forgets revoked ones', async () => {
    const first = await startPortal();
    const kept = await first.portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001', name: 'Nightly export' });
    const revoked = await first.portal.login.apiTokens.create({ userId: 'u-alice', contactId: '1001', name: 'Old laptop' });
    recordSecret(kept.token);
    recordSecret(revoked.token);
    expect((await logon(first.portal, revoked.token)).status).toBe(200);
    expect(await first.portal.login.apiTokens.revoke(revoked.id)).toBe(true);
    expect((await logon(first.portal, revoked.token)).body.error).toMatchObject({ code: 'api_token_invalid', number: 10268 });
    await first.stop();

    const second = await startPortal();
    try {
      const res = await logon(second.portal, kept.token);
      expect(res.status).toBe(200);
      const connection = recordSecret(res.body.LogonWithToken.ConnectionId as string);
      recordSecret(res.body.LogonWithToken.JWTToken as string);
      const me = await request(second.portal.app).get('/api/me').set('authorization', `Bearer ${connection}`);
      expect(me.status).toBe(200);
      expect(me.body.user).toBe('u-alice');

      const refused = await logon(second.portal, revoked.token);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toMatchObject({ code: 'api_token_invalid', number: 10268 });
      expect(await second.portal.login.apiTokens.revoke(revoked.id)).toBe(false);

      const { token: _secret, ...metadata } = kept;
      const listed = await second.portal.login.apiTokens.list({ userId: 'u-alice' });
      expect(listed).toEqual([metadata]);
      expect(JSON.stringify(listed)).not.toContain(kept.token);
    } finally {
      await second.stop();
    }
  });
});
