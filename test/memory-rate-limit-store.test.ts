import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../src/store/memory-rate-limit-store.js';

describe('MemoryRateLimitStore', () => {
  it('counts within a window and starts over after it', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now, maxRateLimitEntries: 10 });
    expect((await store.add('k', 1, 1000)).count).toBe(1);
    expect((await store.add('k', 1, 1000)).count).toBe(2);
    expect(await store.add('k', -1, 1000)).toEqual({ count: 1, resetAt: 1000 });
    now = 1000;
    expect((await store.add('k', 1, 1000)).count).toBe(1);
  });

  it('never goes below zero or opens a window with a refund', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxRateLimitEntries: 10 });
    expect((await store.add('k', -1, 1000)).count).toBe(0);
    expect((await store.add('k', 1, 1000)).count).toBe(1);
  });

  it('keeps a locking counter when sprayed with new keys', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxRateLimitEntries: 100 });
    for (let i = 0; i < 10; i++) await store.add('victim-lock', 1, 60_000);
    for (let i = 0; i < 5_000; i++) await store.add(`spray-${i}`, 1, 60_000);
    expect((await store.add('victim-lock', 0, 60_000)).count).toBe(10);
  });
});

describe('MemoryRateLimitStore when full', () => {
  it('never evicts a counter at its limit while others are below theirs', async () => {
    // The attack: push the victim's lockout out by filling the store with names tried twice.
    const store = new MemoryRateLimitStore({ now: () => 0, maxRateLimitEntries: 100 });
    for (let i = 0; i < 10; i++) await store.add('victim-total', 1, 60_000, 10);
    for (let i = 0; i < 5_000; i++) {
      await store.add(`spray-${i}`, 1, 60_000, 10);
      await store.add(`spray-${i}`, 1, 60_000, 10);
    }
    expect((await store.add('victim-total', 0, 60_000, 10)).count).toBe(10);
    expect(store.size).toBeLessThanOrEqual(100);
  });

  it('keeps a refunded counter below its limit evictable again', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxRateLimitEntries: 2 });
    await store.add('a', 2, 60_000, 2);
    await store.add('a', -1, 60_000, 2);
    await store.add('b', 2, 60_000, 2);
    await store.add('c', 1, 60_000, 2);
    expect((await store.add('b', 0, 60_000, 2)).count).toBe(2);
    expect((await store.add('a', 0, 60_000, 2)).count).toBe(0);
  });

  it('drops the oldest locking counter once lockouts fill half the store', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxRateLimitEntries: 4 });
    await store.add('first', 3, 60_000, 3);
    await store.add('second', 3, 60_000, 3);
    await store.add('third', 3, 60_000, 3);
    expect((await store.add('first', 0, 60_000, 3)).count).toBe(0);
    expect((await store.add('second', 0, 60_000, 3)).count).toBe(3);
    expect((await store.add('third', 0, 60_000, 3)).count).toBe(3);
  });
});

describe('MemoryRateLimitStore flooded with lockouts', () => {
  it('keeps room for ordinary counters to count in', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxRateLimitEntries: 100 });
    // An attacker with many networks keeps creating lockouts while a victim's counter counts.
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 200; i++) await store.add(`lockout-${round}-${i}`, 10, 60_000, 10);
      await store.add('ordinary', 1, 60_000, 10);
    }
    expect(store.size).toBeLessThanOrEqual(100);
    expect((await store.add('ordinary', 0, 60_000, 10)).count).toBe(10);
  });

  it('makes room from a lockout whose window has closed before an open counter', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now, maxRateLimitEntries: 2 });
    await store.add('lock', 3, 1_000, 3);
    now = 500;
    await store.add('open', 2, 60_000, 10);
    now = 1_500;
    await store.add('new', 1, 60_000, 10);
    expect((await store.add('open', 0, 60_000, 10)).count).toBe(2);
  });
});
