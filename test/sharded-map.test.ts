import { describe, expect, it } from 'vitest';
import { secretHash } from '../src/crypto/secret-hash.js';
import { digestShard, ShardedMap, stringShard } from '../src/store/sharded-map.js';

/** How many keys each of the 64 shards got. */
function spread(map: ShardedMap<unknown>): number[] {
  return map.shards.map((shard) => shard.size);
}

describe('ShardedMap', () => {
  it('answers like a Map, counting each key once', () => {
    const map = new ShardedMap<number>(digestShard);
    map.set('a', 1).set('b', 2).set('a', 3);
    expect(map.size).toBe(2);
    expect(map.get('a')).toBe(3);
    expect(map.has('b')).toBe(true);
    expect(map.get('c')).toBeUndefined();
    expect(map.delete('b')).toBe(true);
    expect(map.delete('b')).toBe(false);
    expect(map.size).toBe(1);
    expect(map.has('')).toBe(false);
    map.set('', 0); // any string, the empty one too
    expect(map.get('')).toBe(0);
    expect(map.shards.flatMap((shard) => [...shard.keys()]).sort()).toEqual(['', 'a']);
  });

  it('spreads digest keys over all 64 shards, none holding more than twice its share', () => {
    const map = new ShardedMap<number>(digestShard);
    for (let i = 0; i < 64_000; i++) map.set(secretHash('session', `lwts_${i}`), i);
    const sizes = spread(map);
    expect(sizes).toHaveLength(64);
    expect(Math.min(...sizes)).toBeGreaterThan(800);
    expect(Math.max(...sizes)).toBeLessThan(1200);
  });

  it('spreads keys of any shape with stringShard, even when they share their start and end', () => {
    const map = new ShardedMap<number>(stringShard);
    for (let i = 0; i < 64_000; i++) map.set(`default\u0000user${i}@example.com`, i);
    const sizes = spread(map);
    expect(Math.min(...sizes)).toBeGreaterThan(500);
    expect(Math.max(...sizes)).toBeLessThan(2000);
  });
});
