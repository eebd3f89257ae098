import { randomBytes } from 'node:crypto';
import type { Clock } from '../../time/clock.js';
import type { OneTimeLedger, Reservation } from '../one-time-ledger.js';
import type { PostgresRunner } from './postgres-runner.js';

/**
 * {@link OneTimeLedger} on PostgreSQL: one row per token hash, every transition one statement.
 * `INSERT … ON CONFLICT DO UPDATE … WHERE` takes the row lock, so of concurrent reservations on
 * any number of instances exactly one wins. Times come from the app's clock, as with Redis.
 */
export class PostgresLedger implements OneTimeLedger {
  readonly shared = true;
  readonly #reserve: string;
  readonly #consume: string;
  readonly #release: string;

  constructor(
    private readonly db: PostgresRunner,
    table: string,
    private readonly now: Clock,
  ) {
    // A row that is neither a live reservation nor a live use is free to take. When the insert
    // took nothing, the row as this statement's snapshot saw it tells why; a row inserted by a
    // concurrent reservation is invisible to that snapshot, and is a reservation: "in-use".
    this.#reserve = `WITH taken AS (
        INSERT INTO ${table} AS l (key, reservation, until) VALUES ($1, $2, $3::bigint + $4::bigint)
        ON CONFLICT (key) DO UPDATE SET reservation = EXCLUDED.reservation, until = EXCLUDED.until WHERE l.until <= $3::bigint
        RETURNING 1)
      SELECT CASE WHEN EXISTS (SELECT FROM taken) THEN 'reserved'
        WHEN (SELECT reservation IS NULL FROM ${table} WHERE key = $1) THEN 'used' ELSE 'in-use' END AS status`;
    // Our reservation, even lapsed, or a row whose time is over (nobody else took the token).
    this.#consume = `INSERT INTO ${table} AS l (key, reservation, until) VALUES ($1, NULL, $3::bigint + $4::bigint)
      ON CONFLICT (key) DO UPDATE SET reservation = NULL, until = EXCLUDED.until
      WHERE l.reservation = $2 OR l.until <= $3::bigint
      RETURNING 1`;
    this.#release = `DELETE FROM ${table} WHERE key = $1 AND reservation = $2`;
  }

  async reserve(key: string, holdMs: number): Promise<Reservation> {
    const id = randomBytes(9).toString('base64url');
    const [row] = await this.db.query<{ status: Reservation['status'] }>(this.#reserve, [key, id, Math.round(this.now()), Math.round(holdMs)]);
    return row!.status === 'reserved' ? { status: 'reserved', id } : { status: row!.status };
  }

  async consume(key: string, id: string, rememberMs: number): Promise<boolean> {
    return (await this.db.query(this.#consume, [key, id, Math.round(this.now()), Math.round(rememberMs)])).length === 1;
  }

  async release(key: string, id: string): Promise<void> {
    await this.db.query(this.#release, [key, id]);
  }
}
