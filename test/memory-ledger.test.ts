import { describe, expect, it, vi } from 'vitest';
import { MemoryLedger } from '../src/store/memory-ledger.js';

// The behaviour every ledger shares is in the store contract (test/support/store-contract.ts);
// here only what is particular to memory: bounds and sweeping.
function ledger(maxEntries = 100) {
  let now = 1_000_000;
  const subject = new MemoryLedger({ maxLedgerEntries: maxEntries, now: () => now });
  return { subject, advance: (ms: number) => (now += ms) };
}

describe('MemoryLedger', () => {
  it('frees used tokens on sweep once their age has passed', async () => {
    const { subject, advance } = ledger();
    for (let i = 0; i < 10; i++) {
      const r = (await subject.reserve(`k${i}`, 1000)) as { id: string };
      await subject.consume(`k${i}`, r.id, 60_000);
    }
    expect(subject.size).toBe(10);
    advance(61_000);
    subject.sweep();
    expect(subject.size).toBe(0);
  });

  it('frees entries of mixed lifetimes on sweep, whatever their order', async () => {
    const { subject, advance } = ledger();
    for (const [key, rememberMs] of [['long', 600_000], ['short-1', 1_000], ['short-2', 1_000]] as const) {
      const r = (await subject.reserve(key, 1000)) as { id: string };
      await subject.consume(key, r.id, rememberMs);
    }
    advance(2_000);
    subject.sweep();
    expect(subject.size).toBe(1);
  });

  it('refuses new reservations with store_unavailable when full, rather than forgetting used tokens', async () => {
    const { subject } = ledger(2);
    await subject.reserve('a', 1000);
    await subject.reserve('b', 1000);
    await expect(subject.reserve('c', 1000)).rejects.toMatchObject({ code: 'store_unavailable' });
  });

  it('makes room from expired entries when full, before it refuses', async () => {
    const { subject, advance } = ledger(3);
    for (const key of ['a', 'b', 'c']) await subject.consume(key, 'none', 1000);
    await expect(subject.reserve('d', 1000)).rejects.toMatchObject({ code: 'store_unavailable' });
    advance(2000);
    await expect(subject.reserve('d', 1000)).resolves.toMatchObject({ status: 'reserved' });
    expect(subject.size).toBe(1);
  });

  it('when full of many, sweeps a slice at once and the rest in the background', async () => {
    const { subject, advance } = ledger(400_000);
    for (let i = 0; i < 400_000; i++) await subject.consume(`k${i}`, 'none', 1000);
    advance(2000);
    await subject.reserve('new', 1000); // room from the first slice
    expect(subject.size).toBeGreaterThan(1);
    await vi.waitFor(() => expect(subject.size).toBe(1), { timeout: 5000, interval: 5 });
  });
});
