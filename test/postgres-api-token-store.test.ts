import { beforeEach, expect, it } from 'vitest';
import type { StoredApiToken } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { storeKeys } from '../src/store/store-keys.js';
import { describePostgres, twoInstancesEachTest } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';

// What every API token store does is in the store contract (test/support/store-contract.ts);
// here what is particular to PostgreSQL: two instances, the order of the list, expired rows and
// the stored JSON.
describePostgres('PostgresApiTokenStore', () => {
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

  const token = (id: string, overrides: Partial<StoredApiToken> = {}): StoredApiToken => ({
    id,
    tenant: 'acme',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'apitoken' },
    createdAt: start,
    ...overrides,
  });
  const keyOf = (id: string) => storeKeys.apiToken(recordSecret(`lwta_secret-of-${id}-${instances.schema}`));
  const rowCount = async () => (await instances.pools[0]!.query(`SELECT 1 FROM ${a.tables.apiTokens}`)).rowCount;

  it('finds on one instance a token created on the other', async () => {
    const key = keyOf('at_1');
    await a.apiTokens.create(key, token('at_1', { name: 'CI pipeline' }));
    expect(await b.apiTokens.find(key)).toEqual(token('at_1', { name: 'CI pipeline' }));
    expect(await b.apiTokens.list('acme')).toEqual([token('at_1', { name: 'CI pipeline' })]);
  });

  it('keeps a revoked token revoked on both instances', async () => {
    const key = keyOf('at_1');
    await a.apiTokens.create(key, token('at_1'));
    expect(await b.apiTokens.revoke('acme', 'at_1')).toBe(true);
    for (const instance of [a, b]) {
      expect(await instance.apiTokens.find(key)).toBeUndefined();
      expect(await instance.apiTokens.list('acme')).toEqual([]);
      expect(await instance.apiTokens.revoke('acme', 'at_1')).toBe(false);
    }
    now += 3_600_000;
    expect(await a.apiTokens.find(key)).toBeUndefined();
    expect(await rowCount()).toBe(0);
  });

  it('lists the live tokens of a tenant, of one user when asked, oldest first', async () => {
    const tokens = [
      token('at_late', { createdAt: start + 3000 }),
      token('at_early', { createdAt: start + 1000 }),
      token('at_other-user', { userId: 'u-2', createdAt: start + 2000 }),
      token('at_other-tenant', { tenant: 'globex', createdAt: start }),
      token('at_expired', { createdAt: start - 1000, expiresAt: start }),
    ];
    for (const [i, stored] of tokens.entries()) await (i % 2 === 0 ? a : b).apiTokens.create(keyOf(stored.id), stored);
    const ids = (list: StoredApiToken[]) => list.map((listed) => listed.id);
    expect(ids(await a.apiTokens.list('acme'))).toEqual(['at_early', 'at_other-user', 'at_late']);
    expect(ids(await b.apiTokens.list('acme', 'u-1'))).toEqual(['at_early', 'at_late']);
    expect(ids(await b.apiTokens.list('acme', 'u-2'))).toEqual(['at_other-user']);
    expect(ids(await a.apiTokens.list('globex'))).toEqual(['at_other-tenant']);
    expect(await a.apiTokens.list('initech')).toEqual([]);
  });

  it('answers false when revoking an expired token, and deletes its row', async () => {
    await a.apiTokens.create(keyOf('at_1'), token('at_1', { expiresAt: start + 1000 }));
    now += 1000;
    expect(await b.apiTokens.revoke('acme', 'at_1')).toBe(false);
    expect(await rowCount()).toBe(0);
  });

  it('gives back the stored JSON as it was, name and expiresAt absent or present', async () => {
    const bare = token('at_bare');
    const full = token('at_full', { name: 'Nightly export', expiresAt: start + 86_400_000 });
    await a.apiTokens.create(keyOf('at_bare'), bare);
    await a.apiTokens.create(keyOf('at_full'), full);
    const found = await b.apiTokens.find(keyOf('at_bare'));
    expect(found).toStrictEqual(bare);
    expect(Object.keys(found!)).not.toContain('name');
    expect(Object.keys(found!)).not.toContain('expiresAt');
    expect(await b.apiTokens.find(keyOf('at_full'))).toStrictEqual(full);
    const columns = await instances.pools[0]!.query<{ id: string; expires_at: string | null }>(`SELECT id, expires_at FROM ${a.tables.apiTokens} ORDER BY id`);
    expect(columns.rows).toEqual([
      { id: 'at_bare', expires_at: null },
      { id: 'at_full', expires_at: String(start + 86_400_000) },
    ]);
  });

  // FAILS: src/store/postgres/postgres-api-token-store.ts writes token.createdAt into a bigint
  // column unrounded; a clock with fractions of a millisecond (sessions and the ledger round it) makes create throw.
  it('stores a token created on a clock with fractions of a millisecond, like the other roles', async () => {
    const fractional = token('at_fraction', { createdAt: start + 0.5 });
    await a.apiTokens.create(keyOf('at_fraction'), fractional);
    expect(await b.apiTokens.find(keyOf('at_fraction'))).toStrictEqual(fractional);
  });
});
