import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import type { StoredSession } from '../src/store/session-store.js';

// What every session store does is in the store contract (test/support/store-contract.ts); here
// what is particular to memory: the bound, synchronous use, sweeping and the per-user index.
function setup(maxSessions = 100) {
  let now = Date.parse('2026-11-28T12:00:00Z');
  const store = new MemorySessionStore({ maxSessions, now: () => now });
  const session = (overrides: Partial<StoredSession> = {}): StoredSession => ({
    kind: 'session-token',
    tenant: 't',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'credentials' },
    createdAt: now,
    expiresAt: now + 60_000,
    ...overrides,
  });
  return { store, session, advance: (ms: number) => (now += ms) };
}

describe('MemorySessionStore', () => {
  describe('maxSessions', () => {
    it('refuses a new session with store_unavailable when full, never pushing out a live one', async () => {
      const { store, session } = setup(2);
      await store.create('a', session());
      await store.create('b', session());
      await expect(store.create('c', session())).rejects.toMatchObject({ code: 'store_unavailable' });
      expect(store.use('a', 't')).toBeDefined();
      expect(store.use('b', 't')).toBeDefined();
      expect(await store.exists('c')).toBe(false);
    });

    it('makes room from expired sessions when full', async () => {
      const { store, session, advance } = setup(2);
      await store.create('short', session({ expiresAt: Date.parse('2026-11-28T12:00:01Z') }));
      await store.create('long', session());
      advance(1000);
      await store.create('new', session());
      expect(store.size).toBe(2);
      expect(await store.exists('long')).toBe(true);
      expect(await store.exists('new')).toBe(true);
    });
  });

  describe('use', () => {
    it('answers synchronously, since it runs on every API call', async () => {
      const { store, session } = setup();
      await store.create('a', session());
      const found = store.use('a', 't');
      expect(found).not.toBeInstanceOf(Promise);
      expect(found).toEqual(session());
    });

    it('drops an expired session it is asked for, from the user’s list too', async () => {
      const { store, session, advance } = setup();
      await store.create('a', session());
      advance(60_000);
      expect(store.use('a', 't')).toBeUndefined();
      expect(store.size).toBe(0);
      expect(await store.listForUser('t', 'u-1')).toEqual([]);
    });

    it('leaves an expired session alone when another tenant asks for it', async () => {
      const { store, session, advance } = setup();
      await store.create('a', session());
      advance(60_000);
      expect(store.use('a', 'other')).toBeUndefined();
      expect(store.size).toBe(1);
    });
  });

  describe('confirm', () => {
    it('clears the pending second factor without sliding the idle timeout', async () => {
      const { store, session, advance } = setup();
      await store.create('c', session({ kind: 'connection', idleTimeoutMs: 10_000, pendingSecondFactor: true }));
      advance(9_000);
      expect((await store.confirm('c'))?.pendingSecondFactor).toBe(false);
      advance(1_000);
      expect(store.use('c', 't')).toBeUndefined();
    });
  });

  describe('revoke', () => {
    it('frees an expired session but does not return it', async () => {
      const { store, session, advance } = setup();
      await store.create('a', session());
      advance(60_000);
      expect(await store.revoke('a')).toBeUndefined();
      expect(store.size).toBe(0);
    });
  });

  describe('listForUser', () => {
    it('keeps a user’s sessions in write order as they come and go', async () => {
      const { store, session } = setup();
      await store.create('one', session({ createdAt: 3 }));
      expect((await store.listForUser('t', 'u-1')).map((entry) => entry.key)).toEqual(['one']);
      await store.create('two', session({ createdAt: 1 }));
      await store.create('three', session({ kind: 'connection', createdAt: 2 }));
      await store.revoke('two');
      expect(await store.listForUser('t', 'u-1')).toEqual([
        { key: 'one', kind: 'session-token', createdAt: 3 },
        { key: 'three', kind: 'connection', createdAt: 2 },
      ]);
      await store.revoke('one');
      await store.revoke('three');
      expect(await store.listForUser('t', 'u-1')).toEqual([]);
    });

    it('lists a session written twice under one key once', async () => {
      const { store, session } = setup();
      await store.create('a', session());
      await store.create('a', session());
      expect((await store.listForUser('t', 'u-1')).map((entry) => entry.key)).toEqual(['a']);
      await store.create('b', session());
      await store.create('b', session());
      expect((await store.listForUser('t', 'u-1')).map((entry) => entry.key)).toEqual(['a', 'b']);
    });

    it('keeps the same user id in two tenants apart', async () => {
      const { store, session } = setup();
      await store.create('in-t', session());
      await store.create('in-other', session({ tenant: 'other' }));
      expect((await store.listForUser('t', 'u-1')).map((entry) => entry.key)).toEqual(['in-t']);
      expect((await store.listForUser('other', 'u-1')).map((entry) => entry.key)).toEqual(['in-other']);
    });
  });

  describe('sweep', () => {
    it('drops every expired session, idle or absolute, and keeps live ones', async () => {
      const { store, session, advance } = setup();
      await store.create('idle', session({ kind: 'connection', idleTimeoutMs: 5_000 }));
      await store.create('ended', session({ expiresAt: Date.parse('2026-11-28T12:00:05Z') }));
      await store.create('live', session());
      advance(5_000);
      store.sweep();
      expect(store.size).toBe(1);
      expect((await store.listForUser('t', 'u-1')).map((entry) => entry.key)).toEqual(['live']);
    });
  });
});
