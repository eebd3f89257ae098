import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { commandDefinitionSchema } from '../src/config/command-schema.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';
import { connectionJwtOptionsSchema } from '../src/logon/connection-jwt-options.js';
import { crossOptionProblems, type CrossCheckedOptions } from '../src/options/cross-option-checks.js';
import { rsaKeys } from './support/keys.js';
import { recordSecret } from './support/secrets.js';

const withoutKey = connectionJwtOptionsSchema.parse({});
const command = (definition: unknown) => commandDefinitionSchema.parse(definition);
const tokenType = (definition: unknown): ParsedTokenType => tokenTypeSchema.parse(definition);
const jwtProfile = (jwksUrl: string) => tokenType({ kind: 'jwt', issuer: 'https://idp.example/', audience: 'portal', jwksUrl });

function options(overrides: Partial<CrossCheckedOptions> = {}): CrossCheckedOptions {
  return { placeholders: {}, commands: {}, tenants: {}, http: {}, bearer: { jwtProfiles: [] }, logon: { tokenTypes: {}, jwt: withoutKey }, ...overrides };
}

function tenant(settings: Partial<CrossCheckedOptions['tenants'][string]> = {}): CrossCheckedOptions['tenants'][string] {
  return { commands: {}, tokenTypes: {}, ...settings };
}

const paths = (checked: CrossCheckedOptions) => crossOptionProblems(checked).map((problem) => problem.path);

describe('crossOptionProblems', () => {
  it('finds nothing wrong in a consistent configuration', () => {
    const validate = command({ url: 'https://sso.partner.example/v?t={authToken}&c={customerId}' });
    expect(
      crossOptionProblems(
        options({
          placeholders: { customerId: () => 'c-1' },
          commands: { LoginWithToken: validate },
          tenants: { acme: tenant({ commands: { LoginWithToken: validate } }), globex: tenant() },
          http: { allowedHosts: ['*.partner.example'] },
          resolveTenant: () => 'acme',
        }),
      ),
    ).toEqual([]);
  });

  it('refuses an app placeholder that would redefine a built-in one', () => {
    const problems = crossOptionProblems(options({ placeholders: { authToken: () => 'forged', customerId: () => 'c-1' } }));
    expect(problems).toEqual([{ path: ['placeholders', 'authToken'], message: expect.stringContaining('built in') }]);
  });

  it("reports unknown placeholders in top-level and tenant commands, and knows the app's own", () => {
    const uses = command({ url: 'https://partner.example/v?c={customerId}' });
    const checked = { commands: { LoginWithToken: uses }, tenants: { acme: tenant({ commands: { ValidateBearer: uses } }) } };
    expect(paths(options(checked))).toEqual([
      ['commands', 'LoginWithToken'],
      ['tenants', 'acme', 'commands', 'ValidateBearer'],
    ]);
    expect(paths(options({ ...checked, placeholders: { customerId: () => 'c-1' } }))).toEqual([]);
  });

  it('leaves functions of the tenant alone: they are checked per tenant when they run', () => {
    const calls: string[] = [];
    const LoginWithToken = (name: string) => (calls.push(name), { url: 'https://evil.example/v?x={unknown}' });
    expect(paths(options({ commands: { LoginWithToken }, http: { allowedHosts: ['partner.example'] } }))).toEqual([]);
    expect(calls).toEqual([]);
  });

  it('holds command and JWKS hosts to http.allowedHosts, at every level', () => {
    const checked = options({
      http: { allowedHosts: ['*.partner.example'] },
      commands: { LoginWithToken: command({ url: 'https://partner.example.evil.example/v' }), ValidateBearer: command({ url: 'https://sso.partner.example/b' }) },
      tenants: { acme: tenant({ commands: { LoginWithToken: command({ url: 'https://evil.example/v' }) }, tokenTypes: { idp: jwtProfile('https://keys.evil.example/jwks') } }) },
      logon: { tokenTypes: { idp: jwtProfile('https://evil.example/jwks'), own: jwtProfile('https://login.partner.example/jwks') }, jwt: withoutKey },
    });
    expect(paths(checked)).toEqual([
      ['commands', 'LoginWithToken', 'url'],
      ['tenants', 'acme', 'commands', 'LoginWithToken', 'url'],
      ['logon', 'tokenTypes', 'idp', 'jwksUrl'],
      ['tenants', 'acme', 'tokenTypes', 'idp', 'jwksUrl'],
    ]);
    expect(paths({ ...checked, http: {} })).toEqual([]);
  });

  it('refuses requireAudience: false for sender keys that serve several tenants', () => {
    const sender = tokenType({ kind: 'signed-sender', keys: [rsaKeys().publicPem], requireAudience: false });
    const shared = options({ logon: { tokenTypes: { InfoShareToken: sender }, jwt: withoutKey }, tenants: { acme: tenant(), globex: tenant() }, resolveTenant: () => 'acme' });
    expect(paths(shared)).toEqual([['logon', 'tokenTypes', 'InfoShareToken', 'requireAudience']]);
    const single = options({ logon: { tokenTypes: { InfoShareToken: sender }, jwt: withoutKey }, tenants: { acme: tenant() } });
    expect(paths(single)).toEqual([]);
  });

  /** A store whose roles say whether they are shared (a role that says nothing is per instance). */
  const roles = (shared: Partial<Record<'ledger' | 'sessions' | 'apiTokens' | 'rateLimits', boolean>>, extra: object = {}) =>
    ({ ...Object.fromEntries(['ledger', 'sessions', 'apiTokens', 'rateLimits'].map((role) => [role, { shared: shared[role as 'ledger'] }])), ...extra }) as never;

  describe('with a shared store', () => {
    const store = roles({ ledger: true, sessions: true, apiTokens: true, rateLimits: true });
    const hashKey = recordSecret('cross-option-hash-key-8b2e47');

    it('requires hashKey', () => {
      expect(paths(options({ store }))).toEqual([['hashKey']]);
      expect(paths(options({ store, hashKey }))).toEqual([]);
      expect(paths(options({ store: roles({}) }))).toEqual([]);
      expect(paths(options({ store: roles({}, { shared: true }) }))).toEqual([['hashKey']]);
    });

    it('refuses roles kept per instance beside shared ones, unless listed in instanceLocal', () => {
      const mixed = roles({ ledger: true, rateLimits: true });
      expect(paths(options({ store: mixed, hashKey }))).toEqual([
        ['store', 'sessions'],
        ['store', 'apiTokens'],
      ]);
      expect(paths(options({ store: roles({ ledger: true, sessions: true, apiTokens: true }, { instanceLocal: ['rateLimits'] }), hashKey }))).toEqual([]);
      expect(paths(options({ store: roles({ ledger: true, sessions: true, apiTokens: true }, { instanceLocal: ['rateLimits', 'ledger'] }), hashKey }))).toEqual([
        ['store', 'instanceLocal'],
      ]);
    });

    it('requires logon.jwt.privateKey once any token type is configured, top-level or per tenant', () => {
      const apitoken = tokenType({ kind: 'apitoken' });
      expect(paths(options({ store, hashKey, logon: { tokenTypes: { apitoken }, jwt: withoutKey } }))).toEqual([['logon', 'jwt', 'privateKey']]);
      expect(paths(options({ store, hashKey, tenants: { acme: tenant({ tokenTypes: { apitoken } }) } }))).toEqual([['logon', 'jwt', 'privateKey']]);
      const privateKey = recordSecret(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      const withKey = connectionJwtOptionsSchema.parse({ privateKey });
      expect(paths(options({ store, hashKey, logon: { tokenTypes: { apitoken }, jwt: withKey } }))).toEqual([]);
      expect(paths(options({ logon: { tokenTypes: { apitoken }, jwt: withoutKey } }))).toEqual([]);
    });
  });

  it('requires resolveTenant with more than one tenant', () => {
    expect(paths(options({ tenants: { acme: tenant(), globex: tenant() } }))).toEqual([['resolveTenant']]);
    expect(paths(options({ tenants: { acme: tenant(), globex: tenant() }, resolveTenant: () => 'acme' }))).toEqual([]);
    expect(paths(options({ tenants: { acme: tenant() } }))).toEqual([]);
  });

  it('reports every problem at once, with full option paths', () => {
    const problems = crossOptionProblems(
      options({ placeholders: { tenant: () => 'x' }, commands: { LoginWithToken: command({ url: 'https://p.example/v?x={nope}' }) }, tenants: { a: tenant(), b: tenant() } }),
    );
    expect(problems.map((problem) => problem.path)).toEqual([['placeholders', 'tenant'], ['commands', 'LoginWithToken'], ['resolveTenant']]);
    expect(problems.every((problem) => problem.message.length > 0)).toBe(true);
  });
});
