import { beforeEach, describe, expect, it } from 'vitest';
import type { StoredSession } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { storeKeys } from '../src/store/store-keys.js';
import { describePostgres, twoInstancesEachTest } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';

// What every session store does is in the store contract (test/support/store-contract.ts); here
// what is particular to PostgreSQL: the write order across instances, which uses write the row,
// and the columns.
describePostgres('PostgresSessionStore', () => {
  let start: number;
  let now: number;
  let a: PostgresStore;
  let b: PostgresStore;
  const clock = () => now;

  const instances = twoInstancesEachTest(clock);

  beforeEach(() => {
    start = now = Date.parse('2026-11-28T12:00:00Z');
    ({ a, b } = instances);
  });

  const session = (overrides: Partial<StoredSession> = {}): StoredSession => ({
    kind: 'connection',
    tenant: 'acme',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'jwt' },
    createdAt: start,
    expiresAt: start + 25_000,
    idleTimeoutMs: 10_000,
    ...overrides,
  });
  const keyOf = (secret: string) => storeKeys.sessionToken(recordSecret(`${secret}-${instances.schema}`));
  /** The row as stored, with `xmin`: it changes with every write of the row, and only then. */
  const row = async (key: string) =>
    (
      await instances.pools[0]!.query<{ xmin: string; idle_until: string; expires_at: string; pending: boolean; session: Record<string, unknown> }>(
        `SELECT xmin::text, idle_until, expires_at, pending, session FROM ${a.tables.sessions} WHERE key = $1`,
        [key],
      )
    ).rows[0];

  it('gives a session committed later a later place, so no instance lists a user’s sessions without one committed before', async () => {
    // A's insert takes its place in the order and then commits slowly (a slow disk, a synchronous
    // standby); B's insert for the same user comes meanwhile. B must not commit, and list, first.
    const slow = keyOf('slow-commit');
    await instances.pools[0]!.query(`CREATE FUNCTION "${instances.schema}".slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.key = '${slow}' THEN PERFORM pg_sleep(0.4); END IF; RETURN NEW; END $$`);
    await instances.pools[0]!.query(`CREATE TRIGGER slow_insert AFTER INSERT ON ${a.tables.sessions} FOR EACH ROW EXECUTE FUNCTION "${instances.schema}".slow_insert()`);
    const first = a.sessions.create(slow, session());
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fast = keyOf('fast-commit');
    await b.sessions.create(fast, session());
    expect((await b.sessions.listForUser('acme', 'u-1')).map((entry) => entry.key)).toEqual([slow, fast]);
    await first;
    expect((await a.sessions.listForUser('acme', 'u-1')).map((entry) => entry.key)).toEqual([slow, fast]);
  });

  it('names its tables quoted and qualified by the schema', () => {
    expect(a.tables.sessions).toBe(`"${instances.schema}"."lwt_sessions"`);
    expect(b.tables).toEqual(a.tables);
  });

  describe('listForUser', () => {
    it('gives each user’s sessions in write order, the same on both instances, whatever createdAt says', async () => {
      const keys = ['lwts_order-1', 'lwts_order-2', 'lwts_order-3', 'lwts_order-4'].map(keyOf);
      for (const [i, key] of keys.entries()) {
        // Written alternately by A and B, createdAt running backwards.
        await (i % 2 === 0 ? a : b).sessions.create(key, session({ createdAt: start - i * 1000 }));
      }
      const listed = await a.sessions.listForUser('acme', 'u-1');
      expect(listed.map((entry) => entry.key)).toEqual(keys);
      expect(listed[1]).toEqual({ key: keys[1], kind: 'connection', createdAt: start - 1000 });
      expect(await b.sessions.listForUser('acme', 'u-1')).toEqual(listed);
    });

    it('agrees on both instances when creates run at the same time', async () => {
      const keys = Array.from({ length: 20 }, (_, i) => keyOf(`lwts_concurrent-${i}`));
      await Promise.all(keys.map((key, i) => (i % 2 === 0 ? a : b).sessions.create(key, session())));
      const onA = await a.sessions.listForUser('acme', 'u-1');
      expect(onA.map((entry) => entry.key).sort()).toEqual([...keys].sort());
      expect(await b.sessions.listForUser('acme', 'u-1')).toEqual(onA);
    });
  });

  describe('use', () => {
    it('only reads a session without idle timeout: the row is not written', async () => {
      const key = keyOf('lwts_fixed');
      await a.sessions.create(key, session({ kind: 'session-token', idleTimeoutMs: undefined }));
      const written = await row(key);
      expect(written?.idle_until).toBe(String(start + 25_000));
      now += 20_000;
      expect(await b.sessions.use(key, 'acme')).toEqual(session({ kind: 'session-token', idleTimeoutMs: undefined }));
      expect(await row(key)).toEqual(written);
    });

    it('slides idle_until of a session with an idle timeout, never past expires_at', async () => {
      const key = keyOf('lwts_sliding');
      await a.sessions.create(key, session());
      const written = await row(key);
      expect(written?.idle_until).toBe(String(start + 10_000));
      now += 9_000;
      expect(await b.sessions.use(key, 'acme')).toEqual(session());
      const slid = await row(key);
      expect(slid?.idle_until).toBe(String(start + 19_000));
      expect(slid?.xmin).not.toBe(written?.xmin);
      now += 9_000;
      await a.sessions.use(key, 'acme');
      expect(await row(key)).toMatchObject({ idle_until: String(start + 25_000), expires_at: String(start + 25_000) });
    });

    it('reads only, while the idle end would move by less than 1 % of the idle timeout', async () => {
      const key = keyOf('lwts_barely-moving');
      await a.sessions.create(key, session());
      const written = await row(key);
      now += 99; // 1 % of the 10 s idle timeout is 100 ms
      expect(await b.sessions.use(key, 'acme')).toEqual(session());
      expect(await row(key)).toEqual(written);
      now += 1;
      await b.sessions.use(key, 'acme');
      expect(await row(key)).toMatchObject({ idle_until: String(start + 10_100) });
    });

    it('changes nothing when asked for another tenant', async () => {
      const key = keyOf('lwts_other-tenant');
      await a.sessions.create(key, session());
      const written = await row(key);
      now += 5_000;
      expect(await b.sessions.use(key, 'globex')).toBeUndefined();
      expect(await row(key)).toEqual(written);
    });
  });

  describe('pending second factor', () => {
    it('keeps the flag in its own column, out of the stored session, and confirm clears it', async () => {
      const key = keyOf('lwts_pending');
      await a.sessions.create(key, session({ pendingSecondFactor: true }));
      const written = await row(key);
      expect(written?.pending).toBe(true);
      expect(written?.session).not.toHaveProperty('pendingSecondFactor');
      expect(written?.session).toEqual(session());
      expect(await b.sessions.use(key, 'acme')).toEqual(session({ pendingSecondFactor: true }));
      const confirmed = await b.sessions.confirm(key);
      expect(confirmed).toEqual(session());
      expect(confirmed).not.toHaveProperty('pendingSecondFactor');
      expect(await row(key)).toMatchObject({ pending: false, session: session() });
      expect(await a.sessions.use(key, 'acme')).toEqual(session());
    });
  });
});
