import { OptionsError } from '../errors/options-error.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { postgresStoreOptionsSchema, type PostgresPool } from '../store/postgres/postgres-store-options.js';
import { UsageError } from './command.js';
import { describeDatabaseFailure } from './database-failure.js';

/** The `parseArgs` options every database command takes. */
export const databaseArgs = {
  'database-url': { type: 'string' },
  schema: { type: 'string' },
  'table-prefix': { type: 'string' },
} as const;

const { schema: schemaOption, tablePrefix: prefixOption } = postgresStoreOptionsSchema.shape;

/** The database options' part of a usage text (the defaults are PostgresStore's own). */
export const databaseUsage = `Database options:
  --database-url <url>     PostgreSQL connection URL; default: the DATABASE_URL environment variable
  --schema <name>          schema of the tables; default: ${schemaOption.parse(undefined)}
  --table-prefix <prefix>  prefix of the table names; default: ${prefixOption.parse(undefined)}`;

/** Where a database command works. Schema and prefix stay unset when not given, so PostgresStore's defaults apply. */
export interface DatabaseTarget {
  readonly url: string;
  readonly schema: string | undefined;
  readonly tablePrefix: string | undefined;
}

/** The target named by the database flags, the URL from `DATABASE_URL` when the flag is absent. */
export function databaseTarget(
  values: { readonly 'database-url'?: string | undefined; readonly schema?: string | undefined; readonly 'table-prefix'?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): DatabaseTarget {
  const url = values['database-url'] ?? env['DATABASE_URL'];
  if (url === undefined || url === '') throw new UsageError('no database: give --database-url or set DATABASE_URL');
  return { url, schema: values.schema, tablePrefix: values['table-prefix'] };
}

/** Which flag sets each PostgresStore option the CLI passes on. */
const flagOf: Record<string, string> = { schema: '--schema', tablePrefix: '--table-prefix' };

// A command runs a few statements one after another: two connections are plenty. Connecting
// and each statement get longer than an app's request would, for a server far away. The
// store's deadline fires first (a TimeoutError the CLI explains); pg's own connect timeout,
// just after it, only tears down the attempt so that ending the pool does not wait on it.
const poolSize = 2;
const queryTimeoutMs = 10_000;
const connectTimeoutMs = queryTimeoutMs + 1000;

const ignore = () => undefined;

/**
 * Runs `work` on a PostgresStore over a pool of its own, and always ends both. `pg` (an optional
 * peer dependency) is loaded only now. A bad `--schema` or `--table-prefix` is a
 * {@link UsageError}; a database failure becomes an `Error` whose message never holds the URL.
 */
export async function withPostgresStore<T>(target: DatabaseTarget, work: (store: PostgresStore) => Promise<T>): Promise<T> {
  const pg = await loadPg();
  const pool = new pg.Pool({ connectionString: target.url, max: poolSize, connectionTimeoutMillis: connectTimeoutMs });
  // A connection that breaks while idle must not end the process with an unhandled 'error'.
  pool.on('error', ignore);
  try {
    const store = openStore(pool, target);
    try {
      return await work(store);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new Error(describeDatabaseFailure(error, target.url));
    } finally {
      await store.close().catch(ignore);
    }
  } finally {
    await pool.end().catch(ignore);
  }
}

function openStore(pool: PostgresPool, target: DatabaseTarget): PostgresStore {
  try {
    return new PostgresStore({
      pool,
      ...(target.schema === undefined ? {} : { schema: target.schema }),
      ...(target.tablePrefix === undefined ? {} : { tablePrefix: target.tablePrefix }),
      queryTimeoutMs,
    });
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    throw new UsageError(error.problems.map((problem) => `${flagOf[problem.path] ?? problem.path}: ${problem.message}`).join('; '));
  }
}

/** The `pg` module, or a plain request to install it. */
async function loadPg() {
  try {
    return (await import('pg')).default;
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && /['"]pg['"]/.test((error as Error).message);
    if (missing) throw new Error('install pg to use this command (npm install pg)');
    throw error;
  }
}
