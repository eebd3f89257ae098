import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginError } from '../src/errors/login-error.js';
import { enforceSessionCap, refuseWhenFull, type SessionCapOptions } from '../src/logon/session-cap.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { RedisStore } from '../src/store/redis/redis-store.js';
import type { SessionStore, StoredSession } from '../src/store/session-store.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';

let clock: number;
let store: MemoryStore;
beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  store = new MemoryStore({ now: () => clock });
});
afterEach(() => store.close());

const refuse = (max: number): SessionCapOptions => ({ maxSessionsPerUser: max, onTooManySessions: 'refuse' });
const endOldest = (max: number): SessionCapOptions => ({ maxSessionsPerUser: max, onTooManySessions: 'end-oldest' });

const session = (overrides: Partial<StoredSession> = {}): StoredSession => ({
  kind: 'connection',
  tenant: 'acme',
  userId: 'u-1',
  identity: { contactId: '1001', tokenType: 'apitoken' },
  createdAt: clock,
  expiresAt: clock + 3600_000,
  idleTimeoutMs: 600_000,
  ...overrides,
});

/** Writes connections `keys` for u-1 at acme, one after the other. */
async function write(sessions: SessionStore, ...keys: string[]): Promise<void> {
  for (const key of keys) await sessions.create(key, session());
}

const liveConnections = async (sessions: SessionStore) =>
  (await sessions.listForUser('acme', 'u-1')).filter((entry) => entry.kind === 'connection').map((entry) => entry.key);

/** A session store whose listing fails, as one does in an outage. */
function listingFails(sessions: SessionStore, outage: Error): SessionStore {
  return {
    create: (key, value) => sessions.create(key, value),
    use: (key, tenant) => sessions.use(key, tenant),
    confirm: (key) => sessions.confirm(key),
    exists: (key) => sessions.exists(key),
    revoke: (key) => sessions.revoke(key),
    listForUser: () => Promise.reject(outage),
  };
}

describe('refuseWhenFull', () => {
  it('refuses with 10055 once the user holds maxSessionsPerUser connections', async () => {
    await write(store.sessions, 'c1');
    await expect(refuseWhenFull(store.sessions, refuse(2), 'acme', 'u-1')).resolves.toBeUndefined();
    await write(store.sessions, 'c2');
    await expect(refuseWhenFull(store.sessions, refuse(2), 'acme', 'u-1')).rejects.toMatchObject({ code: 'too_many_sessions', number: 10055, status: 409 });
  });

  it('counts only the user’s live connections in the tenant', async () => {
    await write(store.sessions, 'c1');
    for (const [key, overrides] of [
      ['token-1', { kind: 'session-token' }],
      ['token-2', { kind: 'session-token' }],
      ['other-user', { userId: 'u-2' }],
      ['other-tenant', { tenant: 'globex' }],
      ['idle', { idleTimeoutMs: 1000 }],
    ] as const) {
      await store.sessions.create(key, session(overrides));
    }
    clock += 1000;
    await expect(refuseWhenFull(store.sessions, refuse(2), 'acme', 'u-1')).resolves.toBeUndefined();
  });

  it('never refuses when the policy is to end the oldest', async () => {
    await write(store.sessions, 'c1', 'c2', 'c3');
    await expect(refuseWhenFull(store.sessions, endOldest(1), 'acme', 'u-1')).resolves.toBeUndefined();
  });

  it('passes a store outage on as it is', async () => {
    const outage = new Error('connection reset');
    await expect(refuseWhenFull(listingFails(store.sessions, outage), refuse(2), 'acme', 'u-1')).rejects.toBe(outage);
  });
});

describe('enforceSessionCap', () => {
  it('keeps a connection among the first maxSessionsPerUser, and refuses one written after them', async () => {
    await write(store.sessions, 'c1', 'c2', 'c3');
    await expect(enforceSessionCap(store.sessions, refuse(2), 'acme', 'u-1', 'c2')).resolves.toBeUndefined();
    await expect(enforceSessionCap(store.sessions, refuse(2), 'acme', 'u-1', 'c3')).rejects.toMatchObject({ code: 'too_many_sessions' });
    // Withdrawing the refused connection is its caller's job (openConnection's redemption).
    expect(await liveConnections(store.sessions)).toEqual(['c1', 'c2', 'c3']);
  });

  it('ends the oldest connections, and only connections, when the policy is end-oldest', async () => {
    await store.sessions.create('token', session({ kind: 'session-token' }));
    await write(store.sessions, 'c1', 'c2', 'c3', 'c4');
    await enforceSessionCap(store.sessions, endOldest(2), 'acme', 'u-1', 'c4');
    expect(await liveConnections(store.sessions)).toEqual(['c3', 'c4']);
    expect(await store.sessions.exists('token')).toBe(true);
  });

  it('leaves everything alone up to the maximum', async () => {
    await write(store.sessions, 'c1', 'c2');
    await enforceSessionCap(store.sessions, endOldest(2), 'acme', 'u-1', 'c2');
    await enforceSessionCap(store.sessions, refuse(2), 'acme', 'u-1', 'c2');
    expect(await liveConnections(store.sessions)).toEqual(['c1', 'c2']);
  });

  it('passes a store outage on as it is', async () => {
    const outage = new Error('connection reset');
    await write(store.sessions, 'c1');
    await expect(enforceSessionCap(listingFails(store.sessions, outage), endOldest(1), 'acme', 'u-1', 'c1')).rejects.toBe(outage);
    expect(await liveConnections(store.sessions)).toEqual(['c1']);
  });

  describe('when logons run in parallel', () => {
    /** `count` logons at once, each as LogonWithToken runs them: check, write, enforce, withdraw if refused. */
    async function parallelLogons(sessions: SessionStore, options: SessionCapOptions, count: number) {
      const keys = Array.from({ length: count }, (_, index) => `parallel-${index}`);
      const outcomes = await Promise.all(
        keys.map(async (key) => {
          try {
            await refuseWhenFull(sessions, options, 'acme', 'u-1');
            await sessions.create(key, session());
            try {
              await enforceSessionCap(sessions, options, 'acme', 'u-1', key);
            } catch (error) {
              await sessions.revoke(key);
              throw error;
            }
            return 'opened';
          } catch (error) {
            return error instanceof LoginError ? error.code : String(error);
          }
        }),
      );
      return { opened: keys.filter((_, index) => outcomes[index] === 'opened'), outcomes, live: await liveConnections(sessions) };
    }

    /** The checks every store must pass; `open` gives a fresh store role and how to tidy it away. */
    const checks = (open: () => Promise<{ sessions: SessionStore; cleanup(): Promise<void> }>) => {
      it('refusing, never holds more than the maximum, and keeps exactly the logons that succeeded', async () => {
        const { sessions, cleanup } = await open();
        try {
          const { opened, outcomes, live } = await parallelLogons(sessions, refuse(3), 20);
          expect(opened.length).toBeGreaterThanOrEqual(1);
          expect(opened.length).toBeLessThanOrEqual(3);
          expect(new Set(outcomes)).toEqual(new Set(['opened', 'too_many_sessions']));
          expect([...live].sort()).toEqual([...opened].sort());
        } finally {
          await cleanup();
        }
      });

      it('ending the oldest, admits every logon and leaves exactly the maximum', async () => {
        const { sessions, cleanup } = await open();
        try {
          const { outcomes, live } = await parallelLogons(sessions, endOldest(3), 20);
          expect(outcomes.every((outcome) => outcome === 'opened')).toBe(true);
          expect(live).toHaveLength(3);
        } finally {
          await cleanup();
        }
      });
    };

    describe('on the memory store', () => {
      checks(async () => ({ sessions: store.sessions, cleanup: async () => undefined }));

      it('ending the oldest, keeps the newest connections in write order', async () => {
        const { live } = await parallelLogons(store.sessions, endOldest(3), 20);
        expect(live).toEqual(['parallel-17', 'parallel-18', 'parallel-19']);
      });
    });

    describeRedis('on Redis', () => {
      let client: Redis;
      beforeAll(async () => {
        client = await connectRedis();
      });
      afterAll(() => client.quit());

      checks(async () => {
        const prefix = uniquePrefix();
        return { sessions: new RedisStore({ client, prefix, now: () => clock }).sessions, cleanup: () => deleteKeys(client, prefix) };
      });
    });
  });
});
