import { describe, expect, it, vi } from 'vitest';
import { MemoryStore } from '../src/index.js';
import { expectOptionsError } from './support/options-error.js';
import { describeStoreContract } from './support/store-contract.js';

describeStoreContract('MemoryStore', async (now) => {
  const store = new MemoryStore({ now });
  return { store, cleanup: () => store.close() };
});

describe('new MemoryStore(options)', () => {
  it('checks its options like the factory does', () => {
    expectOptionsError(() => new MemoryStore({ maxSessions: -1 }), { code: 'LWT_INVALID_OPTION', path: 'maxSessions', message: /^MemoryStore: invalid options: maxSessions: / });
    expectOptionsError(() => new MemoryStore({ maxSesions: 5 } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'maxSesions' });
    expectOptionsError(() => new MemoryStore({ sweepIntervalMs: 0 }), { code: 'LWT_INVALID_OPTION', path: 'sweepIntervalMs' });
  });

  it('gives each role its bound', async () => {
    const store = new MemoryStore({ maxSessions: 1, maxLedgerEntries: 1 });
    const session = { kind: 'session-token', tenant: 't', userId: 'u', identity: { tokenType: 'credentials' }, createdAt: Date.now(), expiresAt: Date.now() + 60_000 } as const;
    await store.sessions.create('a', session);
    await expect(store.sessions.create('b', session)).rejects.toMatchObject({ code: 'store_unavailable' });
    await store.ledger.reserve('x', 60_000);
    await expect(store.ledger.reserve('y', 60_000)).rejects.toMatchObject({ code: 'store_unavailable' });
    await store.close();
  });

  it('sweeps expired entries on its interval, in the background', async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ now: () => now, sweepIntervalMs: 20 });
    await store.sessions.create('a', { kind: 'session-token', tenant: 't', userId: 'u', identity: { tokenType: 'credentials' }, createdAt: now, expiresAt: now + 10 });
    now += 20;
    expect(store.sessions.size).toBe(1);
    await vi.waitFor(() => expect(store.sessions.size).toBe(0), { timeout: 2000, interval: 5 });
    await store.close();
  });

  it('abandons a background sweep under way on close', async () => {
    let now = 1_000_000;
    const store = new MemoryStore({ now: () => now });
    for (let i = 0; i < 1000; i++) await store.ledger.consume(`k${i}`, 'none', 1000);
    now += 2000;
    store.ledger.sweeper.start();
    await store.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(store.ledger.size).toBe(1000);
  });
});
