import type { Clock } from '../../time/clock.js';
import type { PostgresRunner } from './postgres-runner.js';
import type { PostgresTables } from './postgres-tables.js';

/** Most batches one table gets per sweep, so a sweep after a long pause still ends soon. */
const maxBatchesPerTable = 100;

/**
 * Deletes expired rows in batches of `batchSize`, each one short statement that follows an index
 * and skips rows another instance is deleting (`SKIP LOCKED`): no long locks, no table scans,
 * nothing on the request path.
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
      `DELETE FROM ${table} WHERE key IN (SELECT key FROM ${table} WHERE ${column} <= $1::bigint ORDER BY ${column} LIMIT $2 FOR UPDATE SKIP LOCKED)`;
    this.#statements = [
      expired(tables.ledger, 'until'),
      expired(tables.sessions, 'idle_until'),
      expired(tables.apiTokens, 'expires_at'),
      expired(tables.rateLimits, 'reset_at'),
    ];
  }

  /** Deletes what has expired; returns how many rows went. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (const statement of this.#statements) {
      for (let batch = 0; batch < maxBatchesPerTable; batch++) {
        const rows = await this.db.query(`${statement} RETURNING 1`, [Math.round(this.now()), this.batchSize]);
        deleted += rows.length;
        if (rows.length < this.batchSize) break;
      }
    }
    return deleted;
  }
}
