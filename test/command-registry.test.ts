import { describe, expect, it } from 'vitest';
import { CommandRegistry } from '../src/commands/command-registry.js';
import type { CommandDefinition, CompiledHttpCommand } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { loginWithTokenOptionsSchema, type LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { expectOptionsError } from './support/options-error.js';

/** A registry over options validated the way the factory validates them. */
function registry(options: Partial<LoginWithTokenOptions<unknown>>, tenantNames: readonly string[]): CommandRegistry {
  const parsed = validateOptions(loginWithTokenOptionsSchema, { resolveUser: () => null, resolveTenant: () => undefined, ...options }, 'login-with-token');
  return new CommandRegistry(parsed, tenantNames);
}

const originOf = (command: { definition: unknown } | undefined) => (command?.definition as CompiledHttpCommand | undefined)?.url.origin;

describe('CommandRegistry', () => {
  it("resolves a tenant's own definition before the top-level one", () => {
    const commands = registry(
      {
        commands: { LoginWithToken: { url: 'https://partner.example/v?t={authToken}' } },
        tenants: { acme: { commands: { LoginWithToken: { url: 'https://acme.example/v?t={authToken}' } } }, globex: {} },
      },
      ['acme', 'globex'],
    );
    expect(commands.resolve('LoginWithToken', 'acme')).toMatchObject({ name: 'LoginWithToken', tenant: 'acme' });
    expect(originOf(commands.resolve('LoginWithToken', 'acme'))).toBe('https://acme.example');
    expect(originOf(commands.resolve('LoginWithToken', 'globex'))).toBe('https://partner.example');
  });

  it('returns undefined where a command is not configured, and has() tells whether any tenant has it', () => {
    const commands = registry({ tenants: { acme: { commands: { ValidateBearer: { url: 'https://acme.example/b' } } }, globex: {} } }, ['acme', 'globex']);
    expect(commands.has('ValidateBearer')).toBe(true);
    expect(commands.resolve('ValidateBearer', 'acme')).toBeDefined();
    expect(commands.resolve('ValidateBearer', 'globex')).toBeUndefined();
    expect(commands.has('LoginWithToken')).toBe(false);
    expect(commands.resolve('LoginWithToken', 'acme')).toBeUndefined();
  });

  it('calls a function of the tenant once per tenant, at construction, and reuses the command', () => {
    const calls: string[] = [];
    const commands = registry(
      {
        tenants: { acme: {}, globex: {} },
        commands: { LoginWithToken: (tenant) => (calls.push(tenant), { url: `https://${tenant}.partner.example/v` }) },
      },
      ['acme', 'globex'],
    );
    expect(calls).toEqual(['acme', 'globex']);
    const first = commands.resolve('LoginWithToken', 'globex');
    expect(originOf(first)).toBe('https://globex.partner.example');
    expect(commands.resolve('LoginWithToken', 'globex')).toBe(first);
    expect(calls).toEqual(['acme', 'globex']);
  });

  it("refuses at construction a function's bad definition for any named tenant, naming the tenant", () => {
    const commands = { LoginWithToken: (tenant: string) => ({ url: tenant === 'acme' ? 'https://acme.example/v' : 'ftp://globex.example/v' }) };
    expectOptionsError(() => registry({ tenants: { acme: {}, globex: {} }, commands }, ['acme', 'globex']), {
      code: 'LWT_INVALID_OPTION',
      path: 'commands.LoginWithToken("globex").url',
    });
  });

  it('validates a tenant it was not told about when that tenant is first resolved', () => {
    const calls: string[] = [];
    const commands = registry({ commands: { LoginWithToken: (tenant) => (calls.push(tenant), { url: 'ftp://late.example/v' }) } }, []);
    expect(calls).toEqual([]);
    expectOptionsError(() => commands.resolve('LoginWithToken', 'late'), { code: 'LWT_INVALID_OPTION', path: 'commands.LoginWithToken("late").url' });
    expect(calls).toEqual(['late']);
  });

  it('refuses a placeholder the app has not declared in a definition from a function', () => {
    const LoginWithToken = (): CommandDefinition => ({ url: 'https://partner.example/v?t={authToken}&c={customerId}' });
    expectOptionsError(() => registry({ tenants: { acme: {} }, commands: { LoginWithToken } }, ['acme']), {
      code: 'LWT_INVALID_OPTION',
      path: 'commands.LoginWithToken("acme")',
    });
    expect(registry({ tenants: { acme: {} }, commands: { LoginWithToken }, placeholders: { customerId: () => 'c-1' } }, ['acme']).resolve('LoginWithToken', 'acme')).toBeDefined();
  });

  it('holds a definition from a function to http.allowedHosts, so no tenant can send tokens elsewhere', () => {
    const LoginWithToken = (tenant: string): CommandDefinition => ({ url: tenant === 'acme' ? 'https://sso.partner.example/v' : 'https://collector.evil.example/v' });
    expectOptionsError(() => registry({ tenants: { acme: {}, globex: {} }, http: { allowedHosts: ['*.partner.example'] }, commands: { LoginWithToken } }, ['acme', 'globex']), {
      code: 'LWT_INVALID_OPTION',
      path: 'commands.LoginWithToken("globex").url',
    });
  });

  it('takes a function command from a function of the tenant', async () => {
    const commands = registry({ commands: { VerifyCredentials: (tenant) => ({ run: () => ({ ContactId: tenant }) }) } }, ['default']);
    const command = commands.resolve('VerifyCredentials', 'default');
    expect(command?.definition.kind).toBe('function');
    if (command?.definition.kind !== 'function') return;
    expect(await command.definition.run({}, new AbortController().signal)).toEqual({ ContactId: 'default' });
  });
});

describe('CommandRegistry and inherited names', () => {
  it('knows no command or tenant by a name every object inherits', () => {
    const registry = new CommandRegistry(validateOptions(loginWithTokenOptionsSchema, { resolveUser: () => null }, 'test'), ['default']);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      expect(registry.has(name), name).toBe(false);
      expect(registry.resolve(name, 'default'), name).toBeUndefined();
    }
    expect(registry.resolve('LoginWithToken', '__proto__')).toBeUndefined();
  });
});
