import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLoginWithToken, MemoryStore, type ComposedStore, type Store } from '../src/index.js';
import { PostgresStore } from '../src/postgres.js';
import { RedisStore } from '../src/redis.js';
import { storeRoles, storeSharing } from '../src/store/store-roles.js';
import { expectOptionsError } from './support/options-error.js';
import { createPool } from './support/postgres.js';
import { recordSecret } from './support/secrets.js';

// Neither the pool nor the client ever connects: sharing is read from the stores, not the servers.
const pool: pg.Pool = createPool();
const client = new Redis({ lazyConnect: true });
afterAll(async () => {
  client.disconnect();
  await pool.end();
});

describe('storeSharing', () => {
  let memory: MemoryStore;
  let postgres: PostgresStore;
  beforeEach(() => {
    memory = new MemoryStore();
    postgres = new PostgresStore({ pool });
  });
  afterEach(() => Promise.all([memory.close(), postgres.close()]));

  it('lists the roles in the order problems are reported', () => {
    expect(storeRoles).toEqual(['ledger', 'sessions', 'apiTokens', 'rateLimits']);
  });

  it('finds every role of a MemoryStore local', () => {
    expect(storeSharing(memory)).toEqual({ shared: [], local: [...storeRoles] });
  });

  it('finds every role of a RedisStore or a PostgresStore shared', () => {
    expect(storeSharing(new RedisStore({ client }))).toEqual({ shared: [...storeRoles], local: [] });
    expect(storeSharing(postgres)).toEqual({ shared: [...storeRoles], local: [] });
  });

  it('reads each role of a composed store from the store it came from', () => {
    const redis = new RedisStore({ client });
    const composed: ComposedStore = { ledger: redis.ledger, sessions: memory.sessions, apiTokens: postgres.apiTokens, rateLimits: memory.rateLimits };
    expect(storeSharing(composed)).toEqual({ shared: ['ledger', 'apiTokens'], local: ['sessions', 'rateLimits'] });
  });

  it('counts a memory role as per instance even inside a store that says it is shared', () => {
    const spread = { ...new PostgresStore({ pool }), ledger: memory.ledger };
    expect(spread.shared).toBe(true);
    expect(storeSharing(spread)).toEqual({ shared: ['sessions', 'apiTokens', 'rateLimits'], local: ['ledger'] });
  });

  it('counts the roles of a custom store that says it is shared as shared, unless a role says otherwise', () => {
    // A custom store's roles may say nothing about sharing: these forward to memory roles without their flag.
    const silent = <Role extends object>(role: Role): Role => Object.assign(Object.create(role) as Role, { shared: undefined });
    const custom: Store = { ledger: silent(memory.ledger), sessions: silent(memory.sessions), apiTokens: silent(memory.apiTokens), rateLimits: silent(memory.rateLimits), shared: true, close: async () => undefined };
    expect(storeRoles.map((role) => custom[role].shared)).toEqual([undefined, undefined, undefined, undefined]);
    expect(storeSharing(custom)).toEqual({ shared: [...storeRoles], local: [] });
    const perInstanceCounters = { shared: false, add: memory.rateLimits.add.bind(memory.rateLimits), reset: memory.rateLimits.reset.bind(memory.rateLimits) };
    expect(storeSharing({ ...custom, rateLimits: perInstanceCounters })).toEqual({ shared: ['ledger', 'sessions', 'apiTokens'], local: ['rateLimits'] });
  });
});

describe('a store option made of roles from several stores', () => {
  let memory: MemoryStore;
  let postgres: PostgresStore;
  const hashKey = recordSecret('store-roles-hash-key-5d0c91');
  beforeEach(() => {
    memory = new MemoryStore();
    postgres = new PostgresStore({ pool });
  });
  afterEach(() => Promise.all([memory.close(), postgres.close()]));

  const mixed = (extra: object = {}) => ({ ledger: postgres.ledger, apiTokens: postgres.apiTokens, rateLimits: postgres.rateLimits, sessions: memory.sessions, ...extra });

  it('is refused when a role kept per instance sits among shared ones', () => {
    const error = expectOptionsError(() => createLoginWithToken({ resolveUser: () => null, store: mixed(), hashKey }), { code: 'LWT_INVALID_OPTION', path: 'store.sessions' });
    expect(error.problems.map((problem) => problem.path)).toEqual(['store.sessions']);
  });

  it('is accepted when that role is listed in instanceLocal', async () => {
    const login = createLoginWithToken({ resolveUser: () => null, store: mixed({ instanceLocal: ['sessions'] }), hashKey });
    await login.close();
  });

  it('is refused as a whole when instanceLocal names no role', () => {
    expectOptionsError(() => createLoginWithToken({ resolveUser: () => null, store: mixed({ instanceLocal: ['nope'] }) as never, hashKey }), {
      code: 'LWT_INVALID_OPTION',
      path: 'store',
    });
  });
});
