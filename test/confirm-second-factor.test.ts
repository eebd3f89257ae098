import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OptionsError } from '../src/errors/options-error.js';
import { confirmSecondFactor } from '../src/logon/confirm-second-factor.js';
import { ConnectionJwt } from '../src/logon/connection-jwt.js';
import { connectionJwtOptionsSchema } from '../src/logon/connection-jwt-options.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { SessionStore, StoredSession } from '../src/store/session-store.js';
import { storeKeys } from '../src/store/store-keys.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

let clock: number;
let store: MemoryStore;
let connectionJwt: ConnectionJwt;

beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  store = new MemoryStore({ now: () => clock });
  connectionJwt = new ConnectionJwt(connectionJwtOptionsSchema.parse({ ttlSeconds: 300 }), () => clock);
});
afterEach(() => store.close());

/** Writes a connection as openConnection does and returns its id. */
async function connection(overrides: Partial<StoredSession> = {}): Promise<string> {
  const id = recordSecret(randomUUID());
  await store.sessions.create(storeKeys.connection(id), {
    kind: 'connection',
    tenant: 'acme',
    userId: 'u-1',
    identity: { contactId: '1001', tokenType: 'apitoken' },
    createdAt: clock,
    expiresAt: clock + 3600_000,
    idleTimeoutMs: 600_000,
    pendingSecondFactor: true,
    ...overrides,
  });
  return id;
}

const confirm = (id: string, sessions: SessionStore = store.sessions) => confirmSecondFactor({ sessions, connectionJwt }, id);

describe('confirmSecondFactor', () => {
  it('makes a pending connection a credential and hands out the JWT bound to it', async () => {
    const id = await connection();
    const key = storeKeys.connection(id);
    expect(store.sessions.use(key, 'acme')?.pendingSecondFactor).toBe(true);
    const confirmed = await confirm(id);
    expect(confirmed).not.toBe(false);
    const { JWTToken } = confirmed as { JWTToken: string };
    recordSecret(JWTToken);
    expect(await connectionJwt.verify(JWTToken)).toEqual({ sid: key, tenant: 'acme', userId: 'u-1' });
    expect(store.sessions.use(key, 'acme')?.pendingSecondFactor).toBe(false);
  });

  it('finds the connection by its id in any letter case', async () => {
    const id = await connection();
    expect(await confirm(id.toUpperCase())).toHaveProperty('JWTToken');
  });

  it('gives a JWT that ends with the connection when that comes first', async () => {
    const id = await connection({ expiresAt: clock + 30_000 });
    const { JWTToken } = (await confirm(id)) as { JWTToken: string };
    recordSecret(JWTToken);
    clock += 30_000;
    expect(await connectionJwt.verify(JWTToken)).toBeUndefined();
  });

  it('answers false for an unknown, an ended and an idle-expired connection', async () => {
    expect(await confirm(recordSecret(randomUUID()))).toBe(false);
    const ended = await connection();
    await store.sessions.revoke(storeKeys.connection(ended));
    expect(await confirm(ended)).toBe(false);
    const idle = await connection();
    clock += 600_000;
    expect(await confirm(idle)).toBe(false);
  });

  it('signs nothing for a session that is not a connection', async () => {
    // Only a connection's JWT may come out of here, whatever sits under the key.
    const id = await connection({ kind: 'session-token' });
    expect(await confirm(id)).toBe(false);
  });

  it('refuses a store that still answers confirm with a boolean, naming store.sessions.confirm', async () => {
    const id = await connection();
    for (const answer of [true, null]) {
      const legacy: SessionStore = {
        create: (key, session) => store.sessions.create(key, session),
        use: (key, tenant) => store.sessions.use(key, tenant),
        confirm: async () => answer as never,
        exists: (key) => store.sessions.exists(key),
        revoke: (key) => store.sessions.revoke(key),
        listForUser: (tenant, userId) => store.sessions.listForUser(tenant, userId),
      };
      const thrown: unknown = await confirm(id, legacy).catch((error: unknown) => error);
      expect(thrown).toBeInstanceOf(OptionsError);
      expectOptionsError(() => {
        throw thrown;
      }, { code: 'LWT_INVALID_OPTION', path: 'store.sessions.confirm' });
    }
  });
});
