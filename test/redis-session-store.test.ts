import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisRunner } from '../src/store/redis/redis-runner.js';
import { RedisSessionStore } from '../src/store/redis/redis-session-store.js';
import type { StoredSession } from '../src/store/session-store.js';
import { redisKeys, storeKeys } from '../src/store/store-keys.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

// What every session store does is in the store contract (test/support/store-contract.ts); here
// what is particular to Redis: the stored value, PX following use, the per-user index and odd values.
describeRedis('RedisSessionStore', () => {
  let client: Redis;
  let prefix: string;
  let start: number;
  let now: number;
  let store: RedisSessionStore;

  beforeAll(async () => {
    client = await connectRedis();
  });
  afterAll(() => client.quit());
  beforeEach(() => {
    prefix = uniquePrefix();
    start = now = Date.parse('2026-11-28T12:00:00Z');
    store = new RedisSessionStore(new RedisRunner(client, { commandTimeoutMs: 1000 }), redisKeys(prefix), () => now);
  });
  afterEach(() => deleteKeys(client, prefix));

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
  const keyOf = (secret: string) => storeKeys.sessionToken(recordSecret(secret));
  const value = (key: string) => client.get(`${prefix}session:${key}`);
  const ttl = (key: string) => client.pttl(`${prefix}session:${key}`);
  const index = (userId = 'u-1') => client.zrange(`${prefix}user-sessions:acme:${userId}`, '0', '-1', 'WITHSCORES');

  describe('create', () => {
    it('writes <idleUntil>|<expiresAt>|<idleMs>|<tenant>|<pending>|<json> with PX until the idle end, and only the hash of the secret', async () => {
      const secret = 'lwts_session-secret-for-layout';
      const key = keyOf(secret);
      const { pendingSecondFactor: _pending, ...json } = session({ pendingSecondFactor: true });
      await store.create(key, session({ pendingSecondFactor: true }));
      expect(await value(key)).toBe(`${start + 10_000}|${start + 25_000}|10000|acme|1|${JSON.stringify(json)}`);
      expect(await ttl(key)).toBeGreaterThan(9_000);
      expect(await ttl(key)).toBeLessThanOrEqual(10_000);
      expect(JSON.stringify(await client.keys(`${prefix}*`))).not.toContain(secret);
    });

    it('keeps a user id or identity holding | intact and cannot be tricked into a pending flag', async () => {
      const key = keyOf('lwts_session-secret-with-pipes');
      const odd = session({ userId: 'u|1|0|x', identity: { contactEmail: '1|a@b.example', tokenType: '0|1' } });
      await store.create(key, odd);
      expect(await store.use(key, 'acme')).toEqual(odd);
      expect((await store.listForUser('acme', 'u|1|0|x')).map((entry) => entry.key)).toEqual([key]);
    });
  });

  describe('use', () => {
    it('slides the stored idle end and PX with each use, never past expiresAt', async () => {
      const key = keyOf('lwts_session-secret-sliding');
      await store.create(key, session());
      now += 9_000;
      await store.use(key, 'acme');
      expect((await value(key))?.split('|')[0]).toBe(String(start + 19_000));
      expect(await ttl(key)).toBeGreaterThan(9_000);
      now += 9_000;
      await store.use(key, 'acme');
      expect((await value(key))?.split('|')[0]).toBe(String(start + 25_000));
      expect(await ttl(key)).toBeLessThanOrEqual(7_000);
    });

    it('rewrites nothing for a session without idle timeout', async () => {
      const key = keyOf('lwts_session-secret-fixed');
      await store.create(key, session({ kind: 'session-token', idleTimeoutMs: undefined }));
      const written = await value(key);
      const before = await ttl(key);
      now += 20_000;
      expect(await store.use(key, 'acme')).toBeDefined();
      expect(await value(key)).toBe(written);
      expect(await ttl(key)).toBeLessThanOrEqual(before);
    });

    it('deletes a session it finds past its idle end', async () => {
      const key = keyOf('lwts_session-secret-idle');
      await store.create(key, session());
      now += 10_000;
      expect(await store.use(key, 'acme')).toBeUndefined();
      expect(await value(key)).toBeNull();
    });

    it('grants nothing for a value it cannot read, and leaves it alone', async () => {
      const key = keyOf('lwts_session-secret-malformed');
      for (const malformed of ['garbage', JSON.stringify(session()), `x|${start + 25_000}|0|acme|0|{}`, `${start + 25_000}|${start + 25_000}|0|acme`]) {
        await client.set(`${prefix}session:${key}`, malformed);
        expect(await store.use(key, 'acme')).toBeUndefined();
        expect(await value(key)).toBe(malformed);
      }
    });
  });

  describe('confirm', () => {
    it('clears the pending flag in place, keeping PX and the idle end', async () => {
      const key = keyOf('lwts_session-secret-pending');
      await store.create(key, session({ pendingSecondFactor: true }));
      const before = await ttl(key);
      now += 5_000;
      expect(await store.confirm(key)).toEqual(session());
      expect((await value(key))?.split('|').slice(0, 5)).toEqual([String(start + 10_000), String(start + 25_000), '10000', 'acme', '0']);
      expect(await ttl(key)).toBeLessThanOrEqual(before);
      expect(await ttl(key)).toBeGreaterThan(0);
      expect((await store.use(key, 'acme'))?.pendingSecondFactor).toBeUndefined();
    });
  });

  describe('a value of another shape', () => {
    // The layout before the pending flag was added, a pending flag that is neither 0 nor 1, a stray value with a leading time, plain garbage.
    const malformed = () => [
      `${start + 10_000}|${start + 25_000}|10000|acme|${JSON.stringify(session())}`,
      `${start + 10_000}|${start + 25_000}|10000|acme|2|${JSON.stringify(session())}`,
      `${start + 10_000}|not a session`,
      'garbage',
    ];

    it('is no session to exists, use, confirm and revoke, which answer without throwing', async () => {
      for (const [n, odd] of malformed().entries()) {
        const key = keyOf(`lwts_session-secret-other-shape-${n}`);
        await store.create(key, session());
        await client.set(`${prefix}session:${key}`, odd);
        expect(await store.exists(key)).toBe(false);
        expect(await store.use(key, 'acme')).toBeUndefined();
        expect(await store.confirm(key)).toBeUndefined();
        expect(await value(key)).toBe(odd);
        expect(await store.revoke(key)).toBeUndefined();
      }
    });

    it('is pruned from the user’s index when listing, and the live sessions are kept', async () => {
      const live = keyOf('lwts_session-secret-beside-other-shapes');
      await store.create(live, session());
      for (const [n, odd] of malformed().entries()) {
        const key = keyOf(`lwts_session-secret-listed-other-shape-${n}`);
        await store.create(key, session());
        await client.set(`${prefix}session:${key}`, odd);
        expect((await store.listForUser('acme', 'u-1')).map((entry) => entry.key)).toEqual([live]);
        expect(await index()).toEqual([`connection|${start}|${live}`, '1']);
      }
    });
  });

  describe('per-user index', () => {
    it('scores members kind|createdAt|key by a sequence, so write order wins over createdAt', async () => {
      const [a, b] = [keyOf('lwts_session-secret-index-a'), keyOf('lwts_session-secret-index-b')];
      await store.create(a, session({ createdAt: start + 5 }));
      await store.create(b, session({ kind: 'session-token', createdAt: start + 1 }));
      expect(await index()).toEqual([`connection|${start + 5}|${a}`, '1', `session-token|${start + 1}|${b}`, '2']);
      expect((await store.listForUser('acme', 'u-1')).map((entry) => entry.key)).toEqual([a, b]);
    });

    it('lives as long as the user’s longest session', async () => {
      const userKey = `${prefix}user-sessions:acme:u-1`;
      await store.create(keyOf('lwts_session-secret-long'), session({ expiresAt: start + 600_000 }));
      await store.create(keyOf('lwts_session-secret-short'), session({ expiresAt: start + 20_000 }));
      expect(await client.pttl(userKey)).toBeGreaterThan(590_000);
      await store.create(keyOf('lwts_session-secret-longer'), session({ expiresAt: start + 1_200_000 }));
      expect(await client.pttl(userKey)).toBeGreaterThan(1_190_000);
    });

    it('drops dead members when listing', async () => {
      const [live, idle] = [keyOf('lwts_session-secret-live'), keyOf('lwts_session-secret-dies')];
      await store.create(live, session({ kind: 'session-token', idleTimeoutMs: undefined, expiresAt: start + 60_000 }));
      await store.create(idle, session());
      now += 10_000;
      expect((await store.listForUser('acme', 'u-1')).map((entry) => entry.key)).toEqual([live]);
      expect(await index()).toEqual([`session-token|${start}|${live}`, '1']);
    });

    it('loses a revoked session’s member at once', async () => {
      const [kept, revoked] = [keyOf('lwts_session-secret-kept'), keyOf('lwts_session-secret-revoked')];
      await store.create(kept, session());
      await store.create(revoked, session());
      expect(await store.revoke(revoked)).toEqual(session());
      expect(await index()).toEqual([`connection|${start}|${kept}`, '1']);
    });
  });
});
