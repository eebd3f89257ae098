import { describe, expect, it } from 'vitest';
import type { StoredApiToken } from '../src/store/api-token-store.js';
import { MemoryApiTokenStore } from '../src/store/memory-api-token-store.js';
import { storeKeys } from '../src/store/store-keys.js';
import { recordSecret } from './support/secrets.js';

// What every API token store does is in the store contract (test/support/store-contract.ts);
// here what is particular to memory: expiry at the exact moment, sweeping and tenant checks.
function setup() {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const store = new MemoryApiTokenStore({ now: () => now });
  const token = (overrides: Partial<StoredApiToken> = {}): StoredApiToken => ({
    id: 'at_1',
    tenant: 'acme',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'apitoken' },
    createdAt: now,
    ...overrides,
  });
  return { store, token, advance: (ms: number) => (now += ms) };
}

const keyOf = (secret: string) => storeKeys.apiToken(recordSecret(secret));

describe('MemoryApiTokenStore', () => {
  it('finds a token until the millisecond it expires', async () => {
    const { store, token, advance } = setup();
    const key = keyOf('lwta_expiring-secret-1');
    await store.create(key, token({ expiresAt: Date.parse('2026-11-28T12:00:01Z') }));
    advance(999);
    expect((await store.find(key))?.id).toBe('at_1');
    advance(1);
    expect(await store.find(key)).toBeUndefined();
    expect(await store.list('acme')).toEqual([]);
  });

  it('keeps a token without expiresAt however much time passes', async () => {
    const { store, token, advance } = setup();
    const key = keyOf('lwta_forever-secret-1');
    await store.create(key, token());
    advance(100 * 365 * 24 * 3600_000);
    store.sweep();
    expect(await store.find(key)).toEqual(token({ createdAt: Date.parse('2026-11-28T12:00:00Z') }));
  });

  it('lists only the asked tenant’s tokens, also for a user id that exists in another tenant', async () => {
    const { store, token } = setup();
    await store.create(keyOf('lwta_acme-secret-1'), token());
    await store.create(keyOf('lwta_other-secret-1'), token({ id: 'at_2', tenant: 'other' }));
    expect((await store.list('acme', 'u-1')).map((entry) => entry.id)).toEqual(['at_1']);
    expect((await store.list('other')).map((entry) => entry.id)).toEqual(['at_2']);
    expect(await store.list('nobody')).toEqual([]);
  });

  it('refuses to revoke a token through another tenant and leaves it usable', async () => {
    const { store, token } = setup();
    const key = keyOf('lwta_victim-secret-1');
    await store.create(key, token());
    expect(await store.revoke('attacker-tenant', 'at_1')).toBe(false);
    expect(await store.revoke('acme', 'at_unknown')).toBe(false);
    expect((await store.find(key))?.id).toBe('at_1');
    expect(await store.revoke('acme', 'at_1')).toBe(true);
    expect(await store.find(key)).toBeUndefined();
  });

  it('answers false when revoking a token that has expired but not been swept, as find and list hold it gone', async () => {
    const { store, token, advance } = setup();
    const key = keyOf('lwta_expired-unswept-secret');
    await store.create(key, token({ expiresAt: Date.parse('2026-11-28T12:00:01Z') }));
    advance(1_000);
    expect(await store.find(key)).toBeUndefined();
    expect(await store.revoke('acme', 'at_1')).toBe(false);
    expect(await store.list('acme')).toEqual([]);
  });

  it('lists tokens by createdAt, whatever order they were written in', async () => {
    const { store, token } = setup();
    const at = Date.parse('2026-11-28T12:00:00Z');
    await store.create(keyOf('lwta_created-third-secret'), token({ id: 'at_3', createdAt: at + 2_000 }));
    await store.create(keyOf('lwta_created-first-secret'), token({ id: 'at_1', createdAt: at }));
    await store.create(keyOf('lwta_created-second-secret'), token({ id: 'at_2', createdAt: at + 1_000, userId: 'u-2' }));
    expect((await store.list('acme')).map((entry) => entry.id)).toEqual(['at_1', 'at_2', 'at_3']);
    expect((await store.list('acme', 'u-1')).map((entry) => entry.id)).toEqual(['at_1', 'at_3']);
  });

  describe('sweep', () => {
    it('drops expired tokens with their ids and keeps live ones', async () => {
      const { store, token, advance } = setup();
      const expired = keyOf('lwta_short-lived-secret');
      const live = keyOf('lwta_long-lived-secret');
      await store.create(expired, token({ id: 'at_short', expiresAt: Date.parse('2026-11-28T12:00:10Z') }));
      await store.create(live, token({ id: 'at_long', expiresAt: Date.parse('2026-11-28T13:00:00Z') }));
      advance(10_000);
      store.sweep();
      // The id went with its token: revoking it now finds nothing.
      expect(await store.revoke('acme', 'at_short')).toBe(false);
      expect((await store.find(live))?.id).toBe('at_long');
      expect(await store.revoke('acme', 'at_long')).toBe(true);
    });
  });
});
