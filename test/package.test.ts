import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import consumers from './consumer/consumers.json' with { type: 'json' };
import type pg from 'pg';
import { captureText } from './support/leak-capture.js';
import { createPool, databaseUrl, describePostgres, dropSchema, uniqueSchema } from './support/postgres.js';
import { describeRedis, redisUrl } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const fixtures = join(root, 'test', 'consumer');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
/** The scratch portal and what it runs with the package: sign-in.mjs (every flow, every store), CommonJS, TypeScript. */
const portalFixtures = ['sign-in.mjs', 'require.cjs', 'typed.ts'];
/** Its integration tests on the testing kit: the README's example, and scenarios run by vitest and node:test. */
const kitFixtures = ['portal.mjs', 'handoff.test.mjs', 'integration-scenarios.mjs', 'integration.test.mjs', 'integration.node-test.mjs'];
const { scenarios } = (await import('./consumer/integration-scenarios.mjs')) as { scenarios: Record<string, unknown> };
const scenarioCount = Object.keys(scenarios).length;
/** This process's environment without what marks it as a vitest worker, for a test runner of its own. */
const outsideVitest = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && !name.startsWith('LWT_') && name !== 'NODE_ENV'));
let scratch: string;
let tarball: string;
let files: string[];

// Packs the package exactly as `npm publish` would, then installs the tarball into scratch
// portals — one per end of the supported ranges (test/consumer/consumers.json) — with a plain
// `npm install`, as a new user would: npm's own peer-dependency checks decide, no flags relax
// them. `--prefer-offline` takes what the npm cache holds (.ci/run fills it before the suite, so
// the suite itself talks to nothing but loopback).
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lwt-pack-'));
  // `npm test` has built already; prepack's rebuild would empty dist/ under the other test files.
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], { cwd: root });
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  files = packed.files.map((file) => file.path);
  tarball = join(scratch, packed.filename);
}, 120_000);

afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the published package', () => {
  it('ships the build, types and README but no sources, tests or install scripts', async () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((file) => /^(src|test|example-app|bench)\//.test(file))).toEqual([]);
    // PostgresStore and its migrations, which it reads from the installed package at run time.
    expect(files).toEqual(expect.arrayContaining(['dist/postgres.js', 'dist/postgres.d.ts', 'dist/cli/main.js']));
    const migrations = await readdir(join(root, 'migrations', 'postgres'));
    expect(migrations).toContain('0001_store_roles.sql');
    expect(files).toEqual(expect.arrayContaining(migrations.map((file) => `migrations/postgres/${file}`)));
    await run('tar', ['-xzf', tarball, '-C', scratch, 'package/package.json']);
    const manifest = JSON.parse(await readFile(join(scratch, 'package', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    // npm runs (and newer npm versions ask about) these in every project that installs the package.
    expect(Object.keys(manifest.scripts ?? {}).filter((name) => /^(pre|post)?install$|^prepare$/.test(name))).toEqual([]);
  });
});

for (const [name, dependencies] of Object.entries(consumers)) {
  describe(`a scratch ${name} portal`, () => {
    let consumer: string;
    const node = (...args: string[]) => run('node', args, { cwd: consumer });

    beforeAll(async () => {
      consumer = join(scratch, name);
      await mkdir(consumer);
      await writeFile(
        join(consumer, 'package.json'),
        JSON.stringify({ name: `consumer-${name}`, private: true, type: 'module', dependencies: { 'login-with-token': `file:${tarball}`, ...dependencies } }),
      );
      for (const fixture of [...portalFixtures, ...kitFixtures]) await copyFile(join(fixtures, fixture), join(consumer, fixture));
      await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: consumer });
    }, 180_000);

    it('installs with plain npm install and signs in through the handoff, the token endpoint and LogonWithToken', async () => {
      const { stdout } = await node('sign-in.mjs', 'memory');
      const result = JSON.parse(stdout) as Record<string, unknown> & { versions: Record<string, string> };
      expect(result.versions['express']!.split('.')[0]).toBe(name.split('-')[1]);
      expect(result).toMatchObject(signedInEverywhere);
    });

    describeRedis('with Redis', () => {
      it(`runs RedisStore on the ioredis it installed (${dependencies.ioredis})`, async () => {
        const { stdout } = await node('sign-in.mjs', 'redis', redisUrl);
        const result = JSON.parse(stdout) as { versions: Record<string, string> };
        expect(result).toMatchObject({ ...signedInEverywhere, store: 'RedisStore' });
        expect(result.versions['ioredis']!.split('.')[0]).toBe(dependencies.ioredis.replace(/^\D+/, '').split('.')[0]);
      });
    });

    describePostgres('with PostgreSQL', () => {
      let pool: pg.Pool;
      const schema = uniqueSchema();
      beforeAll(() => {
        pool = createPool();
      });
      afterAll(async () => {
        await dropSchema(pool, schema);
        await pool.end();
      });

      // The migrations are read from the installed package, so this proves they resolve in its layout.
      it(`makes the tables and an API token with the installed CLI, which logs on through PostgresStore on the pg it installed (${dependencies.pg})`, async () => {
        const db = ['--database-url', databaseUrl, '--schema', schema];
        const migrated = await run('npx', ['--no', 'login-with-token', 'migrate', ...db], { cwd: consumer });
        expect(migrated.stdout).toMatch(/^applied migration 1\n/);
        const created = await run('npx', ['--no', 'login-with-token', 'api-token', 'create', ...db, '--user', 'u-7', '--contact-id', '7'], { cwd: consumer });
        captureText(created.stderr);
        expect(created.stdout).toMatch(/^lwta_[A-Za-z0-9_-]{43}\n$/);
        const apiToken = recordSecret(created.stdout.trimEnd());
        const { stdout } = await run('node', ['sign-in.mjs', 'postgres', databaseUrl, schema], { cwd: consumer, env: { ...process.env, API_TOKEN: apiToken } });
        const result = JSON.parse(stdout) as { versions: Record<string, string> };
        expect(result).toMatchObject({ ...signedInEverywhere, store: 'PostgresStore' });
        // An exact pin is the low end of the peer range: that very version must be what ran.
        const installed = result.versions['pg']!;
        if (/^\d/.test(dependencies.pg)) expect(installed).toBe(dependencies.pg);
        else expect(installed.split('.')[0]).toBe('8');
      }, 60_000);
    });

    // The README's testing example, and the handoff, bearer and LogonWithToken scenarios, on
    // the consumer's own Express, supertest and test runner.
    it('tests its integration with login-with-token/testing in vitest', async () => {
      const { stdout } = await run('node', ['node_modules/vitest/vitest.mjs', 'run', '--reporter=json'], { cwd: consumer, env: outsideVitest() });
      const report = JSON.parse(stdout) as { numPassedTests: number; numFailedTests: number; numTotalTests: number };
      expect(report).toMatchObject({ numPassedTests: 1 + scenarioCount, numFailedTests: 0, numTotalTests: 1 + scenarioCount });
    }, 60_000);

    it('tests its integration with login-with-token/testing in node:test', async () => {
      const { stdout } = await run('node', ['--test', '--test-reporter=tap', 'integration.node-test.mjs'], { cwd: consumer, env: outsideVitest() });
      expect(stdout).toContain(`# pass ${scenarioCount}\n# fail 0\n`);
    }, 60_000);

    it('requires the package from CommonJS', async () => {
      const { stdout, stderr } = await node('require.cjs');
      expect(JSON.parse(stdout)).toEqual({ createLoginWithToken: 'function', RedisStore: 'function', PostgresStore: 'function', tokenInvalid: 10376 });
      expect(stderr).toBe('');
    });

    // Checks every declaration file too (no skipLibCheck): a type of one Express major in ours would show.
    // ioredis 6.1's declarations import redis-errors, whose types it lists only among its own dev
    // dependencies: a portal on it that checks library declarations installs @types/redis-errors.
    it(`type-checks a TypeScript portal against @types/express ${dependencies['@types/express']}`, async () => {
      await expect(
        node(tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', 'typed.ts'),
      ).resolves.toBeDefined();
    }, 120_000);

    it('ships the sign-token CLI as the package bin (npx login-with-token)', async () => {
      const { stdout } = await run('npx', ['--no', 'login-with-token', 'sign-token', '--help'], { cwd: consumer });
      expect(stdout).toContain('Usage: login-with-token sign-token');
      await expect(run('npx', ['--no', 'login-with-token', 'sign-token'], { cwd: consumer })).rejects.toMatchObject({ code: 2 });
    });
  });
}

describe("the README's testing example", () => {
  it('is the handoff test the scratch portals run', async () => {
    const readme = await readFile(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n## Testing your integration\n'));
    const block = /```js\n([\s\S]*?)```/.exec(section)![1]!;
    expect(block).toBe(await readFile(join(fixtures, 'handoff.test.mjs'), 'utf8'));
    expect(block.split('\n').filter((line) => line.trim() !== '').length).toBeLessThan(20);
  });
});

/** What sign-in.mjs prints when every flow works. */
const signedInEverywhere = {
  handoff: { status: 303, location: '/whoami', user: 'u-7', replay: 10376 },
  sessionToken: { user: 'u-7' },
  logonWithApiToken: { user: 'u-7', byConnectionId: 'u-7' },
  logonWithSignedToken: { status: 200, user: 'u-7', replay: 10376 },
};
