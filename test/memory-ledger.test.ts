import { describe, expect, it } from 'vitest';
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
});
