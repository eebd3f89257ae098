import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  introspectionCommandSchema,
  type CompiledIntrospectionCommand,
  type IntrospectionCommandDefinition,
} from '../src/config/introspection-command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import type { OptionsErrorCode } from '../src/errors/options-error.js';
import { startIdentityProvider, type TestIdentityProvider } from './support/oidc-provider.js';
import { expectOptionsError } from './support/options-error.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

const clientSecret = recordSecret('introspection-secret-4f1c9a');
const bearerToken = recordSecret('introspection-bearer-9d2e7b');
const endpoint = 'https://idp.example/realms/portal/protocol/openid-connect/token/introspect';
const issuer = 'https://idp.example/realms/portal';

/** A valid definition with client_secret_basic, overridden by `fields`. */
function definition(fields: Partial<IntrospectionCommandDefinition> = {}): IntrospectionCommandDefinition {
  return { kind: 'introspection', url: endpoint, clientAuth: { clientId: 'portal', clientSecret }, ...fields };
}

/** Compiles a definition as the options do, under `commands.ValidateBearer`. */
const compile = (input: unknown): CompiledIntrospectionCommand =>
  validateOptions(introspectionCommandSchema, input, 'login-with-token', ['commands', 'ValidateBearer']);
const path = (field: string) => `commands.ValidateBearer.${field}`;

/** The `client_id:client_secret` pair inside a Basic authorization header. */
function basicCredentials(header: string | undefined): string {
  expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/);
  return Buffer.from(header!.slice('Basic '.length), 'base64').toString('utf8');
}

const formHeaders = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };

describe('introspectionCommandSchema', () => {
  describe('defaults', () => {
    it('fills in every default of a minimal definition', () => {
      const command = compile(definition());
      expect(command).toEqual({
        kind: 'introspection',
        url: new URL(endpoint),
        issuer: undefined,
        discoveryUrl: undefined,
        headers: { ...formHeaders, authorization: expect.stringMatching(/^Basic /) },
        formTail: '&token_type_hint=access_token',
        requiredScopes: [],
        audience: undefined,
        userClaim: 'sub',
        userClaimIs: 'contactId',
        clockToleranceSeconds: 30,
        timeoutMs: undefined,
        allowedHosts: undefined,
        placeholders: [],
        policy: expect.any(String),
      });
    });

    it('keeps the values given', () => {
      const command = compile(
        definition({
          tokenTypeHint: 'refresh_token',
          requiredScopes: ['portal.api', 'api://portal/Files.Read'],
          audience: ['portal', 'api'],
          userClaim: 'email',
          userClaimIs: 'email',
          clockToleranceSeconds: 0,
          timeoutMs: 2000,
          allowedHosts: ['idp.example'],
        }),
      );
      expect(command).toMatchObject({
        formTail: '&token_type_hint=refresh_token',
        requiredScopes: ['portal.api', 'api://portal/Files.Read'],
        audience: ['portal', 'api'],
        userClaim: 'email',
        userClaimIs: 'email',
        clockToleranceSeconds: 0,
        timeoutMs: 2000,
        allowedHosts: ['idp.example'],
      });
    });

    it('turns a single audience into a list', () => {
      expect(compile(definition({ audience: 'portal' })).audience).toEqual(['portal']);
    });
  });

  describe('client authentication', () => {
    // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined with ":" and base64-encoded.
    const clientId = 'portal:app+1 x';
    const awkwardSecret = recordSecret('se:cr+et pass/%~*é');

    it('sends client_secret_basic by default: Basic base64(formEncode(id):formEncode(secret))', () => {
      const command = compile(definition({ clientAuth: { clientId, clientSecret: awkwardSecret } }));
      const credentials = basicCredentials(command.headers['authorization']);
      expect(credentials).toBe('portal%3Aapp%2B1+x:se%3Acr%2Bet+pass%2F%25%7E*%C3%A9');
      // Exactly one unencoded ":" separates them, and form-decoding each side gives the originals back.
      const [id, secret, ...rest] = credentials.split(':');
      expect(rest).toEqual([]);
      expect([...new URLSearchParams(`id=${id}&secret=${secret}`)]).toEqual([
        ['id', clientId],
        ['secret', awkwardSecret],
      ]);
      expect(command.formTail).toBe('&token_type_hint=access_token');
    });

    it('leaves plain ids and secrets as they are', () => {
      const command = compile(definition({ clientAuth: { clientId: 'portal', clientSecret, method: 'client_secret_basic' } }));
      expect(command.headers).toEqual({ ...formHeaders, authorization: `Basic ${Buffer.from(`portal:${clientSecret}`).toString('base64')}` });
    });

    it('puts client_id and client_secret in the form with client_secret_post, and sends no authorization header', () => {
      const command = compile(definition({ clientAuth: { clientId, clientSecret: awkwardSecret, method: 'client_secret_post' } }));
      expect(command.headers).toEqual(formHeaders);
      // Encoded once, at start-up: form-decoding the body gives every value back as configured.
      const body = `token=opaque${command.formTail}`;
      expect(Object.fromEntries(new URLSearchParams(body))).toEqual({ token: 'opaque', token_type_hint: 'access_token', client_id: clientId, client_secret: awkwardSecret });
    });

    it('sends a bearer token as Authorization: Bearer, and nothing in the form', () => {
      const command = compile(definition({ clientAuth: { bearerToken } }));
      expect(command.headers).toEqual({ ...formHeaders, authorization: `Bearer ${bearerToken}` });
      expect(command.formTail).toBe('&token_type_hint=access_token');
    });

    it.each<[string, unknown, OptionsErrorCode, string]>([
      ['no client authentication', undefined, 'LWT_MISSING_OPTION', 'clientAuth'],
      ['an empty secret', { clientId: 'portal', clientSecret: '' }, 'LWT_INVALID_OPTION', 'clientAuth.clientSecret'],
      ['an empty client id', { clientId: '', clientSecret }, 'LWT_INVALID_OPTION', 'clientAuth.clientId'],
      ['an empty bearer token', { bearerToken: '' }, 'LWT_INVALID_OPTION', 'clientAuth.bearerToken'],
      ['an unknown method', { clientId: 'portal', clientSecret, method: 'private_key_jwt' }, 'LWT_INVALID_OPTION', 'clientAuth'],
      ['both a secret and a bearer token', { clientId: 'portal', clientSecret, bearerToken }, 'LWT_INVALID_OPTION', 'clientAuth'],
      ['a bare string', clientSecret, 'LWT_INVALID_OPTION', 'clientAuth'],
      ['a misspelt field', { clientId: 'portal', clientSecret, clientSecretMethod: 'post' }, 'LWT_UNKNOWN_OPTION', 'clientAuth.clientSecretMethod'],
    ])('refuses %s, without repeating the secrets', (_name, clientAuth, code, field) => {
      const error = expectOptionsError(() => compile({ ...definition(), clientAuth }), { code, path: path(field) });
      expect(leakedSecrets(error.message)).toEqual([]);
    });
  });

  describe('url and issuer', () => {
    it('discovers the endpoint from the issuer when url is not set', () => {
      const command = compile({ kind: 'introspection', issuer, clientAuth: { bearerToken } });
      expect(command.url).toBeUndefined();
      expect(command.issuer).toBe(issuer);
      expect(command.discoveryUrl?.href).toBe(`${issuer}/.well-known/openid-configuration`);
    });

    it('calls url when both are set, and keeps the issuer for the answer check', () => {
      const command = compile(definition({ issuer }));
      expect(command.url?.href).toBe(endpoint);
      expect(command.issuer).toBe(issuer);
      expect(command.discoveryUrl).toBeUndefined();
    });

    it('takes any issuer string beside url, since it is only compared', () => {
      expect(compile(definition({ issuer: 'urn:idp:portal' })).issuer).toBe('urn:idp:portal');
    });

    it('refuses neither url nor issuer, naming url', () => {
      expectOptionsError(() => compile({ kind: 'introspection', clientAuth: { bearerToken } }), {
        code: 'LWT_MISSING_OPTION',
        path: path('url'),
        message: 'commands.ValidateBearer.url: is required unless issuer is set (for discovery)',
      });
    });

    it.each([
      ['http off loopback', 'http://10.0.0.1/introspect', 'must use https (http only for loopback)'],
      ['a loopback name in userinfo', 'http://localhost@evil.example/introspect', 'must use https (http only for loopback)'],
      ['a relative URL', '/introspect', 'must be an absolute http(s) URL'],
      ['another scheme', 'ftp://idp.example/introspect', 'must be an absolute http(s) URL'],
    ])('refuses a url with %s', (_name, url, message) => {
      expectOptionsError(() => compile(definition({ url })), { code: 'LWT_INVALID_OPTION', path: path('url'), message: `${path('url')}: ${message}` });
    });

    it('refuses an issuer to discover from that is not https (http only for loopback)', () => {
      const withIssuer = (value: string) => ({ kind: 'introspection', issuer: value, clientAuth: { bearerToken } });
      expectOptionsError(() => compile(withIssuer('http://idp.example/realms/portal')), { code: 'LWT_INVALID_OPTION', path: path('issuer'), message: /must use https/ });
      expectOptionsError(() => compile(withIssuer('idp.example')), { code: 'LWT_INVALID_OPTION', path: path('issuer'), message: /must be an absolute http\(s\) URL/ });
      expect(compile(withIssuer('http://127.0.0.1:8080/realms/portal')).discoveryUrl?.href).toBe('http://127.0.0.1:8080/realms/portal/.well-known/openid-configuration');
    });

    // An issuer identifier has no query or fragment (OpenID Connect Discovery 1.0 §2, RFC 8414 §2):
    // appended to one, the well-known suffix would land in the query or fragment, not the path.
    it.each(['https://idp.example/realms/portal?tenant=a', 'https://idp.example/realms/portal#frag'])('refuses an issuer with a query or fragment to discover from: %s', (value) => {
      expectOptionsError(() => compile({ kind: 'introspection', issuer: value, clientAuth: { bearerToken } }), { code: 'LWT_INVALID_OPTION', path: path('issuer') });
    });
  });

  describe('allowedHosts', () => {
    it('refuses a url off the list, judged by the host the request reaches', () => {
      for (const url of ['https://evil.example/introspect', 'https://idp.example@evil.example/introspect', 'https://idp.example.evil.example/introspect']) {
        expectOptionsError(() => compile(definition({ url, allowedHosts: ['idp.example'] })), {
          code: 'LWT_INVALID_OPTION',
          path: path('url'),
          message: `${path('url')}: host is not on allowedHosts (idp.example)`,
        });
      }
    });

    it('refuses an issuer to discover from whose host is off the list, naming issuer', () => {
      expectOptionsError(() => compile({ kind: 'introspection', issuer: 'https://evil.example/realms/portal', clientAuth: { bearerToken }, allowedHosts: ['*.idp.example'] }), {
        code: 'LWT_INVALID_OPTION',
        path: path('issuer'),
        message: /host is not on allowedHosts \(\*\.idp\.example\)/,
      });
    });

    it('accepts hosts on the list', () => {
      expect(compile(definition({ allowedHosts: ['idp.example'] })).url?.href).toBe(endpoint);
      expect(compile({ kind: 'introspection', issuer: 'https://sso.idp.example/r', clientAuth: { bearerToken }, allowedHosts: ['*.idp.example'] }).discoveryUrl?.host).toBe('sso.idp.example');
    });

    it('refuses an entry that is no host name', () => {
      expectOptionsError(() => compile(definition({ allowedHosts: ['https://idp.example'] })), { code: 'LWT_INVALID_OPTION', path: path('allowedHosts[0]') });
    });
  });

  describe('other fields', () => {
    it.each<[string, Partial<IntrospectionCommandDefinition>, string]>([
      ['a scope with a space', { requiredScopes: ['portal.api', 'read write'] }, 'requiredScopes[1]'],
      ['a scope with a quote', { requiredScopes: ['read"'] }, 'requiredScopes[0]'],
      ['an empty audience', { audience: '' }, 'audience'],
      ['an empty audience list', { audience: [] }, 'audience'],
      ['an empty user claim', { userClaim: '' }, 'userClaim'],
      ['an unknown userClaimIs', { userClaimIs: 'upn' as never }, 'userClaimIs'],
      ['a clock tolerance over 60', { clockToleranceSeconds: 61 }, 'clockToleranceSeconds'],
      ['a negative clock tolerance', { clockToleranceSeconds: -1 }, 'clockToleranceSeconds'],
      ['a fractional clock tolerance', { clockToleranceSeconds: 1.5 }, 'clockToleranceSeconds'],
      ['an empty token type hint', { tokenTypeHint: '' }, 'tokenTypeHint'],
    ])('refuses %s', (_name, fields, field) => {
      expectOptionsError(() => compile(definition(fields)), { code: 'LWT_INVALID_OPTION', path: path(field) });
    });

    it('refuses unknown fields', () => {
      expectOptionsError(() => compile({ ...definition(), scopes: ['read'] }), { code: 'LWT_UNKNOWN_OPTION', path: path('scopes') });
      expectOptionsError(() => compile({ ...definition(), body: '{"token":"{bearerToken}"}' }), { code: 'LWT_UNKNOWN_OPTION', path: path('body') });
    });
  });

  describe('policy', () => {
    const base = definition({ issuer, requiredScopes: ['portal.api'], audience: 'portal' });
    const policyOf = (fields: Partial<IntrospectionCommandDefinition>) => compile({ ...base, ...fields }).policy;

    it('is the same for the same definition', () => {
      expect(policyOf({})).toBe(compile(structuredClone(base)).policy);
    });

    it.each<[string, Partial<IntrospectionCommandDefinition>]>([
      ['other requiredScopes', { requiredScopes: ['portal.admin'] }],
      ['no requiredScopes', { requiredScopes: [] }],
      ['another audience', { audience: 'other' }],
      ['no audience', { audience: undefined }],
      ['another userClaim', { userClaim: 'email' }],
      ['another userClaimIs', { userClaimIs: 'email' }],
      ['another issuer', { issuer: 'https://idp.example/realms/other' }],
      ['no issuer', { issuer: undefined }],
      ['another url', { url: 'https://idp.example/other/introspect' }],
      ['another clientId', { clientAuth: { clientId: 'portal-2', clientSecret } }],
      ['a bearer token instead of client credentials', { clientAuth: { bearerToken } }],
    ])('differs with %s', (_name, fields) => {
      expect(policyOf(fields)).not.toBe(policyOf({}));
    });

    // The answer's nbf is judged with this leeway: a verdict under one tolerance is no verdict under another.
    it('differs when clockToleranceSeconds differs, as it judges the answer', () => {
      expect(policyOf({ clockToleranceSeconds: 0 })).not.toBe(policyOf({ clockToleranceSeconds: 60 }));
    });

    it('never contains the client secret or the bearer token', () => {
      for (const clientAuth of [
        { clientId: 'portal', clientSecret },
        { clientId: 'portal', clientSecret, method: 'client_secret_post' as const },
        { bearerToken },
      ]) {
        const command = compile({ ...base, clientAuth });
        expect(leakedSecrets(command.policy)).toEqual([]);
        expect(command.policy).not.toContain(clientSecret);
        expect(command.policy).not.toContain(bearerToken);
        for (const value of Object.values(command.headers)) expect(command.policy).not.toContain(value.split(' ')[1]);
      }
    });
  });

  // The compiled credentials as a real authorization server (oidc-provider) receives them.
  describe('against a real authorization server', () => {
    let idp: TestIdentityProvider;

    beforeAll(async () => {
      idp = await startIdentityProvider();
    });
    afterAll(async () => {
      await idp?.close();
    });

    /** POSTs `token` to the introspection endpoint as the compiled command would. */
    async function introspect(command: CompiledIntrospectionCommand, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
      const response = await fetch(command.url!, {
        method: 'POST',
        headers: command.headers,
        body: `token=${encodeURIComponent(token)}${command.formTail}`,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    }

    it.each(['client_secret_basic', 'client_secret_post'] as const)('is accepted with %s, and a wrong secret is not', async (method) => {
      const url = `${idp.issuer}/token/introspection`;
      const { clientId, clientSecret: secret } = idp.introspectionClient;
      const { accessToken } = await idp.opaqueToken({ scope: 'read' });
      const accepted = await introspect(compile({ kind: 'introspection', url, issuer: idp.issuer, clientAuth: { clientId, clientSecret: secret, method } }), accessToken);
      expect(accepted).toEqual({ status: 200, body: expect.objectContaining({ active: true, sub: 'service-a', iss: idp.issuer }) });
      const wrong = recordSecret(`${secret}-wrong`);
      const refused = await introspect(compile({ kind: 'introspection', url, clientAuth: { clientId, clientSecret: wrong, method } }), accessToken);
      expect(refused.status).toBe(401);
      expect(refused.body).not.toHaveProperty('active');
    });
  });
});
