import { beforeEach, expect, it } from 'vitest';
import type { Reservation } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { storeKeys } from '../src/store/store-keys.js';
import { describePostgres, twoInstancesEachTest } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';

// What every ledger does is in the store contract (test/support/store-contract.ts); here what is
// particular to PostgreSQL: two instances on two pools racing for one row, sweeping under a
// reservation, and what a row holds.
describePostgres('PostgresLedger', () => {
  let now: number;
  /** Two instances of the portal: one schema, a pool each. */
  let a: PostgresStore;
  let b: PostgresStore;
  let key: string;
  const clock = () => now;

  const instances = twoInstancesEachTest(clock);

  beforeEach(() => {
    now = Date.parse('2026-11-28T12:00:00Z');
    ({ a, b } = instances);
    key = storeKeys.authToken(recordSecret(`handoff-token-${instances.schema}`));
  });

  const rows = async () => (await instances.pools[0]!.query(`SELECT * FROM ${a.tables.ledger}`)).rows as { key: string; reservation: string | null; until: string }[];
  const reserved = (reservation: Reservation) => {
    if (reservation.status !== 'reserved') throw new Error(`not reserved: ${reservation.status}`);
    return reservation.id;
  };

  it('grants exactly one of 50 concurrent reservations split between two instances', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? a : b).ledger.reserve(key, 5000)));
    const statuses = results.map((result) => result.status);
    expect(statuses.filter((status) => status === 'reserved')).toHaveLength(1);
    expect(statuses.filter((status) => status === 'in-use')).toHaveLength(49);
    const winner = results.find((result) => result.status === 'reserved') as { id: string };
    expect(await rows()).toEqual([{ key, reservation: winner.id, until: String(now + 5000) }]);
  });

  it('answers used on both instances once one consumed the token', async () => {
    const id = reserved(await a.ledger.reserve(key, 5000));
    expect(await b.ledger.consume(key, id, 600_000)).toBe(true);
    expect(await a.ledger.reserve(key, 5000)).toEqual({ status: 'used' });
    expect(await b.ledger.reserve(key, 5000)).toEqual({ status: 'used' });
  });

  it('leaves the winner’s reservation in place when a lost reservation is released', async () => {
    const lost = reserved(await a.ledger.reserve(key, 5000));
    now += 5001;
    const winner = reserved(await b.ledger.reserve(key, 5000));
    await a.ledger.release(key, lost);
    expect(await rows()).toEqual([{ key, reservation: winner, until: String(now + 5000) }]);
    expect(await a.ledger.reserve(key, 5000)).toEqual({ status: 'in-use' });
  });

  it('spends the token when the holder consumes after the sweep deleted its lapsed row (a slow partner’s yes counts)', async () => {
    const id = reserved(await a.ledger.reserve(key, 5000));
    // The sweep keeps rows five minutes past their end.
    now += 5000 + 5 * 60_000 + 1;
    expect(await b.sweep()).toBe(1);
    expect(await rows()).toEqual([]);
    expect(await a.ledger.consume(key, id, 600_000)).toBe(true);
    expect(await rows()).toEqual([{ key, reservation: null, until: String(now + 600_000) }]);
    expect(await b.ledger.reserve(key, 5000)).toEqual({ status: 'used' });
  });

  it('stores the key it was given, a random holder id and a time: nothing else about the token', async () => {
    const token = recordSecret(`handoff-token-stored-${instances.schema}`);
    const hashed = storeKeys.authToken(token);
    const id = reserved(await a.ledger.reserve(hashed, 5000));
    expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    const [row] = await rows();
    expect(row).toEqual({ key: hashed, reservation: id, until: String(now + 5000) });
    expect(JSON.stringify(row)).not.toContain(token);
  });
});
