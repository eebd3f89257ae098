import type { Clock } from '../time/clock.js';

/** Longest one slice of sweeping holds the event loop: well under 10 ms, so requests never wait long behind it. */
const sliceMs = 4;
/** Entries a walk looks at between two pauses: well under a millisecond of work. */
const entriesPerStep = 256;

/**
 * Drops the expired entries of in-process maps without holding the event loop: a walk over a
 * million entries takes hundreds of milliseconds, so `start()` runs it in the background, in
 * slices between which the loop serves requests. Every sweep under way in the process shares one
 * budget of 4 ms per turn of the loop (`setImmediate`), taken in the order the sweeps started —
 * a store's four roles, or several stores, never add up to a longer hold. `slice()` runs a slice
 * of this sweep now, where a full store needs room — at most half the time, however many
 * requests ask, so a full store costs each refused request a few milliseconds at most and never
 * the whole walk; `all()` walks everything at once, for explicit calls and tests. The walk is a generator that pauses every few hundred entries
 * ({@link sweepMap}); a Map's iterator stays valid while the map changes between slices.
 */
export class SlicedSweep {
  /** Sweeps under way, in the order they started. */
  static readonly #running = new Set<SlicedSweep>();
  static #nextTurn: NodeJS.Immediate | undefined;
  /** When the next `slice()` may run: slices on the request path take at most half the time. */
  static #nextSliceAt = 0;

  readonly #walk: () => Iterator<void>;
  #current: Iterator<void> | undefined;

  constructor(walk: () => Iterator<void>) {
    this.#walk = walk;
  }

  /** Starts a walk in the background unless one is under way. */
  start(): void {
    if (this.#current !== undefined) return;
    this.#current = this.#walk();
    SlicedSweep.#running.add(this);
    SlicedSweep.#schedule();
  }

  /**
   * Runs one slice now, unless the last one ran too recently, starting a walk if none is under
   * way; the rest continues in the background.
   */
  slice(): void {
    this.start();
    const started = performance.now();
    if (started < SlicedSweep.#nextSliceAt) return;
    if (!this.#walkUntil(started + sliceMs)) return; // the walk ended: cheap enough to ask again
    const ended = performance.now();
    SlicedSweep.#nextSliceAt = ended + (ended - started);
  }

  /** Walks everything now; a walk under way is superseded. */
  all(): void {
    this.stop();
    const walk = this.#walk();
    while (walk.next().done !== true);
  }

  /** Abandons a walk under way. */
  stop(): void {
    this.#current = undefined;
    SlicedSweep.#running.delete(this);
    if (SlicedSweep.#running.size === 0 && SlicedSweep.#nextTurn !== undefined) {
      clearImmediate(SlicedSweep.#nextTurn);
      SlicedSweep.#nextTurn = undefined;
    }
  }

  /**
   * Walks until `end` (a `performance.now()` time); false once the walk has ended. A walk that
   * throws (a clock that fails) is abandoned, and the next interval starts a new one; the
   * requests that read the same clock show the fault.
   */
  #walkUntil(end: number): boolean {
    const walk = this.#current;
    if (walk === undefined) return false;
    try {
      do {
        if (walk.next().done === true) {
          this.stop();
          return false;
        }
      } while (performance.now() < end);
    } catch {
      this.stop();
      return false;
    }
    return true;
  }

  static #schedule(): void {
    SlicedSweep.#nextTurn ??= setImmediate(SlicedSweep.#turn).unref();
  }

  static #turn(): void {
    SlicedSweep.#nextTurn = undefined;
    const end = performance.now() + sliceMs;
    for (const sweep of SlicedSweep.#running) if (sweep.#walkUntil(end)) break;
    if (SlicedSweep.#running.size > 0) SlicedSweep.#schedule();
  }
}

/** What {@link sweepMap} walks: a `Map`, or a `ShardedMap` shard by shard. */
export type SweptMap<K, V> = Map<K, V> | { readonly shards: readonly ReadonlyMap<K, V>[]; delete(key: K): boolean };

/**
 * One map's part of a {@link SlicedSweep}: deletes each entry `expired` picks — with `remove`
 * when more than the map must go — reading the clock again after every pause.
 */
export function* sweepMap<K, V>(
  map: SweptMap<K, V>,
  clock: Clock,
  expired: (value: V, now: number) => boolean,
  remove: (key: K, value: V) => void = (key) => map.delete(key),
): Generator<void, void, void> {
  let now = clock();
  let looked = 0;
  for (const shard of map instanceof Map ? [map] : map.shards) {
    for (const [key, value] of shard) {
      if (expired(value, now)) remove(key, value);
      if (++looked === entriesPerStep) {
        looked = 0;
        yield;
        now = clock();
      }
    }
  }
}
