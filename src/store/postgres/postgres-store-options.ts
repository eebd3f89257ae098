import { z } from 'zod';
import { optionSchema } from '../../config/option-schema.js';
import { durationMs, functionSchema } from '../../config/zod-helpers.js';
import { systemClock, type Clock } from '../../time/clock.js';

/** What the store uses of a `pg` connection (typed here, so TypeScript users need no `@types/pg`). */
export interface PostgresClient {
  query<Row>(text: string, values?: unknown[]): Promise<{ rows: Row[] }>;
  /** Back to the pool; with an error, the connection is discarded instead. */
  release(error?: Error | boolean): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** What the store uses of a `pg` pool (`new pg.Pool(…)`), owned by the app. */
export interface PostgresPool {
  connect(): Promise<PostgresClient>;
  /** Requests for a connection not served yet (pg counts those an idle connection serves next too). */
  readonly waitingCount: number;
  /** Connections idle in the pool. */
  readonly idleCount: number;
  /** Connections open or opening. */
  readonly totalCount: number;
  /** The pool's settings; pg's default `max` is 10. */
  readonly options?: { readonly max?: number; readonly connectionTimeoutMillis?: number };
  on(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
}

/** Options of `new PostgresStore(…)`. */
export interface PostgresStoreOptions {
  /**
   * A `pg.Pool`, owned by the app: `close()` does not end it. It must set
   * `connectionTimeoutMillis`; best a pool of its own with `statement_timeout` and `lock_timeout`
   * (see the README). Required.
   */
  pool: PostgresPool;
  /** Schema of the tables (created by the migration when missing); lower-case letters, digits and `_`. @default 'public' */
  schema?: string;
  /** Prefix of every table and index name (never empty: the tables must not take an app's own); lower-case letters, digits and `_`. @default 'lwt_' */
  tablePrefix?: string;
  /**
   * Deadline of one query, waiting for a connection included, at most 60000; past it the request
   * gets 503 `store_unavailable` and the connection is discarded.
   * @default 1000
   */
  queryTimeoutMs?: number;
  /**
   * Most queries waiting for a free connection of the pool at once; past it a query fails at once
   * with 503 `store_unavailable` instead of joining a queue that grows without bound.
   * @default 100
   */
  maxWaitingQueries?: number;
  /** How often expired rows are deleted, in bounded batches; at most every 24 hours. @default 60000 */
  sweepIntervalMs?: number;
  /** Most rows one delete statement of the sweep removes, so no statement holds locks for long. @default 1000 */
  sweepBatchSize?: number;
  /** Time source, for tests; give every instance the same (real) clock. @default Date.now */
  now?: Clock;
}

const identifier = (max: number) => z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be lower-case letters, digits and "_", starting with a letter or "_"').max(max);

/** Validates {@link PostgresStoreOptions}; every default is written here. */
export const postgresStoreOptionsSchema = optionSchema<PostgresStoreOptions>()(
  z.strictObject({
    pool: z.custom<PostgresPool>(
      (value) => typeof (value as PostgresPool | null)?.connect === 'function' && typeof (value as PostgresPool).waitingCount === 'number' && typeof (value as PostgresPool).idleCount === 'number',
      { message: 'must be a pg Pool (new pg.Pool(…))' },
    ).refine((pool) => pool.options === undefined || (pool.options.connectionTimeoutMillis ?? 0) > 0, {
      message: 'must set connectionTimeoutMillis (e.g. 2000): without it a connection attempt to an unreachable database never ends and keeps its place in the pool',
    }),
    schema: identifier(63).default('public'),
    tablePrefix: identifier(32).default('lwt_'),
    queryTimeoutMs: durationMs(60_000).default(1000),
    maxWaitingQueries: z.number().int().nonnegative().max(100_000).default(100),
    sweepIntervalMs: durationMs(24 * 3600_000).default(60_000),
    sweepBatchSize: z.number().int().positive().max(100_000).default(1000),
    now: functionSchema<Clock>().default(() => systemClock),
  }),
);

/** {@link PostgresStoreOptions} after validation, defaults applied. */
export type ParsedPostgresStoreOptions = z.output<typeof postgresStoreOptionsSchema>;
