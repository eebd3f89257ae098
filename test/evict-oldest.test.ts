import { describe, expect, it } from 'vitest';
import { evictOldest } from '../src/store/evict-oldest.js';

const filled = (n: number) => new Map(Array.from({ length: n }, (_, i) => [`k${i}`, i]));

describe('evictOldest', () => {
  it('leaves a map below its bound alone', () => {
    const map = filled(99);
    evictOldest(map, 100);
    expect(map.size).toBe(99);
  });

  it('drops the oldest 1/64 of a full map in one go, keeping the newest in their order', () => {
    const map = filled(6400);
    evictOldest(map, 6400);
    expect(map.size).toBe(6300);
    expect(map.has('k99')).toBe(false);
    expect([...map.keys()].slice(0, 2)).toEqual(['k100', 'k101']);
    expect(map.has('k6399')).toBe(true);
  });

  it('drops at least one entry from a small full map, and whatever overflows a map past its bound', () => {
    const small = filled(10);
    evictOldest(small, 10);
    expect([...small.keys()][0]).toBe('k1');
    const over = filled(130);
    evictOldest(over, 64);
    expect(over.size).toBe(63);
    expect([...over.keys()][0]).toBe('k67');
  });

  it('stays bounded while a cache turns over: the newest kept, the oldest gone', () => {
    const map = new Map<string, number>();
    for (let i = 0; i < 200_000; i++) {
      evictOldest(map, 10_000);
      map.set(`k${i}`, i);
    }
    expect(map.size).toBeLessThanOrEqual(10_000);
    expect(map.has('k199999')).toBe(true);
    expect(map.has('k189000')).toBe(false);
  });
});
