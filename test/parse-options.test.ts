import { describe, expect, it } from 'vitest';
import { createLoginWithToken, MemoryStore, type LoginWithTokenOptions } from '../src/index.js';
import { RedisStore } from '../src/redis.js';
import type { OptionsErrorCode } from '../src/errors/options-error.js';
import { expectOptionsError } from './support/options-error.js';

const resolveUser = () => null;
const valid = { url: 'https://partner.example/validate', body: '{"token":"{authToken}"}' };

function create(options: Partial<LoginWithTokenOptions<unknown>>) {
  return () => createLoginWithToken({ resolveUser, ...options } as LoginWithTokenOptions<unknown>);
}

describe('createLoginWithToken options', () => {
  it('accepts a minimal configuration', async () => {
    const login = create({ commands: { LoginWithToken: valid } })();
    expect(login.tenants).toEqual(['default']);
    await login.close();
  });

  it.each<[string, Partial<LoginWithTokenOptions<unknown>>, OptionsErrorCode, string, string]>([
    ['a missing resolveUser', { resolveUser: undefined }, 'LWT_MISSING_OPTION', 'resolveUser', 'resolveUser: must be a function'],
    ['a relative URL', { commands: { LoginWithToken: { url: '/validate' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.url', 'commands.LoginWithToken.url: must be an absolute http(s) URL'],
    ['a non-http URL', { commands: { LoginWithToken: { url: 'file:///etc/passwd' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.url', 'commands.LoginWithToken.url: must be an absolute http(s) URL'],
    ['a placeholder in the host', { commands: { LoginWithToken: { url: 'https://{tenant}.example/v' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.url', 'commands.LoginWithToken.url: placeholders are not allowed in the scheme, host or port'],
    ['an unknown placeholder', { commands: { LoginWithToken: { url: 'https://p.example/v?t={authtoken}' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken', 'commands.LoginWithToken: unknown placeholder {authtoken}'],
    ['a GET with a body', { commands: { LoginWithToken: { ...valid, method: 'GET' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.body', 'commands.LoginWithToken.body: a GET command cannot have a body'],
    ['a method other than GET or POST', { commands: { LoginWithToken: { ...valid, method: 'PUT' as 'GET' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.method', 'commands.LoginWithToken.method:'],
    ['a JSON body with a bare placeholder', { commands: { LoginWithToken: { url: valid.url, body: '{"t": {authToken}}', bodyFormat: 'json' } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.body', 'commands.LoginWithToken.body: must be valid JSON'],
    ['a header with CR/LF', { commands: { LoginWithToken: { ...valid, headers: { 'x-a': 'b\r\nc: d' } } } }, 'LWT_INVALID_OPTION', 'commands.LoginWithToken.headers', 'commands.LoginWithToken.headers:'],
    ['a misspelt option', { commands: { LoginWithToken: { ...valid, hedaers: {} } as never } }, 'LWT_UNKNOWN_OPTION', 'commands.LoginWithToken.hedaers', 'commands.LoginWithToken.hedaers: unknown option'],
    ['an unknown top-level option', { comands: {} } as never, 'LWT_UNKNOWN_OPTION', 'comands', 'comands: unknown option'],
    ['a zero timeout', { http: { timeoutMs: 0 } }, 'LWT_INVALID_OPTION', 'http.timeoutMs', 'http.timeoutMs:'],
    ['an off-site defaultReturnTo', { handoff: { defaultReturnTo: '//evil.com' } }, 'LWT_INVALID_OPTION', 'handoff.defaultReturnTo', 'handoff.defaultReturnTo: must be a same-origin path'],
    ['two tenants without resolveTenant', { tenants: { a: {}, b: {} } }, 'LWT_MISSING_OPTION', 'resolveTenant', 'resolveTenant: is required when more than one tenant is configured'],
    ['a bad per-tenant URL', { tenants: { acme: { commands: { LoginWithToken: { url: 'nope' } } } } }, 'LWT_INVALID_OPTION', 'tenants.acme.commands.LoginWithToken.url', 'tenants.acme.commands.LoginWithToken.url: must be an absolute http(s) URL'],
    ['a redefined built-in placeholder', { placeholders: { authToken: () => 'x' } }, 'LWT_INVALID_OPTION', 'placeholders.authToken', 'placeholders.authToken: is built in'],
    ['an executor without run', { executor: {} as never }, 'LWT_INVALID_OPTION', 'executor', 'executor: must be an object with a run'],
    [
      'a store written for the older session contract (no exists)',
      (() => {
        const store = new MemoryStore();
        void store.close();
        return { store: { ...store, ledger: store.ledger, apiTokens: store.apiTokens, rateLimits: store.rateLimits, sessions: { use: () => undefined, confirm: async () => true } } as never };
      })(),
      'LWT_INVALID_OPTION',
      'store',
      'store: must be a Store',
    ],
    ['a jwksUrl off http.allowedHosts', { http: { allowedHosts: ['partner.example'] }, logon: { tokenTypes: { p: { kind: 'jwt', issuer: 'i', audience: 'a', jwksUrl: 'https://idp.example/keys' } } } }, 'LWT_INVALID_OPTION', 'logon.tokenTypes.p.jwksUrl', 'logon.tokenTypes.p.jwksUrl: host is not on http.allowedHosts'],
    ['SameSite=None without Secure', { embedding: { cookie: { sameSite: 'none', secure: false, partitioned: false } } }, 'LWT_INVALID_OPTION', 'embedding.cookie.secure', 'embedding.cookie.secure: sameSite "none" needs secure: true'],
    ['a wildcard frame ancestor', { embedding: { frameAncestors: ['*'] } }, 'LWT_INVALID_OPTION', 'embedding.frameAncestors[0]', 'embedding.frameAncestors[0]: must list origins'],
    ['a frame ancestor with a path', { tenants: { a: { frameAncestors: ['https://p.example/embed'] } } }, 'LWT_INVALID_OPTION', 'tenants.a.frameAncestors[0]', 'tenants.a.frameAncestors[0]: must be an origin'],
  ])('throws a TypeError with the code and path of the option for %s', (_name, options, code, path, message) => {
    const error = expectOptionsError(create(options), { code, path });
    expect(error.message).toContain(message);
  });

  it('requires hashKey, and a JWT key when LogonWithToken is used, with a shared store', () => {
    // Built only: a RedisStore's roles are shared, and nothing here talks to Redis.
    const store = new RedisStore({ client: { evalsha: () => undefined } as never });
    expectOptionsError(create({ store }), { code: 'LWT_MISSING_OPTION', path: 'hashKey', message: 'hashKey: is required with a shared store' });
    expectOptionsError(create({ store, hashKey: 'k'.repeat(16), logon: { tokenTypes: { apitoken: { kind: 'apitoken' } } } }), {
      code: 'LWT_MISSING_OPTION',
      path: 'logon.jwt.privateKey',
      message: 'logon.jwt.privateKey: is required with a shared store',
    });
    expect(create({ store, hashKey: 'k'.repeat(16) })).not.toThrow();
    void store.close();
  });

  it('validates per-tenant command functions for every named tenant at start-up', () => {
    expect(
      create({
        tenants: { acme: {}, globex: {} },
        resolveTenant: () => 'acme',
        commands: { LoginWithToken: (tenant) => (tenant === 'acme' ? valid : { url: 'ftp://x' }) },
      }),
    ).toThrow('commands.LoginWithToken("globex").url: must be an absolute http(s) URL');
    expectOptionsError(
      create({
        tenants: { acme: {}, globex: {} },
        resolveTenant: () => 'acme',
        commands: { LoginWithToken: (tenant) => (tenant === 'acme' ? valid : { url: 'ftp://x' }) },
      }),
      { code: 'LWT_INVALID_OPTION', path: 'commands.LoginWithToken("globex").url' },
    );
  });
});
