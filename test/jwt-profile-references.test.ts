import { describe, expect, it } from 'vitest';
import { jwtProfileReferenceProblems, type JwtProfileReferences } from '../src/config/jwt-profile-references.js';
import { tokenTypeSchema, type ParsedTokenType } from '../src/config/token-type-schema.js';
import { createLoginWithToken, type LoginWithTokenOptions } from '../src/index.js';
import { rsaKeys } from './support/keys.js';
import { expectOptionsError } from './support/options-error.js';

const { publicPem } = rsaKeys();
const jwt = (issuer = 'https://idp.example/'): ParsedTokenType => tokenTypeSchema.parse({ kind: 'jwt', issuer, audience: 'portal', keys: [publicPem] });
const apiToken: ParsedTokenType = tokenTypeSchema.parse({ kind: 'apitoken' });
const signedSender: ParsedTokenType = tokenTypeSchema.parse({ kind: 'signed-sender', keys: [publicPem] });

type Tenant = JwtProfileReferences['tenants'][string];

function references(overrides: { bearer?: readonly string[]; logon?: Record<string, ParsedTokenType>; tenants?: Record<string, Tenant> }): JwtProfileReferences {
  return { bearer: { jwtProfiles: overrides.bearer ?? [] }, logon: { tokenTypes: overrides.logon ?? {} }, tenants: overrides.tenants ?? {} };
}

const problem = (path: PropertyKey[], where: string) => ({ path, message: `names no JWT profile (kind 'jwt') of ${where}` });

describe('jwtProfileReferenceProblems', () => {
  describe('without tenants', () => {
    it('finds nothing wrong with no references, or with references to JWT profiles of logon.tokenTypes', () => {
      expect(jwtProfileReferenceProblems(references({}))).toEqual([]);
      expect(jwtProfileReferenceProblems(references({ bearer: ['entra', 'keycloak'], logon: { entra: jwt(), keycloak: jwt('https://kc.example/'), ApiToken: apiToken } }))).toEqual([]);
    });

    it('reports an unknown id at its index in bearer.jwtProfiles', () => {
      expect(jwtProfileReferenceProblems(references({ bearer: ['entra', 'nope'], logon: { entra: jwt() } }))).toEqual([problem(['bearer', 'jwtProfiles', 1], 'logon.tokenTypes')]);
    });

    it('reports token types that are no JWT profile: API tokens and signed-sender tokens', () => {
      const logon = { ApiToken: apiToken, InfoShareToken: signedSender, entra: jwt() };
      expect(jwtProfileReferenceProblems(references({ bearer: ['ApiToken', 'entra', 'InfoShareToken'], logon }))).toEqual([
        problem(['bearer', 'jwtProfiles', 0], 'logon.tokenTypes'),
        problem(['bearer', 'jwtProfiles', 2], 'logon.tokenTypes'),
      ]);
    });

    it('matches ids exactly, as API routes look them up', () => {
      expect(jwtProfileReferenceProblems(references({ bearer: ['Entra'], logon: { entra: jwt() } }))).toEqual([problem(['bearer', 'jwtProfiles', 0], 'logon.tokenTypes')]);
    });

    it('reports a profile sharing an issuer with an earlier one of the list: the second would never be tried', () => {
      const logon = { v2: jwt('https://login.example/tid/v2.0'), other: tokenTypeSchema.parse({ kind: 'jwt', issuer: ['https://kc.example/', 'https://login.example/tid/v2.0'], audience: 'api-b', keys: [publicPem] }) };
      expect(jwtProfileReferenceProblems(references({ bearer: ['v2', 'other'], logon }))).toEqual([
        {
          path: ['bearer', 'jwtProfiles', 1],
          message: 'shares issuer https://login.example/tid/v2.0 with v2 (logon.tokenTypes): a token\'s issuer picks one profile, so list both audiences on one',
        },
      ]);
      expect(jwtProfileReferenceProblems(references({ bearer: ['v2'], logon }))).toEqual([]);
    });

    it('takes no inherited property of an object for a profile', () => {
      const bearer = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];
      expect(jwtProfileReferenceProblems(references({ bearer, logon: { entra: jwt() } }))).toEqual(bearer.map((_id, index) => problem(['bearer', 'jwtProfiles', index], 'logon.tokenTypes')));
    });
  });

  describe('with tenants', () => {
    it("checks bearer.jwtProfiles for each tenant without its own list, against that tenant's types and logon.tokenTypes", () => {
      const tenants = {
        acme: { tokenTypes: { acmeIdp: jwt('https://acme.example/') } },
        globex: { tokenTypes: {} },
      };
      expect(jwtProfileReferenceProblems(references({ bearer: ['shared', 'acmeIdp'], logon: { shared: jwt() }, tenants }))).toEqual([
        problem(['bearer', 'jwtProfiles', 1], 'tenant globex'),
      ]);
      expect(jwtProfileReferenceProblems(references({ bearer: ['shared'], logon: { shared: jwt() }, tenants }))).toEqual([]);
    });

    it('reports one problem per tenant that lacks the profile', () => {
      const tenants = { acme: { tokenTypes: {} }, globex: { tokenTypes: {} } };
      expect(jwtProfileReferenceProblems(references({ bearer: ['nope'], tenants }))).toEqual([
        problem(['bearer', 'jwtProfiles', 0], 'tenant acme'),
        problem(['bearer', 'jwtProfiles', 0], 'tenant globex'),
      ]);
    });

    it("lets a tenant's own token type of the same name hide the top-level JWT profile", () => {
      const tenants = { acme: { tokenTypes: { idp: apiToken } }, globex: { tokenTypes: {} } };
      expect(jwtProfileReferenceProblems(references({ bearer: ['idp'], logon: { idp: jwt() }, tenants }))).toEqual([problem(['bearer', 'jwtProfiles', 0], 'tenant acme')]);
      const own = { acme: { tokenTypes: { idp: jwt('https://acme.example/') } } };
      expect(jwtProfileReferenceProblems(references({ bearer: ['idp'], logon: { idp: signedSender }, tenants: own }))).toEqual([]);
    });

    it("checks a tenant's own jwtProfiles against its types and logon.tokenTypes, naming tenants.<name>.jwtProfiles", () => {
      const tenants = {
        acme: { tokenTypes: { acmeIdp: jwt('https://acme.example/'), ApiToken: apiToken }, jwtProfiles: ['acmeIdp', 'shared', 'ApiToken', 'globexIdp', 'nope'] },
        globex: { tokenTypes: { globexIdp: jwt('https://globex.example/') }, jwtProfiles: ['globexIdp'] },
      };
      expect(jwtProfileReferenceProblems(references({ logon: { shared: jwt() }, tenants }))).toEqual([
        problem(['tenants', 'acme', 'jwtProfiles', 2], 'tenant acme'),
        // Another tenant's profile is not visible.
        problem(['tenants', 'acme', 'jwtProfiles', 3], 'tenant acme'),
        problem(['tenants', 'acme', 'jwtProfiles', 4], 'tenant acme'),
      ]);
    });

    it('leaves bearer.jwtProfiles unchecked when every tenant has its own list: it applies to none', () => {
      const tenants = { acme: { tokenTypes: { idp: jwt() }, jwtProfiles: ['idp'] } };
      expect(jwtProfileReferenceProblems(references({ bearer: ['nope'], tenants }))).toEqual([]);
    });

    it('checks bearer.jwtProfiles for the inheriting tenants only, beside the own lists', () => {
      const tenants = {
        acme: { tokenTypes: {}, jwtProfiles: ['missing'] },
        globex: { tokenTypes: { idp: jwt() } },
        initech: { tokenTypes: {}, jwtProfiles: [] },
      };
      expect(jwtProfileReferenceProblems(references({ bearer: ['idp'], tenants }))).toEqual([problem(['tenants', 'acme', 'jwtProfiles', 0], 'tenant acme')]);
    });
  });
});

describe('createLoginWithToken with jwtProfiles', () => {
  const resolveUser = () => null;
  const create = (options: Partial<LoginWithTokenOptions<unknown>>) => () => createLoginWithToken({ resolveUser, ...options } as LoginWithTokenOptions<unknown>);

  it('refuses to start when bearer.jwtProfiles names no JWT profile, naming the option', () => {
    expectOptionsError(create({ bearer: { jwtProfiles: ['nope'] } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'bearer.jwtProfiles[0]',
      message: /bearer\.jwtProfiles\[0\]: names no JWT profile \(kind 'jwt'\) of logon\.tokenTypes/,
    });
  });

  it('refuses a tenant list naming an API token type, naming tenants.<name>.jwtProfiles', () => {
    expectOptionsError(create({ tenants: { acme: { tokenTypes: { ApiToken: { kind: 'apitoken' } }, jwtProfiles: ['ApiToken'] } } }), {
      code: 'LWT_INVALID_OPTION',
      path: 'tenants.acme.jwtProfiles[0]',
      message: /tenants\.acme\.jwtProfiles\[0\]: names no JWT profile/,
    });
  });

  it('starts when the reference names a JWT profile', async () => {
    const login = create({ bearer: { jwtProfiles: ['entra'] }, logon: { tokenTypes: { entra: { kind: 'jwt', issuer: 'https://idp.example/', audience: 'portal', keys: [publicPem] } } } })();
    expect(login.tenants).toEqual(['default']);
    await login.close();
  });
});
