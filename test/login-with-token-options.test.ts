import { describe, expect, it } from 'vitest';
import type { CompiledHttpCommand } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { createFunctionExecutor } from '../src/executor/function-executor.js';
import { loginWithTokenOptionsSchema, type LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

const resolveUser = () => null;
const parse = (options: Partial<LoginWithTokenOptions<unknown>>) => validateOptions(loginWithTokenOptionsSchema, { resolveUser, ...options }, 'login-with-token');

describe('loginWithTokenOptionsSchema', () => {
  it('fills in the defaults of a minimal configuration', () => {
    const parsed = parse({});
    expect(parsed).toMatchObject({ commands: {}, tenants: {}, placeholders: {}, http: { timeoutMs: 5000, allowPrivateAddresses: [] }, logon: { tokenTypes: {}, listTenantNames: true } });
    for (const group of ['handoff', 'sessionTokens', 'bearer', 'rateLimits', 'embedding'] as const) expect(parsed[group], group).toBeTypeOf('object');
    for (const unset of ['store', 'executor', 'audit', 'hashKey', 'resolveTenant'] as const) expect(parsed[unset], unset).toBeUndefined();
    const before = Date.now();
    expect(parsed.now()).toBeGreaterThanOrEqual(before);
  });

  it('keeps the clock the app gives', () => {
    expect(parse({ now: () => 42 }).now()).toBe(42);
  });

  it('compiles top-level definitions, and keeps a function of the tenant uncalled for later', () => {
    const calls: string[] = [];
    const ValidateBearer = (tenant: string) => (calls.push(tenant), { url: 'https://partner.example/b' });
    const parsed = parse({ commands: { LoginWithToken: { url: 'https://partner.example/v?t={authToken}' }, ValidateBearer } });
    const login = parsed.commands['LoginWithToken'] as CompiledHttpCommand;
    expect(login).toMatchObject({ kind: 'http', method: 'POST', placeholders: ['authToken'] });
    expect(login.url.origin).toBe('https://partner.example');
    expect(parsed.commands['ValidateBearer']).toBe(ValidateBearer);
    expect(calls).toEqual([]);
  });

  it.each<[string, Partial<LoginWithTokenOptions<unknown>>, string]>([
    ['a command name with a space', { commands: { 'Login With Token': { url: 'https://partner.example/v' } } }, 'commands.Login With Token'],
    ['a tenant name with a key separator', { tenants: { 'acme:users': {} } }, 'tenants.acme:users'],
    ['a tenant name with a line break', { tenants: { 'acme\r\nx': {} } }, 'tenants.acme\r\nx'],
    ['a placeholder name that is not an identifier', { placeholders: { 'customer-id': () => 'c' } }, 'placeholders.customer-id'],
    ['a placeholder that is not a function', { placeholders: { customerId: 'c-1' as never } }, 'placeholders.customerId'],
  ])('refuses %s', (_name, options, path) => {
    expectOptionsError(() => parse(options), { code: 'LWT_INVALID_OPTION', path });
  });

  it('accepts a real store and executor, and refuses objects that only look like them', async () => {
    const store = new MemoryStore();
    try {
      const executor = createFunctionExecutor();
      const parsed = parse({ store, executor });
      expect(parsed.store).toBe(store);
      expect(parsed.executor).toBe(executor);
      const withoutRateLimits = { ledger: store.ledger, sessions: store.sessions, apiTokens: store.apiTokens };
      expectOptionsError(() => parse({ store: withoutRateLimits as never }), { code: 'LWT_INVALID_OPTION', path: 'store' });
      expectOptionsError(() => parse({ executor: { run: 'http' } as never }), { code: 'LWT_INVALID_OPTION', path: 'executor' });
    } finally {
      await store.close();
    }
  });

  it('requires a hashKey of at least 16 characters, without repeating it', () => {
    const short = recordSecret('hash-key-15-chr');
    expect(short).toHaveLength(15);
    const error = expectOptionsError(() => parse({ hashKey: short }), { code: 'LWT_INVALID_OPTION', path: 'hashKey' });
    expect(error.message).not.toContain(short);
    const long = recordSecret('hash-key-16-chrs');
    expect(parse({ hashKey: long }).hashKey).toBe(long);
  });

  it('reports problems of the groups and across them in one error', () => {
    const error = expectOptionsError(() => parse({ http: { timeoutMs: 0 }, tenants: { acme: {}, globex: {} } }), { code: 'LWT_INVALID_OPTION', path: 'http.timeoutMs' });
    expect(error.problems.map((problem) => [problem.code, problem.path])).toEqual([
      ['LWT_INVALID_OPTION', 'http.timeoutMs'],
      ['LWT_MISSING_OPTION', 'resolveTenant'],
    ]);
  });

  it('checks tenant commands against the top-level placeholders and host list', () => {
    const tenants = { acme: { commands: { LoginWithToken: { url: 'https://sso.partner.example/v?c={customerId}' } } } };
    expectOptionsError(() => parse({ tenants }), { code: 'LWT_INVALID_OPTION', path: 'tenants.acme.commands.LoginWithToken' });
    expect(() => parse({ tenants, placeholders: { customerId: () => 'c-1' }, http: { allowedHosts: ['*.partner.example'] } })).not.toThrow();
    expectOptionsError(() => parse({ tenants, placeholders: { customerId: () => 'c-1' }, http: { allowedHosts: ['partner.example'] } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'tenants.acme.commands.LoginWithToken.url',
    });
  });
});
