const shardCount = 64;
const shardMask = shardCount - 1;

/** Chooses a key's shard (0–63). */
export type ShardOf = (key: string) => number;

/**
 * For keys that are base64url digests (`secretHash`): the 6 bits of the first character, one
 * shard each. (Whoever chooses a token can grind its digest into one shard, 1 try in 64; that
 * only brings back one table's rebuild cost for their own entries.)
 */
export const digestShard: ShardOf = (key) => {
  const c = key.charCodeAt(0);
  if (c >= 97) return (c - 71) & shardMask; // a–z: 26–51
  if (c >= 65 && c <= 90) return c - 65; // A–Z: 0–25
  if (c >= 48 && c <= 57) return c + 4; // 0–9: 52–61
  return c === 45 ? 62 : 63; // '-', '_' (and anything else)
};

/** For keys of any shape: every character counts (about 100 ns for 40 characters: for writes, not for each lookup of a hot path). */
export const stringShard: ShardOf = (key) => {
  let hash = 0x811c9dc5; // FNV-1a, its high bits folded into the low ones
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash ^ (hash >>> 16)) & shardMask;
};

/**
 * A string-keyed Map split into 64 shards, for the in-process stores that hold up to millions of
 * entries. V8 rebuilds a Map's whole table in one step when it grows or shrinks: at a million
 * entries that holds the event loop 50–120 ms on a single `set` or `delete`; a shard's rebuild
 * costs a sixty-fourth. Iteration goes shard by shard, so it is not in insertion order.
 */
export class ShardedMap<V> {
  readonly #shards: Map<string, V>[] = Array.from({ length: shardCount }, () => new Map());
  readonly #shardOf: ShardOf;
  #size = 0;

  constructor(shardOf: ShardOf) {
    this.#shardOf = shardOf;
  }

  get size(): number {
    return this.#size;
  }

  get(key: string): V | undefined {
    return this.#shards[this.#shardOf(key)]!.get(key);
  }

  has(key: string): boolean {
    return this.#shards[this.#shardOf(key)]!.has(key);
  }

  set(key: string, value: V): this {
    const shard = this.#shards[this.#shardOf(key)]!;
    const before = shard.size;
    shard.set(key, value);
    this.#size += shard.size - before;
    return this;
  }

  delete(key: string): boolean {
    const deleted = this.#shards[this.#shardOf(key)]!.delete(key);
    if (deleted) this.#size--;
    return deleted;
  }

  /** The shards themselves, for walks that go through every entry (a sweep) without a step between; never to be written to (the size would drift). */
  get shards(): readonly ReadonlyMap<string, V>[] {
    return this.#shards;
  }
}
