import { describe, expect, it } from 'vitest';
import { MemoryLedger } from '../src/store/memory-ledger.js';

function ledger(maxEntries = 100) {
  let now = 1_000_000;
  const subject = new MemoryLedger({ maxEntries, now: () => now });
  return { subject, advance: (ms: number) => (now += ms) };
}

describe('MemoryLedger', () => {
  it('reserves once, then reports in-use, then used after consume', async () => {
    const { subject } = ledger();
    const first = await subject.reserve('k', 1000);
    expect(first.status).toBe('reserved');
    expect(await subject.reserve('k', 1000)).toEqual({ status: 'in-use' });
    expect(await subject.consume('k', (first as { id: string }).id, 60_000)).toBe(true);
    expect(await subject.reserve('k', 1000)).toEqual({ status: 'used' });
  });

  it('makes a released token reservable again', async () => {
    const { subject } = ledger();
    const first = (await subject.reserve('k', 1000)) as { id: string };
    await subject.release('k', first.id);
    expect((await subject.reserve('k', 1000)).status).toBe('reserved');
  });

  it('ignores consume and release from a reservation that was lost', async () => {
    const { subject, advance } = ledger();
    const stale = (await subject.reserve('k', 1000)) as { id: string };
    advance(1001);
    const fresh = (await subject.reserve('k', 1000)) as { id: string };
    expect(fresh.id).not.toBe(stale.id);
    await subject.release('k', stale.id);
    expect(await subject.reserve('k', 1000)).toEqual({ status: 'in-use' });
    expect(await subject.consume('k', stale.id, 60_000)).toBe(false);
    expect(await subject.consume('k', fresh.id, 60_000)).toBe(true);
  });

  it('forgets used tokens after their age and frees them on sweep', async () => {
    const { subject, advance } = ledger();
    for (let i = 0; i < 10; i++) {
      const r = (await subject.reserve(`k${i}`, 1000)) as { id: string };
      await subject.consume(`k${i}`, r.id, 60_000);
    }
    expect(subject.size).toBe(10);
    advance(59_000);
    expect(await subject.reserve('k0', 1000)).toEqual({ status: 'used' });
    advance(2_000);
    subject.sweep();
    expect(subject.size).toBe(0);
  });

  it('refuses new reservations with store_unavailable when full', async () => {
    const { subject } = ledger(2);
    await subject.reserve('a', 1000);
    await subject.reserve('b', 1000);
    await expect(subject.reserve('c', 1000)).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});
