import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../src/store/memory-rate-limit-store.js';

describe('MemoryRateLimitStore', () => {
  it('counts within a window and starts over after it', async () => {
    let now = 0;
    const store = new MemoryRateLimitStore({ now: () => now, maxEntries: 10 });
    expect((await store.add('k', 1, 1000)).count).toBe(1);
    expect((await store.add('k', 1, 1000)).count).toBe(2);
    expect(await store.add('k', -1, 1000)).toEqual({ count: 1, resetAt: 1000 });
    now = 1000;
    expect((await store.add('k', 1, 1000)).count).toBe(1);
  });

  it('never goes below zero or opens a window with a refund', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxEntries: 10 });
    expect((await store.add('k', -1, 1000)).count).toBe(0);
    expect((await store.add('k', 1, 1000)).count).toBe(1);
  });

  it('keeps a locking counter when sprayed with new keys', async () => {
    const store = new MemoryRateLimitStore({ now: () => 0, maxEntries: 100 });
    for (let i = 0; i < 10; i++) await store.add('victim-lock', 1, 60_000);
    for (let i = 0; i < 5_000; i++) await store.add(`spray-${i}`, 1, 60_000);
    expect((await store.add('victim-lock', 0, 60_000)).count).toBe(10);
  });
});
