import type { Clock } from '../../time/clock.js';
import type { ApiTokenStore, StoredApiToken } from '../api-token-store.js';
import type { PostgresRunner } from './postgres-runner.js';

/** {@link ApiTokenStore} on PostgreSQL: one row per token under the hash of its secret; revoking deletes it. */
export class PostgresApiTokenStore implements ApiTokenStore {
  readonly shared = true;
  readonly #create: string;
  readonly #find: string;
  readonly #list: string;
  readonly #revoke: string;

  constructor(
    private readonly db: PostgresRunner,
    table: string,
    private readonly now: Clock,
  ) {
    const live = '(expires_at IS NULL OR expires_at > $NOW::bigint)';
    this.#create = `INSERT INTO ${table} (key, id, tenant, user_id, created_at, expires_at, token) VALUES ($1, $2, $3, $4, $5, $6, $7)`;
    this.#find = `SELECT token FROM ${table} WHERE key = $1 AND ${live.replace('$NOW', '$2')}`;
    this.#list = `SELECT token FROM ${table} WHERE tenant = $1 AND ($2::text IS NULL OR user_id = $2) AND ${live.replace('$NOW', '$3')}
      ORDER BY created_at, id`;
    this.#revoke = `DELETE FROM ${table} WHERE tenant = $1 AND id = $2 RETURNING ${live.replace('$NOW', '$3')} AS live`;
  }

  async create(key: string, token: StoredApiToken): Promise<void> {
    const expiresAt = token.expiresAt === undefined ? null : Math.round(token.expiresAt);
    await this.db.query(this.#create, [key, token.id, token.tenant, token.userId, Math.round(token.createdAt), expiresAt, token]);
  }

  async find(key: string): Promise<StoredApiToken | undefined> {
    const [row] = await this.db.query<{ token: StoredApiToken }>(this.#find, [key, Math.round(this.now())]);
    return row?.token;
  }

  async list(tenant: string, userId?: string): Promise<StoredApiToken[]> {
    const rows = await this.db.query<{ token: StoredApiToken }>(this.#list, [tenant, userId ?? null, Math.round(this.now())]);
    return rows.map((row) => row.token);
  }

  async revoke(tenant: string, id: string): Promise<boolean> {
    // An expired token was gone already (find and list agree); deleting it is only tidying up.
    const [row] = await this.db.query<{ live: boolean }>(this.#revoke, [tenant, id, Math.round(this.now())]);
    return row?.live === true;
  }
}
