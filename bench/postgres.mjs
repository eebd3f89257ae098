// The PostgreSQL side of the benchmarks: the loopback database, pools named so the server's CPU
// can be found for them (see database-cpu.mjs), and schemas of their own that are dropped after.
import pg from 'pg';

/** The local server (trust auth), the same database the tests use. Benchmarks talk to loopback only. */
export const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test';

/**
 * A pool of at most `max` connections (pg's default is 10) that stay open between rounds, so
 * no round pays for connecting and the server processes serving it stay the same.
 */
export function createPool({ applicationName, max = 10 }) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: applicationName, idleTimeoutMillis: 0, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  return pool;
}

/** Where the HTTP servers of one `bench/run.mjs` process keep their tables: `lwt_bench_http_<runner pid>_<server pid>`. */
export const httpSchemaPrefix = (runnerPid) => `lwt_bench_http_${runnerPid}_`;

/** Drops every schema whose name starts with `prefix` (lower-case letters, digits, `_`); returns their names. */
export async function dropSchemas(db, prefix) {
  if (!/^[a-z0-9_]+$/.test(prefix)) throw new Error(`not a schema prefix: ${prefix}`);
  const { rows } = await db.query(`SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)`, [prefix]);
  for (const { nspname } of rows) await db.query(`DROP SCHEMA IF EXISTS "${nspname}" CASCADE`);
  return rows.map((row) => row.nspname);
}
