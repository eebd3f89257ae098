import { describe, expect, it } from 'vitest';
import type { CompiledHttpCommand } from '../src/config/command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { nameSchema, tenantOptionsSchema, type TenantOptions } from '../src/options/tenant-options.js';
import { rsaKeys } from './support/keys.js';
import { expectOptionsError } from './support/options-error.js';

const parse = (tenant: TenantOptions) => validateOptions(tenantOptionsSchema, tenant, 'login-with-token', ['tenants', 'acme']);

describe('nameSchema', () => {
  it.each(['acme', 'DCIS_KENDOX', 'a.b-c_1', '7', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(nameSchema.safeParse(name).success).toBe(true);
  });

  it.each(['', 'x'.repeat(65), 'a b', 'a/b', 'a:b', 'a\nb', 'a\u0000b', 'zoë', '{tenant}', 'a"b'])('refuses %j', (name) => {
    expect(nameSchema.safeParse(name).success).toBe(false);
  });
});

describe('tenantOptionsSchema', () => {
  it('leaves out what the tenant does not set, so the top-level options apply', () => {
    expect(parse({})).toEqual({ commands: {}, tokenTypes: {} });
  });

  it("compiles the tenant's commands and token types", () => {
    const parsed = parse({
      commands: { LoginWithToken: { method: 'GET', url: 'https://acme.example/v?t={authToken}' } },
      tokenTypes: { apitoken: { kind: 'apitoken' }, InfoShareToken: { kind: 'signed-sender', keys: [rsaKeys().publicPem] } },
      clientIds: ['acme-app'],
      requireClientId: true,
    });
    expect(parsed.commands['LoginWithToken']).toMatchObject({ kind: 'http', method: 'GET' });
    expect((parsed.commands['LoginWithToken'] as CompiledHttpCommand).url.origin).toBe('https://acme.example');
    expect(parsed.tokenTypes['InfoShareToken']).toMatchObject({ kind: 'signed-sender', version: '1.0', maxLifetimeSeconds: 300 });
    expect(parsed).toMatchObject({ clientIds: ['acme-app'], requireClientId: true });
  });

  it('takes command definitions only, not functions of the tenant', () => {
    const LoginWithToken = () => ({ url: 'https://acme.example/v' });
    expectOptionsError(() => parse({ commands: { LoginWithToken } as never }), { code: 'LWT_INVALID_OPTION', path: 'tenants.acme.commands.LoginWithToken' });
  });

  it.each<[string, TenantOptions, string]>([
    ['an empty clientIds list', { clientIds: [] }, 'tenants.acme.clientIds'],
    ['an empty client id', { clientIds: ['acme-app', ''] }, 'tenants.acme.clientIds[1]'],
    ['a frame ancestor "*"', { frameAncestors: ['*'] }, 'tenants.acme.frameAncestors[0]'],
    ['a token type of no known kind', { tokenTypes: { magic: { kind: 'magic' } as never } }, 'tenants.acme.tokenTypes.magic.kind'],
    ['a command name with a slash', { commands: { 'Login/WithToken': { url: 'https://acme.example/v' } } }, 'tenants.acme.commands.Login/WithToken'],
  ])('refuses %s', (_name, tenant, path) => {
    expectOptionsError(() => parse(tenant), { code: 'LWT_INVALID_OPTION', path });
  });

  it('lowercases frame ancestors', () => {
    expect(parse({ frameAncestors: ['https://Partner.Example'] }).frameAncestors).toEqual(['https://partner.example']);
  });

  it('names a misspelt option', () => {
    expectOptionsError(() => parse({ clientId: ['acme-app'] } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'tenants.acme.clientId' });
  });
});
