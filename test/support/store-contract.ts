import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, StoredSession } from '../../src/index.js';

/** A store under test and how to tidy up after it. */
export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
}

/**
 * The contract every store meets, run against each implementation: one suite, so the memory
 * store and the Redis store cannot drift apart. Time is the test's own clock.
 */
export function describeStoreContract(name: string, create: (now: () => number) => Promise<StoreUnderTest>): void {
  describe(`${name}: store contract`, () => {
    let clock = 0;
    let subject: StoreUnderTest;
    let store: Store;
    beforeEach(async () => {
      clock = Date.parse('2026-11-28T12:00:00Z');
      subject = await create(() => clock);
      store = subject.store;
    });
    afterEach(() => subject.cleanup());

    const session = (overrides: Partial<StoredSession> = {}): StoredSession => ({
      kind: 'session-token',
      tenant: 't',
      userId: 'u-1',
      identity: { contactId: '1001', tokenType: 'credentials' },
      createdAt: clock,
      expiresAt: clock + 60_000,
      ...overrides,
    });

    describe('ledger', () => {
      it('reserves once, reports in-use, then used after consume', async () => {
        const first = await store.ledger.reserve('k', 5000);
        expect(first.status).toBe('reserved');
        expect(await store.ledger.reserve('k', 5000)).toEqual({ status: 'in-use' });
        expect(await store.ledger.consume('k', (first as { id: string }).id, 60_000)).toBe(true);
        expect(await store.ledger.reserve('k', 5000)).toEqual({ status: 'used' });
      });

      it('makes a released token reservable again', async () => {
        const first = (await store.ledger.reserve('k', 5000)) as { id: string };
        await store.ledger.release('k', first.id);
        expect((await store.ledger.reserve('k', 5000)).status).toBe('reserved');
      });

      it('ignores consume and release from a lost reservation', async () => {
        const stale = (await store.ledger.reserve('k', 5000)) as { id: string };
        clock += 5001;
        const fresh = (await store.ledger.reserve('k', 5000)) as { status: string; id: string };
        expect(fresh.status).toBe('reserved');
        await store.ledger.release('k', stale.id);
        expect(await store.ledger.reserve('k', 5000)).toEqual({ status: 'in-use' });
        expect(await store.ledger.consume('k', stale.id, 60_000)).toBe(false);
        expect(await store.ledger.consume('k', fresh.id, 60_000)).toBe(true);
      });

      it('spends a lapsed reservation that nobody else took, so a slow partner’s yes is not lost', async () => {
        const slow = (await store.ledger.reserve('k', 50)) as { id: string };
        clock += 100;
        // Redis lets the key lapse by its own time.
        await new Promise((resolve) => setTimeout(resolve, 80));
        expect(await store.ledger.consume('k', slow.id, 60_000)).toBe(true);
        expect(await store.ledger.reserve('k', 5000)).toEqual({ status: 'used' });
      });

      it('forgets a used token after rememberMs', async () => {
        const first = (await store.ledger.reserve('k', 5000)) as { id: string };
        await store.ledger.consume('k', first.id, 60_000);
        clock += 59_999;
        expect((await store.ledger.reserve('k', 5000)).status).toBe('used');
        clock += 1;
        expect((await store.ledger.reserve('k', 5000)).status).toBe('reserved');
      });

      it('grants exactly one of 50 concurrent reservations', async () => {
        const results = await Promise.all(Array.from({ length: 50 }, () => store.ledger.reserve('hot', 5000)));
        expect(results.filter((result) => result.status === 'reserved')).toHaveLength(1);
      });
    });

    describe('sessions', () => {
      it('returns a live session and nothing for an unknown key', async () => {
        await store.sessions.create('a', session());
        expect(await store.sessions.use('a', 't')).toEqual(session());
        expect(await store.sessions.use('nope', 't')).toBeUndefined();
      });

      it('ends a session without idle timeout at expiresAt, however used', async () => {
        await store.sessions.create('a', session());
        clock += 59_999;
        expect(await store.sessions.use('a', 't')).toBeDefined();
        clock += 1;
        expect(await store.sessions.use('a', 't')).toBeUndefined();
      });

      it('slides the idle timeout with use, ends it without, and holds the absolute limit', async () => {
        await store.sessions.create('c', session({ kind: 'connection', idleTimeoutMs: 10_000, expiresAt: clock + 25_000 }));
        clock += 9_000;
        expect(await store.sessions.use('c', 't')).toBeDefined();
        clock += 9_000;
        expect(await store.sessions.use('c', 't')).toBeDefined();
        clock += 6_000;
        expect(await store.sessions.use('c', 't')).toBeDefined();
        clock += 1_000;
        expect(await store.sessions.use('c', 't')).toBeUndefined();
        await store.sessions.create('d', session({ kind: 'connection', idleTimeoutMs: 10_000, expiresAt: clock + 60_000 }));
        clock += 10_000;
        expect(await store.sessions.use('d', 't')).toBeUndefined();
      });

      it('refuses, and leaves untouched, a session asked for by another tenant', async () => {
        await store.sessions.create('c', session({ kind: 'connection', idleTimeoutMs: 10_000, expiresAt: clock + 60_000 }));
        clock += 9_000;
        expect(await store.sessions.use('c', 'other')).toBeUndefined();
        clock += 1_000;
        expect(await store.sessions.use('c', 't')).toBeUndefined();
      });

      it('holds a pending second factor until confirmed', async () => {
        await store.sessions.create('c', session({ kind: 'connection', idleTimeoutMs: 10_000, pendingSecondFactor: true }));
        expect((await store.sessions.use('c', 't'))?.pendingSecondFactor).toBe(true);
        expect(await store.sessions.confirm('c')).toMatchObject({ kind: 'connection', tenant: 't' });
        expect((await store.sessions.use('c', 't'))?.pendingSecondFactor).not.toBe(true);
        expect(await store.sessions.confirm('nope')).toBeUndefined();
        clock += 10_000;
        expect(await store.sessions.confirm('c')).toBeUndefined();
      });

      it('tells whether a live session exists in any tenant, without sliding it', async () => {
        await store.sessions.create('c', session({ kind: 'connection', idleTimeoutMs: 10_000, expiresAt: clock + 60_000 }));
        expect(await store.sessions.exists('c')).toBe(true);
        expect(await store.sessions.exists('nope')).toBe(false);
        clock += 9_000;
        expect(await store.sessions.exists('c')).toBe(true);
        clock += 1_000;
        expect(await store.sessions.exists('c')).toBe(false);
      });

      it('revokes at once, returning the session once', async () => {
        await store.sessions.create('a', session());
        expect(await store.sessions.revoke('a')).toEqual(session());
        expect(await store.sessions.use('a', 't')).toBeUndefined();
        expect(await store.sessions.revoke('a')).toBeUndefined();
      });

      it('lists a user’s live sessions, oldest first, with their kind', async () => {
        await store.sessions.create('old', session({ createdAt: clock - 2000 }));
        await store.sessions.create('new', session({ kind: 'connection', createdAt: clock - 1000, idleTimeoutMs: 5000 }));
        await store.sessions.create('gone', session({ createdAt: clock - 3000 }));
        await store.sessions.create('other', session({ userId: 'u-2' }));
        await store.sessions.revoke('gone');
        expect(await store.sessions.listForUser('t', 'u-1')).toEqual([
          { key: 'old', kind: 'session-token', createdAt: clock - 2000 },
          { key: 'new', kind: 'connection', createdAt: clock - 1000 },
        ]);
        clock += 5000;
        expect((await store.sessions.listForUser('t', 'u-1')).map((entry) => entry.key)).toEqual(['old']);
        expect(await store.sessions.listForUser('other-tenant', 'u-1')).toEqual([]);
      });
    });

    describe('rate limits', () => {
      it('counts in a window, refunds to no lower than zero, and starts over', async () => {
        expect(await store.rateLimits.add('k', 1, 1000, 100)).toEqual({ count: 1, resetAt: clock + 1000 });
        expect((await store.rateLimits.add('k', 1, 1000, 100)).count).toBe(2);
        expect((await store.rateLimits.add('k', -1, 1000, 100)).count).toBe(1);
        expect((await store.rateLimits.add('k', -5, 1000, 100)).count).toBe(0);
        clock += 1000;
        expect((await store.rateLimits.add('k', -1, 1000, 100)).count).toBe(0);
        expect(await store.rateLimits.add('k', 1, 1000, 100)).toEqual({ count: 1, resetAt: clock + 1000 });
      });

      it('resets a counter', async () => {
        await store.rateLimits.add('k', 3, 1000, 100);
        await store.rateLimits.reset('k');
        expect((await store.rateLimits.add('k', 1, 1000, 100)).count).toBe(1);
      });

      it('hands out distinct counts to 50 concurrent attempts', async () => {
        const counts = await Promise.all(Array.from({ length: 50 }, () => store.rateLimits.add('hot', 1, 60_000, 100)));
        expect(new Set(counts.map((counter) => counter.count)).size).toBe(50);
      });
    });

    describe('api tokens', () => {
      const token = (overrides: object = {}) => ({
        id: 'at_1',
        tenant: 't',
        userId: 'u-1',
        identity: { contactId: '1001', tokenType: 'apitoken' },
        name: 'CI',
        createdAt: clock,
        ...overrides,
      });

      it('finds, lists and revokes', async () => {
        await store.apiTokens.create('k1', token());
        await store.apiTokens.create('k2', token({ id: 'at_2', userId: 'u-2', createdAt: clock + 1 }));
        expect(await store.apiTokens.find('k1')).toEqual(token());
        expect(await store.apiTokens.find('nope')).toBeUndefined();
        expect((await store.apiTokens.list('t')).map((entry) => entry.id)).toEqual(['at_1', 'at_2']);
        expect((await store.apiTokens.list('t', 'u-2')).map((entry) => entry.id)).toEqual(['at_2']);
        expect(await store.apiTokens.revoke('other', 'at_1')).toBe(false);
        expect(await store.apiTokens.revoke('t', 'at_1')).toBe(true);
        expect(await store.apiTokens.find('k1')).toBeUndefined();
        expect(await store.apiTokens.revoke('t', 'at_1')).toBe(false);
      });

      it('forgets expired tokens', async () => {
        await store.apiTokens.create('k1', token({ expiresAt: clock + 1000 }));
        clock += 1000;
        expect(await store.apiTokens.find('k1')).toBeUndefined();
        expect(await store.apiTokens.list('t')).toEqual([]);
      });
    });
  });
}
