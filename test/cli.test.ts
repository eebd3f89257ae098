import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { PostgresStore } from '../src/postgres.js';
import type { StoredApiToken } from '../src/store/api-token-store.js';
import { captureText } from './support/leak-capture.js';
import { createPool, databaseUrl, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { createTestPortal, type TestPortal } from './support/portal-app.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

// The operators' CLI as operators run it: the compiled bin (`npm test` builds first), a process
// per command, against the suite's PostgreSQL with a schema of its own per test.
const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'dist', 'cli', 'main.js');
const shippedVersions = readdirSync(join(root, 'migrations', 'postgres'))
  .map((file) => /^(\d+)_.*\.sql$/.exec(file)?.[1])
  .filter((version) => version !== undefined)
  .map(Number)
  .sort((a, b) => a - b);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without DATABASE_URL, so that every test says where its database is. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...env } = process.env;
  return { ...env, ...extra };
}

/**
 * Runs the CLI; its stderr (and its stdout, unless it legitimately holds a new secret) goes to
 * the suite's leak check.
 */
function cli(args: string[], options: { env?: NodeJS.ProcessEnv; secretOnStdout?: boolean; script?: string } = {}): Promise<Outcome> {
  return new Promise((done) => {
    execFile('node', [options.script ?? bin, ...args], { env: options.env ?? cleanEnv(), encoding: 'utf8' }, (error, stdout, stderr) => {
      captureText(stderr);
      if (!options.secretOnStdout) captureText(stdout);
      done({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr });
    });
  });
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npx tsc -p tsconfig.build.json, or npm test)`);
});

describe('login-with-token (no database needed)', () => {
  it('lists every command for --help (exit 0), and refuses a missing or unknown command with exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['sign-token', 'migrate', 'api-token']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    for (const args of [[], ['nope']]) {
      const refused = await cli(args);
      expect(refused).toMatchObject({ code: 2, stdout: '' });
      expect(refused.stderr).toContain('Usage: login-with-token <command>');
    }
  });

  it('prints the usage of each command on stdout with exit 0 for --help or -h', async () => {
    const cases: [string[], string][] = [
      [['migrate', '--help'], 'Usage: login-with-token migrate'],
      [['migrate', '-h'], 'Usage: login-with-token migrate'],
      [['api-token', '--help'], 'Usage: login-with-token api-token create'],
      [['api-token', 'create', '--help'], 'Usage: login-with-token api-token create'],
      [['api-token', 'list', '-h'], 'login-with-token api-token list'],
      [['api-token', 'revoke', '--help'], 'login-with-token api-token revoke'],
      [['sign-token', '--help'], 'Usage: login-with-token sign-token'],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => cli(args)));
    cases.forEach(([args, usage], index) => expect(outcomes[index], args.join(' ')).toEqual({ code: 0, stdout: expect.stringContaining(usage), stderr: '' }));
  });

  it('needs --database-url or DATABASE_URL: usage error, exit 2', async () => {
    const cases = [['migrate'], ['api-token', 'list'], ['api-token', 'revoke', 'at_x'], ['api-token', 'create', '--user', 'u', '--contact-id', '1']];
    const outcomes = await Promise.all(cases.map((args) => cli(args)));
    cases.forEach((args, index) => {
      expect(outcomes[index], args.join(' ')).toMatchObject({ code: 2, stdout: '' });
      expect(outcomes[index]!.stderr).toContain('login-with-token: no database: give --database-url or set DATABASE_URL');
      expect(outcomes[index]!.stderr).toContain('Usage: login-with-token');
    });
  });

  it('revoke takes exactly one id, and refuses a secret pasted in its place without echoing it (exit 2)', async () => {
    const secret = recordSecret(`lwta_${randomBytes(32).toString('base64url')}`);
    const db = ['--database-url', databaseUrl];
    const [pasted, none, two] = await Promise.all([
      cli(['api-token', 'revoke', secret, ...db]),
      cli(['api-token', 'revoke', ...db]),
      cli(['api-token', 'revoke', 'at_a', 'at_b', ...db]),
    ]);
    expect(pasted).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('login-with-token: that is a token secret, not its id') });
    expect(leakedSecrets(pasted.stderr)).toEqual([]);
    for (const refused of [none, two]) expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('revoke takes exactly one token id') });
  });

  it('says how to get pg when it is not installed (exit 1), and still runs sign-token without it', async () => {
    // The build with only the package's runtime dependencies beside it, as in a project without pg.
    const scratch = await mkdtemp(join(tmpdir(), 'lwt-cli-no-pg-'));
    try {
      await cp(join(root, 'dist'), join(scratch, 'dist'), { recursive: true });
      await writeFile(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
      await mkdir(join(scratch, 'node_modules'));
      for (const name of Object.keys(packageJson.dependencies)) {
        // Scoped names (@opentelemetry/api) need their scope's folder first.
        await mkdir(dirname(join(scratch, 'node_modules', name)), { recursive: true });
        await symlink(join(root, 'node_modules', name), join(scratch, 'node_modules', name), 'dir');
      }
      const script = join(scratch, 'dist', 'cli', 'main.js');
      const refused = await cli(['migrate', '--database-url', databaseUrl], { script });
      expect(refused).toEqual({ code: 1, stdout: '', stderr: expect.stringMatching(/^login-with-token: install pg to use this command/) });
      expect((await cli(['sign-token', '--help'], { script })).code).toBe(0);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});

describePostgres('login-with-token on PostgreSQL', () => {
  let pool: pg.Pool;
  let schema: string;
  let db: string[];
  const closers: (() => Promise<void>)[] = [];
  const jwtKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

  beforeAll(() => {
    pool = createPool();
  });
  afterAll(() => pool.end());
  beforeEach(() => {
    schema = uniqueSchema();
    db = ['--database-url', databaseUrl, '--schema', schema];
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await dropSchema(pool, schema);
  });

  /** A store on this test's schema, closed after the test. */
  function store(tablePrefix?: string): PostgresStore {
    const opened = new PostgresStore({ pool, schema, ...(tablePrefix === undefined ? {} : { tablePrefix }) });
    closers.push(() => opened.close());
    return opened;
  }

  /** A portal (test users: contact 1001 is u-alice) over a PostgresStore on this test's schema, with the apitoken type. */
  function portal(): TestPortal {
    const created = createTestPortal({
      store: store(),
      hashKey: 'cli-test-hash-key-0123456789',
      logon: { tokenTypes: { apitoken: { kind: 'apitoken' } }, jwt: { privateKey: jwtKey } },
    });
    closers.unshift(() => created.login.close());
    return created;
  }

  /** LogonWithToken with an API token: the user its connection JWT stands for, or the error number. */
  async function logOn(app: TestPortal, token: string): Promise<{ user: string } | { error: number }> {
    const res = await request(app.app).post('/Authentication/LogonWithToken').send({ token, tokenType: 'apitoken' });
    if (res.status !== 200) return { error: res.body.error?.number };
    const me = await request(app.app).get('/api/me').set('authorization', `Bearer ${res.body.LogonWithToken.JWTToken}`).expect(200);
    return { user: me.body.user };
  }

  /** The tables, made by the store itself (the CLI's migrate has tests of its own). */
  async function migrate(): Promise<void> {
    await store().migrate();
  }

  /** `api-token create`, asserting its one line of stdout is the secret; the secret is recorded for the leak check. */
  async function createToken(...flags: string[]): Promise<{ secret: string; stderr: string }> {
    const { code, stdout, stderr } = await cli(['api-token', 'create', ...db, ...flags], { secretOnStdout: true });
    expect({ code, stderr }).toMatchObject({ code: 0 });
    expect(stdout).toMatch(/^lwta_[A-Za-z0-9_-]{43}\n$/);
    const secret = recordSecret(stdout.trimEnd());
    expect(leakedSecrets(stderr)).toEqual([]);
    return { secret, stderr };
  }

  /** Every row of every table in this test's schema, as text. */
  async function schemaText(): Promise<string> {
    const { rows: tables } = await pool.query<{ name: string }>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1', [schema]);
    const rows = await Promise.all(tables.map(async ({ name }) => (await pool.query<{ row: string }>(`SELECT t::text AS row FROM "${schema}"."${name}" t`)).rows));
    return rows.flat().map(({ row }) => row).join('\n');
  }

  describe('migrate', () => {
    it('applies the shipped migrations to an empty schema, then finds it up to date', async () => {
      const first = await cli(['migrate', ...db]);
      expect(first).toEqual({ code: 0, stdout: shippedVersions.map((version) => `applied migration ${version}\n`).join(''), stderr: '' });
      const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${store().tables.migrations} ORDER BY version`);
      expect(rows.map((row) => row.version)).toEqual(shippedVersions);
      expect(await store().apiTokens.list('default')).toEqual([]);
      expect(await cli(['migrate', ...db])).toEqual({ code: 0, stdout: 'up to date\n', stderr: '' });
    });

    it('takes the URL from DATABASE_URL and honours --table-prefix in every command', async () => {
      const env = cleanEnv({ DATABASE_URL: databaseUrl });
      const withPrefix = ['--schema', schema, '--table-prefix', 'ops_'];
      expect(await cli(['migrate', ...withPrefix], { env })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^applied migration 1\n/) });
      const created = await cli(['api-token', 'create', ...withPrefix, '--user', 'u-alice', '--contact-id', '1001'], { env, secretOnStdout: true });
      expect(created.code).toBe(0);
      recordSecret(created.stdout.trimEnd());
      expect(await store('ops_').apiTokens.list('default')).toEqual([expect.objectContaining({ userId: 'u-alice' })]);
      // Without the prefix the command looks for tables that are not there, and says what to do.
      const missing = await cli(['api-token', 'list', '--schema', schema], { env });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('run "login-with-token migrate" with the same --schema and --table-prefix first (42P01)');
    });
  });

  describe('api-token create', () => {
    it('prints the secret as the only stdout line, stores only its hash, and the token logs on through a portal on the same tables', async () => {
      await migrate();
      const before = Date.now();
      const { secret, stderr } = await createToken('--user', 'u-alice', '--contact-id', '1001', '--name', 'Nightly export', '--expires', '2d');
      const [stored] = await store().apiTokens.list('default', 'u-alice');
      expect(stored).toMatchObject({ id: expect.stringMatching(/^at_/), userId: 'u-alice', name: 'Nightly export', identity: { contactId: '1001', tokenType: 'apitoken' } });
      expect(stored!.expiresAt! - before).toBeGreaterThanOrEqual(2 * 86_400_000);
      expect(stored!.expiresAt! - Date.now()).toBeLessThanOrEqual(2 * 86_400_000);
      // What the operator reads on stderr: the id, the user, the name, the expiry, and that the secret is gone after this.
      for (const detail of [stored!.id, 'u-alice', 'Nightly export', new Date(stored!.expiresAt!).toISOString(), 'not shown again']) expect(stderr).toContain(detail);
      expect(leakedSecrets(await schemaText())).toEqual([]);

      const byEmail = await createToken('--user', 'u-alice', '--contact-email', 'Alice@Example.com');
      const app = portal();
      expect(await logOn(app, secret)).toEqual({ user: 'u-alice' });
      expect(await logOn(app, byEmail.secret)).toEqual({ user: 'u-alice' });
      expect(leakedSecrets(await schemaText())).toEqual([]);
    });

    it('takes --expires as an ISO 8601 date, a date-time with Z or an offset', async () => {
      await migrate();
      const cases: [string, number][] = [
        ['2031-05-06T07:08:09Z', Date.parse('2031-05-06T07:08:09Z')],
        ['2031-05-06T09:08:09.500+02:00', Date.parse('2031-05-06T07:08:09.500Z')],
        ['2031-05-06', Date.parse('2031-05-06T00:00:00Z')],
      ];
      await Promise.all(cases.map(([expires]) => createToken('--user', 'u-alice', '--contact-id', '1001', '--name', expires, '--expires', expires)));
      const stored = await store().apiTokens.list('default');
      expect(Object.fromEntries(stored.map((token) => [token.name, token.expiresAt]))).toEqual(Object.fromEntries(cases));
    });

    it('refuses bad input with the problem and the usage on stderr, exit 2, storing nothing', async () => {
      await migrate();
      const user = ['--user', 'u-alice'];
      const cases: [string[], string][] = [
        [['--contact-id', '1001'], '--user is required'],
        [[...user], 'give either --contact-id or --contact-email'],
        [[...user, '--contact-id', '1001', '--contact-email', 'alice@example.com'], 'give either --contact-id or --contact-email'],
        [[...user, '--contact-id', '1001', '--colour', 'red'], "Unknown option '--colour'"],
        [[...user, '--contact-id', '1001', 'stray'], 'unexpected argument'],
        [[...user, '--contact-id', '1001', '--expires', '2x'], '--expires must be a duration'],
        [[...user, '--contact-id', '1001', '--expires', '2031-02-31'], '--expires is not a valid date'],
        [[...user, '--contact-id', '1001', '--expires', '2031-05-06T07:08'], '--expires needs a time zone'],
        [[...user, '--contact-id', '1001', '--expires', '2020-01-01'], '--expires lies in the past'],
        [[...user, '--contact-id', '1001', '--name', ''], '--name:'],
        [['--user', 'u'.repeat(257), '--contact-id', '1001'], '--user:'],
        [[...user, '--contact-id', '1001', '--schema', 'Not-A-Schema'], '--schema:'],
      ];
      const outcomes = await Promise.all([
        ...cases.map(([flags]) => cli(['api-token', 'create', ...db, ...flags])),
        cli(['api-token', 'frobnicate', ...db]),
        cli(['migrate', ...db, 'extra']),
      ]);
      cases.forEach(([flags, problem], index) => {
        expect(outcomes[index], flags.join(' ')).toMatchObject({ code: 2, stdout: '' });
        expect(outcomes[index]!.stderr).toContain(`login-with-token: ${problem}`);
        expect(outcomes[index]!.stderr).toContain('Usage: login-with-token api-token create');
      });
      expect(outcomes.at(-2)).toMatchObject({ code: 2, stderr: expect.stringContaining('needs one of create, list or revoke') });
      expect(outcomes.at(-1)).toMatchObject({ code: 2, stderr: expect.stringContaining('Usage: login-with-token migrate') });
      expect(await store().apiTokens.list('default')).toEqual([]);
    });
  });

  describe('api-token list', () => {
    it('shows metadata only, as a table or as JSON, by user and by tenant', async () => {
      await migrate();
      const secrets = await Promise.all([
        createToken('--user', 'u-alice', '--contact-id', '1001', '--name', 'Nightly export', '--expires', '2031-05-06T07:08:09Z'),
        createToken('--user', 'u-bob', '--contact-id', '1002'),
        createToken('--user', 'u-alice', '--contact-id', '1001', '--tenant', 'acme'),
      ]);
      const listed = await store().apiTokens.list('default');
      const alice = listed.find((token) => token.userId === 'u-alice')!;
      const iso = (ms: number | undefined) => (ms === undefined ? 'never' : new Date(ms).toISOString());

      const [shown, json, acmeJson, nobody] = await Promise.all([
        cli(['api-token', 'list', ...db]),
        cli(['api-token', 'list', ...db, '--json', '--user', 'u-alice']),
        cli(['api-token', 'list', ...db, '--json', '--tenant', 'acme']),
        cli(['api-token', 'list', ...db, '--user', 'u-nobody']),
      ]);
      expect(shown.code).toBe(0);
      const [header, ...lines] = shown.stdout.trimEnd().split('\n');
      expect(header).toMatch(/^ID +USER +NAME +CREATED +EXPIRES$/);
      expect(lines.map((line) => line.split(/ {2,}/))).toEqual(
        listed.map((token) => [token.id, token.userId, ...(token.name === undefined ? [] : [token.name]), iso(token.createdAt), iso(token.expiresAt)]),
      );
      expect(lines.find((line) => line.startsWith(alice.id))).toContain('Nightly export');
      expect(JSON.parse(json.stdout)).toEqual([
        { id: alice.id, tenant: 'default', userId: 'u-alice', name: 'Nightly export', createdAt: iso(alice.createdAt), expiresAt: '2031-05-06T07:08:09.000Z' },
      ]);
      expect(JSON.parse(acmeJson.stdout)).toEqual([expect.objectContaining({ tenant: 'acme', userId: 'u-alice', name: null, expiresAt: null })]);
      expect(nobody).toEqual({ code: 0, stdout: 'no live API tokens\n', stderr: '' });

      // Neither the secrets nor their hashes (the stored keys) are shown.
      const { rows } = await pool.query<{ key: string }>(`SELECT key FROM ${store().tables.apiTokens}`);
      expect(rows).toHaveLength(3);
      const output = [shown.stdout, json.stdout, acmeJson.stdout].join('\n');
      for (const hidden of [...secrets.map(({ secret }) => secret), ...rows.map((row) => row.key)]) expect(output).not.toContain(hidden);
    });
  });

  describe('api-token revoke', () => {
    it('revokes a live token (exit 0), refuses the second time (exit 1), and the token no longer logs on', async () => {
      await migrate();
      const { secret } = await createToken('--user', 'u-alice', '--contact-id', '1001');
      const [{ id }] = (await store().apiTokens.list('default')) as [StoredApiToken];
      const app = portal();
      expect(await logOn(app, secret)).toEqual({ user: 'u-alice' });

      // A token of another tenant is out of reach.
      expect(await cli(['api-token', 'revoke', id, ...db, '--tenant', 'acme'])).toMatchObject({ code: 1 });
      expect(await cli(['api-token', 'revoke', id, ...db])).toEqual({ code: 0, stdout: `revoked ${id}\n`, stderr: '' });
      expect(await cli(['api-token', 'revoke', id, ...db])).toEqual({ code: 1, stdout: '', stderr: `login-with-token: no live API token ${id} in tenant default\n` });
      expect(await logOn(app, secret)).toEqual({ error: 10268 });
      expect(await store().apiTokens.list('default')).toEqual([]);
    });
  });

  it('exits with 1 when the database is unreachable, naming the error code, never the URL or its password', async () => {
    const password = recordSecret('Secret-Pass-123');
    const url = `postgres://u:${password}@127.0.0.1:1/x`;
    const outcomes = await Promise.all([
      cli(['migrate', '--database-url', url]),
      cli(['api-token', 'list', '--database-url', url]),
      cli(['migrate'], { env: cleanEnv({ DATABASE_URL: url }) }),
    ]);
    for (const failed of outcomes) {
      expect(failed).toMatchObject({ code: 1, stdout: '' });
      expect(failed.stderr).toMatch(/^login-with-token: cannot reach PostgreSQL; .*\(ECONNREFUSED\)\n$/);
      expect(failed.stderr).not.toContain(password);
      expect(failed.stderr).not.toContain('127.0.0.1:1');
    }
  });
});
