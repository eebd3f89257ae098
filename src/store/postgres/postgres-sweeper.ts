import type { Clock } from '../../time/clock.js';
import type { PostgresRunner } from './postgres-runner.js';
import type { PostgresTables } from './postgres-tables.js';

/** Most batches one table gets per sweep, so a sweep after a long pause still ends soon. */
const maxBatchesPerTable = 100;

/**
 * How long past its expiry a row stays: every read checks the time itself, so keeping rows a
 * little longer costs nothing, while an instance whose clock runs ahead must not delete a used
 * token that instances with the right time still count as used.
 */
const sweepGraceMs = 5 * 60_000;

/**
 * Deletes expired rows in batches of `batchSize`, each one short statement that finds them by the
 * expiry index, deletes them by their row address (`ctid`) and skips rows another instance is
 * deleting (`SKIP LOCKED`): no long locks, no table scans, nothing on the request path.
 */
export class PostgresSweeper {
  readonly #statements: readonly string[];

  constructor(
    private readonly db: PostgresRunner,
    tables: PostgresTables,
    private readonly batchSize: number,
    private readonly now: Clock,
  ) {
    const expired = (table: string, column: string) =>
      `DELETE FROM ${table} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${table} WHERE ${column} <= $1::bigint ORDER BY ${column} LIMIT $2 FOR UPDATE SKIP LOCKED))`;
    this.#statements = [
      expired(tables.ledger, 'until'),
      expired(tables.sessions, 'idle_until'),
      expired(tables.apiTokens, 'expires_at'),
      expired(tables.rateLimits, 'reset_at'),
    ];
  }

  /** Deletes what expired over five minutes ago (clocks of instances differ a little); returns how many rows went. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (const statement of this.#statements) {
      for (let batch = 0; batch < maxBatchesPerTable; batch++) {
        const rows = await this.db.query(`${statement} RETURNING 1`, [Math.round(this.now()) - sweepGraceMs, this.batchSize]);
        deleted += rows.length;
        if (rows.length < this.batchSize) break;
      }
    }
    return deleted;
  }
}
