import type pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it, vi } from 'vitest';
import type { StoredSession } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { createPool, describePostgres, migratedStore, type MigratedStore } from './support/postgres.js';

/** Runs `work` for 0…count-1, `width` at a time (the pool's queue is bounded). */
async function inBatches(count: number, work: (i: number) => Promise<unknown>, width = 50): Promise<void> {
  for (let from = 0; from < count; from += width) {
    await Promise.all(Array.from({ length: Math.min(width, count - from) }, (_, offset) => work(from + offset)));
  }
}

describePostgres('PostgresSweeper (through PostgresStore.sweep)', () => {
  let pools: pg.Pool[];
  const start = Date.parse('2026-11-28T12:00:00Z');
  let now: number;
  let migrated: MigratedStore;
  let store: PostgresStore;
  const clock = () => now;
  const expiredAfterMs = 1000;
  const liveForMs = 3_600_000;
  /** The sweep keeps rows five minutes past their end (instances' clocks differ a little). */
  const pastGraceMs = 5 * 60_000 + expiredAfterMs;

  beforeAll(() => {
    // Thousands of one-row commits to seed: not waiting for each to reach the disk keeps this quick.
    pools = [createPool({ options: '-c synchronous_commit=off' }), createPool({ options: '-c synchronous_commit=off' })];
  });
  afterAll(() => Promise.all(pools.map((pool) => pool.end())));
  beforeEach(async () => {
    now = start;
    migrated = await migratedStore(pools[0]!, { now: clock, sweepBatchSize: 1000 });
    store = migrated.store;
  });
  afterEach(() => migrated.drop());

  const session = (overrides: Partial<StoredSession>): StoredSession => ({
    kind: 'session-token',
    tenant: 'acme',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'credentials' },
    createdAt: now,
    expiresAt: now + liveForMs,
    ...overrides,
  });

  /** Rows per table, by role. */
  async function counts(): Promise<Record<'ledger' | 'sessions' | 'apiTokens' | 'rateLimits', number>> {
    const count = async (table: string) => Number((await pools[0]!.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
    const { ledger, sessions, apiTokens, rateLimits } = store.tables;
    return { ledger: await count(ledger), sessions: await count(sessions), apiTokens: await count(apiTokens), rateLimits: await count(rateLimits) };
  }

  /**
   * Writes, at the current time, `ledger` ledger entries (a fifth of them used) and a few rows
   * of every other role that are over once `expiredAfterMs` passed, and as many that stay live.
   * @returns how many rows will have expired
   */
  async function seed(tag: string, ledger: number): Promise<number> {
    const few = 20;
    // A consume with no reservation before it writes a used entry: one statement either way.
    await inBatches(ledger, (i) =>
      i % 5 === 0 ? store.ledger.consume(`${tag}-expired-${i}`, 'slow-partner', expiredAfterMs) : store.ledger.reserve(`${tag}-expired-${i}`, expiredAfterMs),
    );
    await inBatches(few, async (i) => {
      await store.ledger.reserve(`${tag}-live-${i}`, liveForMs);
      // Past its absolute end; past its idle end; live without idle timeout; live with one.
      await store.sessions.create(`${tag}-ended-${i}`, session({ expiresAt: now + expiredAfterMs }));
      await store.sessions.create(`${tag}-idle-${i}`, session({ idleTimeoutMs: expiredAfterMs }));
      await store.sessions.create(`${tag}-live-${i}`, session({}));
      await store.sessions.create(`${tag}-live-idle-${i}`, session({ idleTimeoutMs: liveForMs }));
      const token = { tenant: 'acme', userId: 'u-1', identity: { contactId: '1001', tokenType: 'apitoken' }, createdAt: now };
      await store.apiTokens.create(`${tag}-expired-${i}`, { ...token, id: `${tag}-expired-${i}`, expiresAt: now + expiredAfterMs });
      await store.apiTokens.create(`${tag}-forever-${i}`, { ...token, id: `${tag}-forever-${i}` });
      await store.apiTokens.create(`${tag}-live-${i}`, { ...token, id: `${tag}-live-${i}`, expiresAt: now + liveForMs });
      await store.rateLimits.add(`${tag}-closed-${i}`, 1, expiredAfterMs);
      await store.rateLimits.add(`${tag}-open-${i}`, 1, liveForMs);
    });
    return ledger + 2 * few + few + few;
  }

  /** The rows seeded as live, by role: `few` each for the ledger and rate limits, twice that otherwise. */
  const liveRows = (few = 20) => ({ ledger: few, sessions: 2 * few, apiTokens: 2 * few, rateLimits: few });

  it('deletes exactly the expired rows, batch after batch, and counts them', async () => {
    // 2,500 expired ledger entries: three batches of 1000 for that table alone.
    const expired = await seed('big', 2500);
    const before = await counts();
    now += expiredAfterMs + 60_000;
    // Over for a minute: an instance whose clock runs that far ahead must not delete a used token.
    expect(await store.sweep()).toBe(0);
    now += pastGraceMs;
    const deleted = await store.sweep();
    expect(deleted).toBe(expired);
    const after = await counts();
    expect(after).toEqual(liveRows());
    expect(Object.values(before).reduce((x, y) => x + y) - Object.values(after).reduce((x, y) => x + y)).toBe(deleted);
    // The live rows are the ones still there, and they still work.
    expect(await store.ledger.reserve('big-live-3', 1000)).toEqual({ status: 'in-use' });
    expect(await store.sessions.use('big-live-idle-3', 'acme')).toBeDefined();
    expect(await store.apiTokens.find('big-forever-3')).toBeDefined();
    expect(await store.sweep()).toBe(0);
  });

  it('lets two instances sweep the same schema at once: every row goes, once', async () => {
    // Small batches, so that both run many statements over the same rows at the same time.
    const expired = await seed('twice', 600);
    const [one, other] = pools.map((pool) => migrated.instanceOn(pool, { now: clock, sweepBatchSize: 50 }));
    try {
      now += pastGraceMs;
      const deleted = await Promise.all([one!.sweep(), other!.sweep()]);
      expect(deleted[0] + deleted[1]).toBe(expired);
      expect(await counts()).toEqual(liveRows());
    } finally {
      await Promise.all([one!.close(), other!.close()]);
    }
  });

  it('joins a sweep still running instead of starting a second one', async () => {
    const expired = await seed('joined', 50);
    now += pastGraceMs;
    const running = store.sweep();
    expect(store.sweep()).toBe(running);
    expect(await running).toBe(expired);
    const next = store.sweep();
    expect(next).not.toBe(running);
    expect(await next).toBe(0);
  });

  it('sweeps every sweepIntervalMs on its own, until close()', async () => {
    const timed = migrated.instanceOn(pools[1]!, { now: clock, sweepIntervalMs: 25 });
    try {
      await seed('timed', 20);
      now += pastGraceMs;
      await vi.waitFor(async () => expect(await counts()).toEqual(liveRows()), { timeout: 5000, interval: 25 });
      await timed.close();
      const sweep = vi.spyOn(timed, 'sweep');
      await seed('closed', 20);
      now += pastGraceMs;
      // Ten intervals: an interval left running would have swept by now.
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(sweep).not.toHaveBeenCalled();
      // Both seeds' live rows and the second seed's expired ones.
      expect(await counts()).toEqual({ ledger: 60, sessions: 120, apiTokens: 100, rateLimits: 60 });
    } finally {
      await timed.close();
    }
  });
});
