import { readdirSync, readFileSync } from 'node:fs';
import type { PostgresRunner } from './postgres-runner.js';
import type { PostgresTables } from './postgres-tables.js';

/** One versioned migration shipped in the package (`migrations/postgres/<version>_<name>.sql`). */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The SQL with `{{ledger}}`-style placeholders. */
  readonly template: string;
}

/** Where the package's migration files are: `migrations/postgres` at the package root (from `src/` and `dist/` alike). */
export const migrationsDirectory = new URL('../../../migrations/postgres/', import.meta.url);

/** The shipped migrations, in version order. */
export function shippedMigrations(): Migration[] {
  return readdirSync(migrationsDirectory)
    .map((file) => /^(\d+)_([a-z0-9_]+)\.sql$/.exec(file))
    .filter((match) => match !== null)
    .map(([file, version, name]) => ({ version: Number(version), name: name!, template: readFileSync(new URL(file!, migrationsDirectory), 'utf8') }))
    .sort((a, b) => a.version - b.version);
}

/** A migration's SQL for these tables. */
export function renderMigration(template: string, tables: PostgresTables, prefix: string): string {
  const names: Record<string, string> = { ...tables, prefix };
  return template.replace(/\{\{(\w+)\}\}/g, (placeholder, name: string) => names[name] ?? placeholder);
}

/**
 * Applies the shipped migrations not applied yet, in one transaction under an advisory lock, so
 * instances starting together migrate once. Idempotent.
 * @returns the versions applied now (none when up to date)
 */
export async function migrate(runner: PostgresRunner, tables: PostgresTables, schema: string, prefix: string): Promise<number[]> {
  return runner.transaction(async (client) => {
    // One lock per schema, then one per set of tables: stores with other prefixes in the same new
    // schema wait for its creation; the database-wide CREATE right is needed only when it is missing.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login-with-token:schema:${schema}`]);
    const { rows: found } = await client.query<object>('SELECT FROM pg_namespace WHERE nspname = $1', [schema]);
    if (found.length === 0) await client.query(`CREATE SCHEMA "${schema}"`);
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`login-with-token:${tables.migrations}`]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${tables.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${tables.migrations}`);
    const applied = new Set(rows.map((row) => row.version));
    const now: number[] = [];
    for (const migration of shippedMigrations()) {
      if (applied.has(migration.version)) continue;
      await client.query(renderMigration(migration.template, tables, prefix));
      await client.query(`INSERT INTO ${tables.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      now.push(migration.version);
    }
    return now;
  });
}
