import { LoginError } from '../../errors/login-error.js';
import type { PostgresClient, PostgresPool } from './postgres-store-options.js';

/** Rejects with a `TimeoutError` when `promise` is not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DOMException(`PostgreSQL ${what} timed out`, 'TimeoutError')), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

const ignore = () => undefined;

/** pg's `max` when the pool's options do not say. */
const defaultPoolMax = 10;

/** Connections already given an error listener (a broken idle connection must not crash the app), across stores on one pool. */
const guarded = new WeakSet<PostgresClient>();

/**
 * Runs queries on the app's pool with a deadline that covers waiting for a connection too, so a
 * PostgreSQL that stalls turns into a rejected promise (and a 503) instead of a request that
 * never ends. A connection that timed out or failed is discarded, not returned to the pool; a
 * pool with too many queries waiting refuses at once.
 */
export class PostgresRunner {
  readonly #pool: PostgresPool;
  readonly #timeoutMs: number;
  readonly #maxWaiting: number;

  constructor(pool: PostgresPool, options: { readonly queryTimeoutMs: number; readonly maxWaitingQueries: number }) {
    this.#pool = pool;
    this.#timeoutMs = options.queryTimeoutMs;
    this.#maxWaiting = options.maxWaitingQueries;
  }

  /** Runs one statement and returns its rows. */
  async query<Row>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    const started = performance.now();
    const client = await this.#connect();
    try {
      const left = Math.max(1, this.#timeoutMs - (performance.now() - started));
      const result = await within(client.query<Row>(text, values as unknown[]), left, 'query');
      client.release();
      return result.rows;
    } catch (error) {
      // The connection may be stalled, broken or mid-statement: never hand it to another query.
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  /** Runs `work` inside one transaction on one connection (for migrations: no per-statement deadline). */
  async transaction<T>(work: (client: PostgresClient) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      client.release();
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(ignore);
      client.release(error instanceof Error ? error : true);
      throw error;
    }
  }

  /** Requests that no idle connection and no room for a new one will serve: they really wait. */
  #waiting(): number {
    const pool = this.#pool;
    const room = Math.max(0, (pool.options?.max ?? defaultPoolMax) - pool.totalCount);
    return pool.waitingCount - pool.idleCount - room;
  }

  async #connect(): Promise<PostgresClient> {
    const waiting = this.#waiting();
    if (waiting >= this.#maxWaiting) throw new LoginError('store_unavailable', { reason: `PostgreSQL pool exhausted: ${waiting} queries waiting` });
    const connecting = this.#pool.connect();
    try {
      const client = await within(connecting, this.#timeoutMs, 'connection');
      if (!guarded.has(client)) {
        guarded.add(client);
        client.on('error', ignore);
      }
      return client;
    } catch (error) {
      // A connection that arrives after the deadline goes straight back.
      connecting.then((late) => late.release(), ignore);
      throw error;
    }
  }
}
