import type { Clock } from '../../time/clock.js';
import type { SessionStore, StoredSession, UserSessionEntry } from '../session-store.js';
import type { PostgresRunner } from './postgres-runner.js';

type Row = { session: StoredSession; pending: boolean };
type FoundRow = Row & { idleMs: number; idleUntil: number; expiresAt: number };

/** A use slides the idle end only once it would move by this share of the idle timeout (1 %): most uses then only read. */
const slideStep = 100;

/**
 * {@link SessionStore} on PostgreSQL: one row per session, the absolute expiry in its own column,
 * and each user's sessions in write order by an identity column — the same order on every
 * instance. A use reads the row; it writes only to slide an idle end that moved by 1 % of the
 * idle timeout or more (a session may so end up to 1 % of its idle timeout early — 6 s of 10 min
 * — in exchange for no row version, WAL and index entries on nearly every API call).
 */
export class PostgresSessionStore implements SessionStore {
  readonly shared = true;
  readonly #create: string;
  readonly #use: string;
  readonly #slide: string;
  readonly #confirm: string;
  readonly #exists: string;
  readonly #revoke: string;
  readonly #listForUser: string;

  constructor(
    private readonly db: PostgresRunner,
    table: string,
    private readonly now: Clock,
  ) {
    // The user's lock, held to commit, comes before the row takes its `seq`: a session committed
    // later never gets a lower `seq`, so no instance can list a user's sessions in another order.
    this.#create = `WITH locked AS (SELECT pg_advisory_xact_lock(hashtextextended(length($2::text) || ':' || $2 || $3::text, 0)))
      INSERT INTO ${table} (key, tenant, user_id, kind, created_at, idle_until, expires_at, idle_ms, pending, session)
      SELECT $1::text, $2::text, $3::text, $4::text, $5::bigint, $6::bigint, $7::bigint, $8::bigint, $9::boolean, $10::jsonb FROM locked
      ON CONFLICT (key) DO UPDATE SET tenant = EXCLUDED.tenant, user_id = EXCLUDED.user_id, kind = EXCLUDED.kind,
        created_at = EXCLUDED.created_at, idle_until = EXCLUDED.idle_until, expires_at = EXCLUDED.expires_at,
        idle_ms = EXCLUDED.idle_ms, pending = EXCLUDED.pending, session = EXCLUDED.session`;
    this.#use = `SELECT session, pending, idle_ms::float8 AS "idleMs", idle_until::float8 AS "idleUntil", expires_at::float8 AS "expiresAt"
      FROM ${table} WHERE key = $1 AND tenant = $2 AND idle_until > $3::bigint`;
    this.#slide = `UPDATE ${table} SET idle_until = $2::bigint WHERE key = $1 AND idle_until < $2::bigint`;
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
    const now = Math.round(this.now());
    const [row] = await this.db.query<FoundRow>(this.#use, [key, tenant, now]);
    if (row === undefined) return undefined;
    const slid = Math.min(row.expiresAt, now + row.idleMs);
    if (row.idleMs > 0 && slid - row.idleUntil >= row.idleMs / slideStep) await this.db.query(this.#slide, [key, slid]);
    return withPending(row);
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
