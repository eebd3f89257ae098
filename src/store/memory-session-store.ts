import { LoginError } from '../errors/login-error.js';
import type { Clock } from '../time/clock.js';
import type { SessionStore, StoredSession, UserSessionEntry } from './session-store.js';
import { digestShard, ShardedMap, stringShard } from './sharded-map.js';
import { SlicedSweep, sweepMap } from './sliced-sweep.js';

interface Entry {
  session: StoredSession;
  /** When the idle timeout ends; equals the absolute end for sessions without one. */
  idleUntil: number;
}

/**
 * In-process {@link SessionStore} with a per-user index; expired sessions are swept a slice at a
 * time ({@link SlicedSweep}). At most `maxEntries` sessions: past that, new ones get
 * `store_unavailable` once a slice of sweeping has not made room (live ones are never pushed out).
 */
export class MemorySessionStore implements SessionStore {
  readonly shared = false;
  // Sharded, so that growing or shrinking never rebuilds a table of a million in one step.
  // Session keys are digests (`storeKeys`); the user index's keys are tenant and user id.
  readonly #entries = new ShardedMap<Entry>(digestShard);
  /** Per user: the key of their only session, or a set once they have several (most have one). */
  readonly #byUser = new ShardedMap<string | Set<string>>(stringShard);
  readonly #now: Clock;
  readonly #maxEntries: number;
  /** Drops expired sessions a slice at a time; `MemoryStore` starts it on its interval. */
  readonly sweeper = new SlicedSweep(() =>
    sweepMap(this.#entries, this.#now, (entry, now) => entry.idleUntil <= now, (key, entry) => this.#remove(key, entry)),
  );

  constructor(options: { maxSessions: number; now: Clock }) {
    this.#now = options.now;
    this.#maxEntries = options.maxSessions;
  }

  /** Number of sessions held, expired or not. */
  get size(): number {
    return this.#entries.size;
  }

  async create(key: string, session: StoredSession): Promise<void> {
    if (this.#entries.size >= this.#maxEntries) {
      this.sweeper.slice();
      if (this.#entries.size >= this.#maxEntries) throw new LoginError('store_unavailable', { reason: 'session store is full' });
    }
    const now = this.#now();
    const idleUntil = session.idleTimeoutMs === undefined ? session.expiresAt : Math.min(session.expiresAt, now + session.idleTimeoutMs);
    this.#entries.set(key, { session, idleUntil });
    const userKey = indexKey(session.tenant, session.userId);
    const keys = this.#byUser.get(userKey);
    if (keys === undefined || keys === key) this.#byUser.set(userKey, key);
    else if (typeof keys === 'string') this.#byUser.set(userKey, new Set([keys, key]));
    else keys.add(key);
  }

  use(key: string, tenant: string): StoredSession | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.session.tenant !== tenant) return undefined;
    const now = this.#now();
    if (entry.idleUntil <= now) {
      this.#remove(key, entry);
      return undefined;
    }
    const idle = entry.session.idleTimeoutMs;
    if (idle !== undefined) entry.idleUntil = Math.min(entry.session.expiresAt, now + idle);
    return entry.session;
  }

  async confirm(key: string): Promise<StoredSession | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined || entry.idleUntil <= this.#now()) return undefined;
    if (entry.session.pendingSecondFactor === true) entry.session = { ...entry.session, pendingSecondFactor: false };
    return entry.session;
  }

  async exists(key: string): Promise<boolean> {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.idleUntil > this.#now();
  }

  async revoke(key: string): Promise<StoredSession | undefined> {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#remove(key, entry);
    return entry.idleUntil > this.#now() ? entry.session : undefined;
  }

  async listForUser(tenant: string, userId: string): Promise<UserSessionEntry[]> {
    const now = this.#now();
    const live: UserSessionEntry[] = [];
    const keys = this.#byUser.get(indexKey(tenant, userId));
    for (const key of typeof keys === 'string' ? [keys] : (keys ?? [])) {
      const entry = this.#entries.get(key);
      if (entry !== undefined && entry.idleUntil > now) live.push({ key, kind: entry.session.kind, createdAt: entry.session.createdAt });
    }
    return live; // a Set iterates in insertion order, which is write order
  }

  /** Drops every expired session now, in one go. */
  sweep(): void {
    this.sweeper.all();
  }

  #remove(key: string, entry: Entry): void {
    this.#entries.delete(key);
    const userKey = indexKey(entry.session.tenant, entry.session.userId);
    const keys = this.#byUser.get(userKey);
    if (keys === key) this.#byUser.delete(userKey);
    else if (typeof keys !== 'string' && keys !== undefined) {
      keys.delete(key);
      if (keys.size === 0) this.#byUser.delete(userKey);
    }
  }
}

function indexKey(tenant: string, userId: string): string {
  return `${tenant}\u0000${userId}`;
}
