import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
let scratch: string;
let consumer: string;
let files: string[];

// Packs the package exactly as `npm publish` would, and installs the tarball into a scratch ESM
// project whose node_modules holds only what the packed package.json declares. No registry is
// contacted: declared dependencies are linked from this checkout.
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lwt-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: root });
  const [packed] = JSON.parse(stdout) as [{ filename: string; files: { path: string }[] }];
  files = packed.files.map((file) => file.path);
  consumer = join(scratch, 'consumer');
  const installed = join(consumer, 'node_modules', 'login-with-token');
  await mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', join(scratch, packed.filename), '-C', installed, '--strip-components=1']);
  const manifest = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const declared = [...Object.keys(manifest['dependencies'] ?? {}), ...Object.keys(manifest['peerDependencies'] ?? {})];
  for (const name of [...declared, 'express-session', '@types/node', '@types/express']) {
    const link = join(consumer, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    await symlink(join(root, 'node_modules', name), link, 'dir');
  }
  await writeFile(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 120_000);

afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('the published package', () => {
  it('ships the build, types and README but no sources or tests', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.filter((file) => /^(src|test|example-app|bench)\//.test(file))).toEqual([]);
  });

  it('signs a user in from a scratch ESM consumer', async () => {
    await writeFile(
      join(consumer, 'app.mjs'),
      `import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { createLoginWithToken, authTokenStrategyName, catalogue } from 'login-with-token';

const login = createLoginWithToken({
  commands: { LoginWithToken: { run: async ({ authToken }) => (authToken === 'good' ? { ContactId: 7 } : null) } },
  resolveUser: (identity) => ({ id: identity.contactId }),
});
passport.use(login.authTokenStrategy);
passport.serializeUser((user, done) => done(null, user.id));
const app = express();
app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.use(login.router);
const server = app.listen(0, '127.0.0.1', async () => {
  const base = 'http://127.0.0.1:' + server.address().port + '/authentication/login?authToken=';
  const ok = await fetch(base + 'good', { redirect: 'manual' });
  const bad = await fetch(base + 'bad', { headers: { accept: 'application/json' } });
  console.log(JSON.stringify({ name: authTokenStrategyName, ok: ok.status, bad: (await bad.json()).error.number, n: catalogue.token_invalid.number }));
  server.close();
  await login.close();
});
`,
    );
    const { stdout } = await run('node', ['app.mjs'], { cwd: consumer });
    expect(JSON.parse(stdout)).toEqual({ name: 'login-with-token', ok: 303, bad: 10376, n: 10376 });
  });

  it('ships the sign-token CLI as the package bin', async () => {
    const manifest = JSON.parse(await readFile(join(consumer, 'node_modules', 'login-with-token', 'package.json'), 'utf8')) as { bin: Record<string, string> };
    const bin = join(consumer, 'node_modules', 'login-with-token', manifest.bin['login-with-token']!);
    const { generateKeyPairSync } = await import('node:crypto');
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' });
    await writeFile(join(consumer, 'sender.pem'), key);
    const { stdout } = await run('node', [bin, 'sign-token', '--key', 'sender.pem', '--contact-id', '1001', '--lifetime', '30'], { cwd: consumer });
    const [header, payload] = stdout.trim().split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toMatchObject({ alg: 'ES256' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, number | string>;
    expect(claims).toMatchObject({ ver: '1.0', ContactId: '1001' });
    expect(Number(claims['exp']) - Number(claims['iat'])).toBe(30);
    await expect(run('node', [bin, 'sign-token'], { cwd: consumer })).rejects.toMatchObject({ code: 2 });
  });

  it('type-checks a TypeScript consumer against the published types', async () => {
    await writeFile(
      join(consumer, 'typed.ts'),
      `import { createLoginWithToken, LoginError, type Identity, type ErrorCode } from 'login-with-token';
interface User { id: string }
const login = createLoginWithToken<User>({ resolveUser: (identity: Identity) => ({ id: identity.contactId ?? '' }) });
const code: ErrorCode = new LoginError('token_invalid').code;
export { login, code };
`,
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    await expect(
      run('node', [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', 'typed.ts'], { cwd: consumer }),
    ).resolves.toBeDefined();
  });
});
