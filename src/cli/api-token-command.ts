import { apiTokenPrefix } from '../api-tokens/api-token-secret.js';
import { ApiTokens, type ApiTokenInfo, type CreateApiTokenInput } from '../api-tokens/api-tokens.js';
import { OptionsError } from '../errors/options-error.js';
import { TenantResolver } from '../request/tenant-resolver.js';
import type { PostgresStore } from '../store/postgres/postgres-store.js';
import { parseCommandArgs, UsageError, type Command } from './command.js';
import { databaseArgs, databaseTarget, databaseUsage, withPostgresStore } from './database-options.js';
import { parseExpiry } from './parse-expiry.js';

const usage = `Usage: login-with-token api-token create --user <portal user id> (--contact-id <id> | --contact-email <e-mail>)
                                        [--name <label>] [--expires <when>] [--tenant <name>] [database options]
       login-with-token api-token list [--user <portal user id>] [--json] [--tenant <name>] [database options]
       login-with-token api-token revoke <id> [--tenant <name>] [database options]

API tokens for LogonWithToken (tokenType "apitoken") in PostgresStore, as the portal's apiTokens
API makes them. Only a hash of each secret is stored.
  create   prints the secret on standard output, once, as the only line there (TOKEN=$(…) takes
           it); its id, user, name and expiry go to standard error
  list     the live tokens' id, user, name, creation and expiry; never a secret or a hash
  revoke   ends the token with that id (at_…) at once; exits with 1 when no live token has it

  --user <id>             the portal user the token acts for
  --contact-id <id>       how LogonWithToken identifies the user to resolveUser: a contact id,
  --contact-email <addr>  or an e-mail address (give one of the two)
  --name <label>          a label, e.g. "Nightly export"
  --expires <when>        a duration (30m, 12h, 90d, 2w) or an ISO 8601 date (2027-01-31, UTC)
                          or date-time with zone (2027-01-31T18:00Z); default: never
  --tenant <name>         the tenant; default: the only one ("default")
  --json                  list as JSON

${databaseUsage}`;

const tenantArg = { tenant: { type: 'string' } } as const;
const helpArg = { help: { type: 'boolean', short: 'h' } } as const;

/** The CLI flag of each field of {@link CreateApiTokenInput}, to name it when the input is refused. */
const flagOf: Record<string, string> = {
  userId: '--user',
  contactId: '--contact-id',
  contactEmail: '--contact-email',
  name: '--name',
  expiresAt: '--expires',
  tenant: '--tenant',
};

/** `login-with-token api-token create|list|revoke`: the portal's API tokens, kept in PostgreSQL, from the command line. */
export const apiTokenCommand: Command = {
  name: 'api-token',
  summary: 'create, list or revoke API tokens kept in PostgresStore',
  usage,
  async run([subcommand, ...args]) {
    if (subcommand === '--help' || subcommand === '-h') return help();
    if (subcommand === 'create') return create(args);
    if (subcommand === 'list') return list(args);
    if (subcommand === 'revoke') return revoke(args);
    throw new UsageError('api-token needs one of create, list or revoke');
  },
};

function help(): number {
  process.stdout.write(`${usage}\n`);
  return 0;
}

async function create(args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(args, {
    options: {
      user: { type: 'string' },
      'contact-id': { type: 'string' },
      'contact-email': { type: 'string' },
      name: { type: 'string' },
      expires: { type: 'string' },
      ...tenantArg,
      ...databaseArgs,
      ...helpArg,
    },
  });
  if (values.help) return help();
  if (values.user === undefined) throw new UsageError('--user is required');
  const contactId = values['contact-id'];
  const contactEmail = values['contact-email'];
  if ((contactId === undefined) === (contactEmail === undefined)) throw new UsageError('give either --contact-id or --contact-email');
  const input: CreateApiTokenInput = {
    userId: values.user,
    ...(contactId === undefined ? {} : { contactId }),
    ...(contactEmail === undefined ? {} : { contactEmail }),
    ...(values.name === undefined ? {} : { name: values.name }),
    ...(values.expires === undefined ? {} : { expiresAt: parseExpiry(values.expires, Date.now()) }),
  };
  const tenants = tenantsOf(values.tenant);
  const created = await withPostgresStore(databaseTarget(values), (store) => refusingBadInput(() => apiTokens(store, tenants).create(input)));
  // The secret goes to standard output and nowhere else; everything about it goes to standard error.
  process.stdout.write(`${created.token}\n`);
  process.stderr.write(
    [
      `created API token ${created.id}`,
      `  tenant   ${printable(created.tenant)}`,
      `  user     ${printable(created.userId)}`,
      ...(created.name === undefined ? [] : [`  name     ${printable(created.name)}`]),
      `  expires  ${created.expiresAt === undefined ? 'never' : new Date(created.expiresAt).toISOString()}`,
      'Its secret is the line on standard output: it is not shown again (only its hash is stored).',
      '',
    ].join('\n'),
  );
  return 0;
}

async function list(args: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(args, { options: { user: { type: 'string' }, json: { type: 'boolean' }, ...tenantArg, ...databaseArgs, ...helpArg } });
  if (values.help) return help();
  const tenants = tenantsOf(values.tenant);
  const filter = values.user === undefined ? {} : { userId: values.user };
  const tokens = await withPostgresStore(databaseTarget(values), (store) => apiTokens(store, tenants).list(filter));
  process.stdout.write(values.json ? `${JSON.stringify(tokens.map(asJson), null, 2)}\n` : table(tokens));
  return 0;
}

async function revoke(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, { options: { ...tenantArg, ...databaseArgs, ...helpArg }, allowPositionals: true });
  if (values.help) return help();
  const [id, ...extra] = positionals;
  if (id === undefined || extra.length > 0) throw new UsageError('revoke takes exactly one token id (at_…, as list shows it)');
  // Never echo what may be the secret itself, pasted where its id belongs.
  if (id.startsWith(apiTokenPrefix)) throw new UsageError('that is a token secret, not its id: revoke takes the id (at_…) that create and list show');
  const tenants = tenantsOf(values.tenant);
  const revoked = await withPostgresStore(databaseTarget(values), (store) => apiTokens(store, tenants).revoke(id));
  if (!revoked) throw new Error(`no live API token ${printable(id)} in tenant ${printable(tenants.byName(undefined))}`);
  process.stdout.write(`revoked ${id}\n`);
  return 0;
}

/** The one tenant the command is about: the one `--tenant` names, else the package's implicit only tenant. */
function tenantsOf(tenant: string | undefined): TenantResolver {
  if (tenant === '') throw new UsageError('--tenant must not be empty');
  return new TenantResolver({ tenants: tenant === undefined ? {} : { [tenant]: {} } });
}

/** The package's own ApiTokens over the store's API-token role. */
function apiTokens(store: PostgresStore, tenants: TenantResolver): ApiTokens {
  return new ApiTokens(store.apiTokens, tenants, Date.now);
}

/** Runs `create`, turning ApiTokens' refusal of a field into a {@link UsageError} naming its flag. */
async function refusingBadInput<T>(create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    throw new UsageError(error.problems.map((problem) => `${flagOf[problem.path.split('.').at(-1)!] ?? problem.path}: ${problem.message}`).join('; '));
  }
}

function asJson(token: ApiTokenInfo) {
  return {
    id: token.id,
    tenant: token.tenant,
    userId: token.userId,
    name: token.name ?? null,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: token.expiresAt === undefined ? null : new Date(token.expiresAt).toISOString(),
  };
}

function table(tokens: readonly ApiTokenInfo[]): string {
  if (tokens.length === 0) return 'no live API tokens\n';
  const rows = [
    ['ID', 'USER', 'NAME', 'CREATED', 'EXPIRES'],
    ...tokens.map((token) => {
      const { id, userId, name, createdAt, expiresAt } = asJson(token);
      return [id, userId, name ?? '', createdAt, expiresAt ?? 'never'].map(printable);
    }),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => `${row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()}\n`).join('');
}

/** `text` safe for a terminal: control characters (escape sequences, line breaks) shown as U+FFFD. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}
