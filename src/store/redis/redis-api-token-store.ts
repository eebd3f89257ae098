import type { ApiTokenStore, StoredApiToken } from '../api-token-store.js';
import type { Clock } from '../../time/clock.js';
import type { RedisKeys } from '../store-keys.js';
import type { RedisRunner } from './redis-runner.js';

/**
 * {@link ApiTokenStore} on Redis: the record under the secret's hash, an id → hash pointer and a
 * set of ids per tenant for listing. Records with an expiry carry a matching PX.
 */
export class RedisApiTokenStore implements ApiTokenStore {
  readonly shared = true;

  constructor(
    private readonly redis: RedisRunner,
    private readonly keys: RedisKeys,
    private readonly now: Clock,
  ) {}

  async create(key: string, token: StoredApiToken): Promise<void> {
    const ttl = token.expiresAt === undefined ? undefined : Math.max(1, token.expiresAt - this.now());
    const json = JSON.stringify(token);
    await this.redis.run((client) => (ttl === undefined ? client.set(this.keys.apiToken(key), json) : client.set(this.keys.apiToken(key), json, 'PX', ttl)));
    await this.redis.run((client) => (ttl === undefined ? client.set(this.keys.apiTokenId(token.tenant, token.id), key) : client.set(this.keys.apiTokenId(token.tenant, token.id), key, 'PX', ttl)));
    await this.redis.run((client) => client.sadd(this.keys.apiTokens(token.tenant), token.id));
  }

  async find(key: string): Promise<StoredApiToken | undefined> {
    const json = await this.redis.run((client) => client.get(this.keys.apiToken(key)));
    const token = json === null ? undefined : (JSON.parse(json) as StoredApiToken);
    return token !== undefined && (token.expiresAt === undefined || token.expiresAt > this.now()) ? token : undefined;
  }

  async list(tenant: string, userId?: string): Promise<StoredApiToken[]> {
    const ids = await this.redis.run((client) => client.smembers(this.keys.apiTokens(tenant)));
    const tokens: StoredApiToken[] = [];
    for (const id of ids) {
      const key = await this.redis.run((client) => client.get(this.keys.apiTokenId(tenant, id)));
      const token = key === null ? undefined : await this.find(key);
      if (token === undefined) await this.redis.run((client) => client.srem(this.keys.apiTokens(tenant), id));
      else if (userId === undefined || token.userId === userId) tokens.push(token);
    }
    return tokens.sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(tenant: string, id: string): Promise<boolean> {
    const key = await this.redis.run((client) => client.get(this.keys.apiTokenId(tenant, id)));
    if (key === null) return false;
    const removed = await this.redis.run((client) => client.del(this.keys.apiToken(key)));
    await this.redis.run((client) => client.del(this.keys.apiTokenId(tenant, id)));
    await this.redis.run((client) => client.srem(this.keys.apiTokens(tenant), id));
    return removed > 0;
  }
}
