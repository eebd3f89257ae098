import type { ApiTokenStore, StoredApiToken } from './api-token-store.js';
import type { Clock } from '../time/clock.js';
import { SlicedSweep, sweepMap } from './sliced-sweep.js';

/** In-process {@link ApiTokenStore}. */
export class MemoryApiTokenStore implements ApiTokenStore {
  readonly shared = false;
  readonly #byKey = new Map<string, StoredApiToken>();
  readonly #keyById = new Map<string, string>();
  readonly #now: Clock;
  /** Drops expired tokens a slice at a time; `MemoryStore` starts it on its interval. */
  readonly sweeper = new SlicedSweep(() =>
    sweepMap(this.#byKey, this.#now, (token, now) => !live(token, now), (key, token) => {
      this.#byKey.delete(key);
      this.#keyById.delete(token.id);
    }),
  );

  constructor(options: { now: Clock }) {
    this.#now = options.now;
  }

  async create(key: string, token: StoredApiToken): Promise<void> {
    this.#byKey.set(key, token);
    this.#keyById.set(token.id, key);
  }

  async find(key: string): Promise<StoredApiToken | undefined> {
    const token = this.#byKey.get(key);
    return token !== undefined && this.#live(token) ? token : undefined;
  }

  async list(tenant: string, userId?: string): Promise<StoredApiToken[]> {
    return [...this.#byKey.values()]
      .filter((token) => token.tenant === tenant && (userId === undefined || token.userId === userId) && this.#live(token))
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(tenant: string, id: string): Promise<boolean> {
    const key = this.#keyById.get(id);
    const token = key === undefined ? undefined : this.#byKey.get(key);
    if (key === undefined || token === undefined || token.tenant !== tenant) return false;
    this.#byKey.delete(key);
    this.#keyById.delete(id);
    // An expired token was gone already (find and list agree); removing it is only tidying up.
    return this.#live(token);
  }

  /** Drops every expired token now, in one go. */
  sweep(): void {
    this.sweeper.all();
  }

  #live(token: StoredApiToken): boolean {
    return live(token, this.#now());
  }
}

function live(token: StoredApiToken, now: number): boolean {
  return token.expiresAt === undefined || token.expiresAt > now;
}
