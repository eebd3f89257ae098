import { parseCommandArgs, type Command } from './command.js';
import { databaseArgs, databaseTarget, databaseUsage, withPostgresStore } from './database-options.js';

const usage = `Usage: login-with-token migrate [--database-url <url>] [--schema <name>] [--table-prefix <prefix>]

Creates or upgrades the PostgresStore tables: applies the package's migrations not applied yet,
in one transaction. Safe to run again, and while portal instances start.

${databaseUsage}`;

/** `login-with-token migrate`: `PostgresStore.migrate()` from the command line; prints each version applied, or "up to date". */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'create or upgrade the PostgreSQL tables of PostgresStore',
  usage,
  async run(args) {
    const { values } = parseCommandArgs(args, { options: { ...databaseArgs, help: { type: 'boolean', short: 'h' } } });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      return 0;
    }
    const applied = await withPostgresStore(databaseTarget(values), (store) => store.migrate());
    process.stdout.write(applied.length === 0 ? 'up to date\n' : applied.map((version) => `applied migration ${version}\n`).join(''));
    return 0;
  },
};
