import type { Clock } from '../../time/clock.js';
import type { SessionStore, StoredSession, UserSessionEntry } from '../session-store.js';
import type { PostgresRunner } from './postgres-runner.js';

type Row = { session: StoredSession; pending: boolean };

/**
 * {@link SessionStore} on PostgreSQL: one row per session, the idle expiry slid by the statement
 * that reads it (and only for sessions that have one), the absolute expiry in its own column,
 * and each user's sessions in write order by an identity column — the same order on every instance.
 */
export class PostgresSessionStore implements SessionStore {
  readonly shared = true;
  readonly #create: string;
  readonly #use: string;
  readonly #confirm: string;
  readonly #exists: string;
  readonly #revoke: string;
  readonly #listForUser: string;

  constructor(
    private readonly db: PostgresRunner,
    table: string,
    private readonly now: Clock,
  ) {
    this.#create = `INSERT INTO ${table} (key, tenant, user_id, kind, created_at, idle_until, expires_at, idle_ms, pending, session)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
      ON CONFLICT (key) DO UPDATE SET tenant = EXCLUDED.tenant, user_id = EXCLUDED.user_id, kind = EXCLUDED.kind,
        created_at = EXCLUDED.created_at, idle_until = EXCLUDED.idle_until, expires_at = EXCLUDED.expires_at,
        idle_ms = EXCLUDED.idle_ms, pending = EXCLUDED.pending, session = EXCLUDED.session`;
    // Sessions without an idle timeout are only read: no row version per API call.
    this.#use = `WITH found AS (
        SELECT key, session, pending, idle_ms, expires_at FROM ${table} WHERE key = $1 AND tenant = $2 AND idle_until > $3::bigint),
      slid AS (
        UPDATE ${table} s SET idle_until = GREATEST(s.idle_until, LEAST(found.expires_at, $3::bigint + found.idle_ms))
        FROM found WHERE s.key = found.key AND found.idle_ms > 0)
      SELECT session, pending FROM found`;
    this.#confirm = `UPDATE ${table} SET pending = false WHERE key = $1 AND idle_until > $2::bigint RETURNING session, pending`;
    this.#exists = `SELECT FROM ${table} WHERE key = $1 AND idle_until > $2::bigint`;
    this.#revoke = `DELETE FROM ${table} WHERE key = $1 RETURNING session, idle_until > $2::bigint AS live`;
    this.#listForUser = `SELECT key, kind, created_at::float8 AS "createdAt" FROM ${table}
      WHERE tenant = $1 AND user_id = $2 AND idle_until > $3::bigint ORDER BY seq`;
  }

  async create(key: string, session: StoredSession): Promise<void> {
    const now = this.now();
    const idle = session.idleTimeoutMs ?? 0;
    const idleUntil = idle > 0 ? Math.min(session.expiresAt, now + idle) : session.expiresAt;
    const { pendingSecondFactor, ...stored } = session;
    await this.db.query(this.#create, [
      key,
      session.tenant,
      session.userId,
      session.kind,
      Math.round(session.createdAt),
      Math.round(idleUntil),
      Math.round(session.expiresAt),
      Math.round(idle),
      pendingSecondFactor === true,
      stored,
    ]);
  }

  async use(key: string, tenant: string): Promise<StoredSession | undefined> {
    const [row] = await this.db.query<Row>(this.#use, [key, tenant, Math.round(this.now())]);
    return row === undefined ? undefined : withPending(row);
  }

  async confirm(key: string): Promise<StoredSession | undefined> {
    const [row] = await this.db.query<Row>(this.#confirm, [key, Math.round(this.now())]);
    return row === undefined ? undefined : withPending(row);
  }

  async exists(key: string): Promise<boolean> {
    return (await this.db.query(this.#exists, [key, Math.round(this.now())])).length === 1;
  }

  async revoke(key: string): Promise<StoredSession | undefined> {
    const [row] = await this.db.query<{ session: StoredSession; live: boolean }>(this.#revoke, [key, Math.round(this.now())]);
    return row?.live === true ? row.session : undefined;
  }

  async listForUser(tenant: string, userId: string): Promise<UserSessionEntry[]> {
    return this.db.query<UserSessionEntry>(this.#listForUser, [tenant, userId, Math.round(this.now())]);
  }
}

function withPending({ session, pending }: Row): StoredSession {
  return pending ? { ...session, pendingSecondFactor: true } : session;
}
