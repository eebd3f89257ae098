import type { Clock } from '../../time/clock.js';
import type { RateCounter, RateLimitStore } from '../rate-limit-store.js';
import type { PostgresRunner } from './postgres-runner.js';

/** {@link RateLimitStore} on PostgreSQL: one row per counter, changed by one statement, shared by every instance. */
export class PostgresRateLimitStore implements RateLimitStore {
  readonly shared = true;
  readonly #count: string;
  readonly #discount: string;
  readonly #reset: string;

  constructor(
    private readonly db: PostgresRunner,
    table: string,
    private readonly now: Clock,
  ) {
    // A closed window (reset_at passed) starts again from this delta.
    this.#count = `INSERT INTO ${table} AS r (key, count, reset_at) VALUES ($1, $2, $3::bigint + $4::bigint)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN r.reset_at <= $3::bigint THEN EXCLUDED.count ELSE r.count + EXCLUDED.count END,
        reset_at = CASE WHEN r.reset_at <= $3::bigint THEN EXCLUDED.reset_at ELSE r.reset_at END
      RETURNING count, reset_at::float8 AS "resetAt"`;
    // A negative delta only lowers an open window, never below zero, and never opens one.
    this.#discount = `UPDATE ${table} SET count = GREATEST(0, count + $2) WHERE key = $1 AND reset_at > $3::bigint
      RETURNING count, reset_at::float8 AS "resetAt"`;
    this.#reset = `DELETE FROM ${table} WHERE key = $1`;
  }

  async add(key: string, delta: number, windowMs: number): Promise<RateCounter> {
    const now = Math.round(this.now());
    const [row] =
      delta > 0
        ? await this.db.query<RateCounter>(this.#count, [key, delta, now, Math.round(windowMs)])
        : await this.db.query<RateCounter>(this.#discount, [key, delta, now]);
    return row ?? { count: 0, resetAt: now };
  }

  async reset(key: string): Promise<void> {
    await this.db.query(this.#reset, [key]);
  }
}
