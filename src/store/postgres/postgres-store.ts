import { validateOptions } from '../../config/validate-options.js';
import type { Store } from '../store.js';
import { PostgresApiTokenStore } from './postgres-api-token-store.js';
import { PostgresLedger } from './postgres-ledger.js';
import { migrate } from './postgres-migrations.js';
import { PostgresRateLimitStore } from './postgres-rate-limit-store.js';
import { PostgresRunner } from './postgres-runner.js';
import { PostgresSessionStore } from './postgres-session-store.js';
import { postgresStoreOptionsSchema, type PostgresStoreOptions } from './postgres-store-options.js';
import { PostgresSweeper } from './postgres-sweeper.js';
import { postgresTables, type PostgresTables } from './postgres-tables.js';

const ignore = () => undefined;

/**
 * Every store role in PostgreSQL, for durable API tokens and for portals running on several
 * instances: the one-time ledger, session tokens and connections with each user's sessions in
 * write order, API tokens and rate-limit counters. Only hashes of tokens, passwords and pass
 * codes are written. Run {@link PostgresStore.migrate} (or `npx login-with-token migrate`) before
 * first use. The pool stays the app's: `close()` does not end it.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { PostgresStore } from 'login-with-token/postgres';
 * const store = new PostgresStore({ pool: new pg.Pool({ connectionString: process.env.DATABASE_URL }) });
 * await store.migrate();
 * createLoginWithToken({ store, hashKey: process.env.LOGIN_HASH_KEY, … });
 * ```
 */
export class PostgresStore implements Store {
  readonly shared = true;
  readonly ledger: PostgresLedger;
  readonly sessions: PostgresSessionStore;
  readonly apiTokens: PostgresApiTokenStore;
  readonly rateLimits: PostgresRateLimitStore;
  /** The tables this store uses, quoted and schema-qualified. */
  readonly tables: PostgresTables;
  readonly #db: PostgresRunner;
  readonly #sweeper: PostgresSweeper;
  readonly #schema: string;
  readonly #prefix: string;
  readonly #timer: NodeJS.Timeout;
  readonly #pool: PostgresStoreOptions['pool'];
  #sweeping: Promise<number> | undefined;

  /** Checks `options` like the factory checks its own (an `OptionsError` names a bad one). */
  constructor(options: PostgresStoreOptions) {
    const valid = validateOptions(postgresStoreOptionsSchema, options, 'PostgresStore');
    const { now } = valid;
    this.#schema = valid.schema;
    this.#prefix = valid.tablePrefix;
    this.#pool = valid.pool;
    this.tables = postgresTables(valid.schema, valid.tablePrefix);
    this.#db = new PostgresRunner(valid.pool, valid);
    this.ledger = new PostgresLedger(this.#db, this.tables.ledger, now);
    this.sessions = new PostgresSessionStore(this.#db, this.tables.sessions, now);
    this.apiTokens = new PostgresApiTokenStore(this.#db, this.tables.apiTokens, now);
    this.rateLimits = new PostgresRateLimitStore(this.#db, this.tables.rateLimits, now);
    this.#sweeper = new PostgresSweeper(this.#db, this.tables, valid.sweepBatchSize, now);
    // An idle connection that breaks (PostgreSQL restarted) must not crash the app.
    this.#pool.on('error', ignore);
    this.#timer = setInterval(() => void this.sweep().catch(ignore), valid.sweepIntervalMs).unref();
  }

  /**
   * Creates or upgrades the tables: applies the shipped migrations not applied yet, in one
   * transaction under an advisory lock. Idempotent; safe when instances start together.
   * @returns the migration versions applied now
   */
  migrate(): Promise<number[]> {
    return migrate(this.#db, this.tables, this.#schema, this.#prefix);
  }

  /**
   * Deletes expired rows now, in bounded batches (it also runs every `sweepIntervalMs`). A sweep
   * still running is joined, not doubled.
   * @returns how many rows went
   */
  sweep(): Promise<number> {
    return (this.#sweeping ??= this.#sweeper.sweep().finally(() => (this.#sweeping = undefined)));
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#pool.off('error', ignore);
    await this.#sweeping?.catch(ignore);
  }
}
