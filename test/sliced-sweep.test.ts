import { describe, expect, it } from 'vitest';
import { SlicedSweep, sweepMap } from '../src/store/sliced-sweep.js';

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** A map of `size` entries whose values are their expiry; all but the `live` last ones expired at `now`. */
function entries(size: number, live = 0, now = 1000): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = 0; i < size; i++) map.set(`k${i}`, i >= size - live ? now + 1 : now - 1);
  return map;
}

const expired = (until: number, now: number) => until <= now;

/** A sweep of `map` at the fixed time 1000, counting the pauses its walk makes. */
function sweepOf(map: Map<string, number>) {
  const counts = { walks: 0, steps: 0 };
  const sweep = new SlicedSweep(function* () {
    counts.walks++;
    for (const step of sweepMap(map, () => 1000, expired)) {
      counts.steps++;
      yield step;
    }
  });
  return { sweep, counts };
}

describe('sweepMap', () => {
  it('deletes what is expired and keeps the rest', () => {
    const map = entries(1000, 10);
    for (const _ of sweepMap(map, () => 1000, expired));
    expect([...map.keys()]).toEqual(Array.from({ length: 10 }, (_, i) => `k${990 + i}`));
  });

  it('pauses every 256 entries and reads the clock again after each pause', () => {
    const map = entries(1000, 1000);
    let now = 1000;
    const walk = sweepMap(map, () => now, expired);
    walk.next(); // the first 256 looked at, at 1000: all live
    now = 2000; // the rest are looked at after the pause, when every entry has expired
    let pauses = 1;
    while (walk.next().done !== true) pauses++;
    expect(pauses).toBe(3); // after 256, 512 and 768
    expect(map.size).toBe(256);
  });

  it('hands each expired entry to `remove` when one is given', () => {
    const map = entries(5, 2);
    const removed: string[] = [];
    for (const _ of sweepMap(map, () => 1000, expired, (key) => removed.push(key)));
    expect(removed).toEqual(['k0', 'k1', 'k2']);
    expect(map.size).toBe(5);
  });
});

describe('SlicedSweep', () => {
  it('all() walks everything at once', () => {
    const map = entries(10_000, 3);
    sweepOf(map).sweep.all();
    expect(map.size).toBe(3);
  });

  it('start() leaves the event loop between slices, and finishes in the background', async () => {
    const map = entries(400_000);
    const { sweep, counts } = sweepOf(map);
    sweep.start();
    expect(map.size).toBe(400_000); // nothing yet: the first slice runs on a later turn
    let turns = 0;
    while (map.size > 0) {
      await turn();
      turns++;
      if (turns === 1) expect(map.size).toBeGreaterThan(0); // one slice did not do it all
    }
    expect(turns).toBeGreaterThan(1);
    expect(counts).toMatchObject({ walks: 1, steps: Math.floor(400_000 / 256) });
  });

  it('start() while a walk is under way does not begin another', async () => {
    const map = entries(100);
    const { sweep, counts } = sweepOf(map);
    sweep.start();
    sweep.start();
    await turn();
    await turn();
    expect(counts.walks).toBe(1);
    expect(map.size).toBe(0);
    sweep.start(); // the walk ended: a new one may begin
    await turn();
    expect(counts.walks).toBe(2);
  });

  it('shares one budget per turn among the sweeps under way, in the order they started', async () => {
    const first = entries(400_000);
    const second = entries(400_000);
    const sweeps = [sweepOf(first).sweep, sweepOf(second).sweep];
    for (const sweep of sweeps) sweep.start();
    await turn();
    expect(first.size).toBeLessThan(400_000);
    expect(second.size).toBe(400_000); // the first took the whole turn
    while (second.size > 0) await turn();
    expect(first.size).toBe(0);
  });

  it('slice() runs a slice now and leaves the rest to the background', async () => {
    const map = entries(400_000);
    const { sweep } = sweepOf(map);
    sweep.slice();
    const afterSlice = map.size;
    expect(afterSlice).toBeLessThan(400_000);
    expect(afterSlice).toBeGreaterThan(0);
    while (map.size > 0) await turn();
  });

  it('slice() on a small map finishes the walk at once', () => {
    const map = entries(100, 1);
    const { sweep, counts } = sweepOf(map);
    sweep.slice();
    expect(map.size).toBe(1);
    sweep.slice(); // a new walk
    expect(counts.walks).toBe(2);
  });

  it('stop() abandons the walk under way', async () => {
    const map = entries(400_000);
    const { sweep } = sweepOf(map);
    sweep.slice();
    sweep.stop();
    const left = map.size;
    await turn();
    await turn();
    expect(map.size).toBe(left);
  });

  it('keeps walking a map that changes between slices, in one walk', async () => {
    const map = entries(400_000);
    const { sweep, counts } = sweepOf(map);
    sweep.slice();
    map.delete('k399999'); // an entry ahead of the walk goes
    for (let i = 0; i < 1000; i++) map.set(`new${i}`, 5000); // live entries arrive behind the walk
    for (let i = 0; i < 10; i++) map.set(`old${i}`, 10); // and expired ones
    while (map.size > 1000) await turn();
    await turn();
    expect(map.size).toBe(1000);
    expect([...map.keys()].every((key) => key.startsWith('new'))).toBe(true);
    expect(counts.walks).toBe(1);
  });

  it('abandons a walk that throws, and keeps the others going', async () => {
    const map = entries(400_000);
    const failing = new SlicedSweep(function* () {
      yield;
      throw new Error('the clock failed');
    });
    const { sweep } = sweepOf(map);
    failing.start();
    sweep.start();
    while (map.size > 0) await turn();
    failing.start(); // a new walk may begin
  });
});
