import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { clientIdsSchema, logonOptionsSchema, tokenTypesSchema, type LogonOptions } from '../src/logon/logon-options.js';
import { expectOptionsError } from './support/options-error.js';

/** `logon` as the factory validates it. */
const parse = (logon: LogonOptions<unknown>) => validateOptions(logonOptionsSchema, logon, 'login-with-token', ['logon']);
const senderKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();

describe('logonOptionsSchema', () => {
  it('fills in every default', () => {
    expect(parse({})).toEqual({
      tokenTypes: {},
      requireClientId: false,
      listTenantNames: true,
      maxSessionsPerUser: 100,
      onTooManySessions: 'refuse',
      connectionTimeoutSeconds: 600,
      connectionMaxAgeSeconds: 43_200,
      jwt: { algorithm: 'ES256', issuer: 'login-with-token', ttlSeconds: 300 },
    });
  });

  it('keeps the policy hooks as given', () => {
    const allowedIps = () => ['10.0.0.0/8'];
    const licence = () => ({ allowed: true }) as const;
    expect(parse({ allowedIps, licence })).toMatchObject({ allowedIps, licence });
  });

  it('refuses a hook that is not a function, such as a plain list of ranges', () => {
    expectOptionsError(() => parse({ allowedIps: ['10.0.0.0/8'] as never }), { code: 'LWT_INVALID_OPTION', path: 'logon.allowedIps' });
    expectOptionsError(() => parse({ licence: { allowed: true } as never }), { code: 'LWT_INVALID_OPTION', path: 'logon.licence' });
    expectOptionsError(() => parse({ twoStepVerification: 'Email' as never }), { code: 'LWT_INVALID_OPTION', path: 'logon.twoStepVerification' });
    expectOptionsError(() => parse({ absence: null as never }), { code: 'LWT_INVALID_OPTION', path: 'logon.absence' });
  });

  it('bounds maxSessionsPerUser, connectionTimeoutSeconds and connectionMaxAgeSeconds', () => {
    expect(parse({ maxSessionsPerUser: 100_000, connectionTimeoutSeconds: 86_400, connectionMaxAgeSeconds: 30 * 86_400 })).toMatchObject({ maxSessionsPerUser: 100_000 });
    for (const maxSessionsPerUser of [0, 100_001, 1.5]) expectOptionsError(() => parse({ maxSessionsPerUser }), { code: 'LWT_INVALID_OPTION', path: 'logon.maxSessionsPerUser' });
    expectOptionsError(() => parse({ connectionTimeoutSeconds: 86_401 }), { code: 'LWT_INVALID_OPTION', path: 'logon.connectionTimeoutSeconds' });
    expectOptionsError(() => parse({ connectionTimeoutSeconds: 0 }), { code: 'LWT_INVALID_OPTION', path: 'logon.connectionTimeoutSeconds' });
    expectOptionsError(() => parse({ connectionMaxAgeSeconds: 30 * 86_400 + 1 }), { code: 'LWT_INVALID_OPTION', path: 'logon.connectionMaxAgeSeconds' });
  });

  it('refuses a connection that may live shorter than its idle timeout', () => {
    expect(parse({ connectionTimeoutSeconds: 900, connectionMaxAgeSeconds: 900 }).connectionMaxAgeSeconds).toBe(900);
    expectOptionsError(() => parse({ connectionTimeoutSeconds: 900, connectionMaxAgeSeconds: 899 }), { code: 'LWT_INVALID_OPTION', path: 'logon.connectionMaxAgeSeconds' });
    // The default idle timeout (600) counts too.
    expectOptionsError(() => parse({ connectionMaxAgeSeconds: 300 }), { code: 'LWT_INVALID_OPTION', path: 'logon.connectionMaxAgeSeconds' });
  });

  it('takes only refuse or end-oldest for onTooManySessions', () => {
    expect(parse({ onTooManySessions: 'end-oldest' }).onTooManySessions).toBe('end-oldest');
    expectOptionsError(() => parse({ onTooManySessions: 'drop-newest' as never }), { code: 'LWT_INVALID_OPTION', path: 'logon.onTooManySessions' });
  });

  it('checks logon.jwt with its own schema, under its path', () => {
    expectOptionsError(() => parse({ jwt: { ttlSeconds: 7200 } }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.ttlSeconds' });
    expectOptionsError(() => parse({ jwt: { algorithm: 'RS256' } }), { code: 'LWT_MISSING_OPTION', path: 'logon.jwt.privateKey' });
  });

  it('names a misspelt option', () => {
    expectOptionsError(() => parse({ maxSessionPerUser: 5 } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'logon.maxSessionPerUser' });
  });
});

describe('tokenTypesSchema', () => {
  it('accepts visible-ASCII names such as GUID profile ids, and parses each type', () => {
    const parsed = tokenTypesSchema.parse({ apitoken: { kind: 'apitoken' }, 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6': { kind: 'signed-sender', keys: [senderKey] } });
    expect(Object.keys(parsed)).toEqual(['apitoken', 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6']);
    expect(parsed['BE38C39F-E32F-4EF3-AAA6-D5331624D4A6']).toMatchObject({ kind: 'signed-sender', version: '1.0', maxLifetimeSeconds: 300 });
  });

  it('refuses empty names, names with spaces or control characters, and overlong ones', () => {
    for (const name of ['', 'api token', 'api\ntoken', 'api\u0000', 'x'.repeat(257)]) {
      expect(tokenTypesSchema.safeParse({ [name]: { kind: 'apitoken' } }).success).toBe(false);
    }
    expect(tokenTypesSchema.safeParse({ ['x'.repeat(256)]: { kind: 'apitoken' } }).success).toBe(true);
  });

  it('refuses alg none and HMAC algorithms in a type, under the type’s path', () => {
    for (const alg of ['none', 'HS256']) {
      expectOptionsError(() => parse({ tokenTypes: { InfoShareToken: { kind: 'signed-sender', keys: [senderKey], algorithms: [alg as never] } } }), {
        code: 'LWT_INVALID_OPTION',
        path: 'logon.tokenTypes.InfoShareToken.algorithms[0]',
      });
    }
  });

  it('refuses a kind it does not know', () => {
    expectOptionsError(() => parse({ tokenTypes: { saml: { kind: 'saml' } as never } }), { code: 'LWT_INVALID_OPTION', path: 'logon.tokenTypes.saml.kind' });
  });
});

describe('clientIdsSchema', () => {
  it('takes a non-empty list of 1–256 character ids', () => {
    expect(clientIdsSchema.parse(['portal-app', 'x'.repeat(256)])).toHaveLength(2);
    expectOptionsError(() => parse({ clientIds: [] }), { code: 'LWT_INVALID_OPTION', path: 'logon.clientIds' });
    expectOptionsError(() => parse({ clientIds: ['portal-app', ''] }), { code: 'LWT_INVALID_OPTION', path: 'logon.clientIds[1]' });
    expectOptionsError(() => parse({ clientIds: ['x'.repeat(257)] }), { code: 'LWT_INVALID_OPTION', path: 'logon.clientIds[0]' });
  });
});
