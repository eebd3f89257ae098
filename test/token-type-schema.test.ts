import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiTokenTypeSchema,
  asymmetricAlgorithms,
  jwtProfileSchema,
  keyDiscoveryUrl,
  profileIssuers,
  signedSenderTypeSchema,
  tokenTypeSchema,
  type ParsedJwtProfile,
} from '../src/config/token-type-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { expectOptionsError } from './support/options-error.js';
import { selfSignedCertificate } from './support/keys.js';
import { recordSecret } from './support/secrets.js';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = pair.publicKey.export({ format: 'pem', type: 'spki' }).toString();
const privatePem = recordSecret(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
const spki = (key: { export(options: { format: 'der'; type: 'spki' }): Buffer }) => key.export({ format: 'der', type: 'spki' });

/** Parses a token type as the options do, under `logon.tokenTypes.T`. */
const parse = (value: unknown) => validateOptions(tokenTypeSchema, value, 'login-with-token', ['logon', 'tokenTypes', 'T']);
const at = (field: string) => `logon.tokenTypes.T.${field}`;
const profile = { kind: 'jwt', issuer: 'https://idp.example/', audience: 'portal' } as const;

let certificate: string;
beforeAll(async () => {
  const made = await selfSignedCertificate({ key: 'ec' });
  recordSecret(made.privateKey);
  certificate = made.certificate;
});

describe('asymmetricAlgorithms', () => {
  it('holds no "none" and no HMAC algorithm', () => {
    expect(asymmetricAlgorithms.filter((algorithm) => /^(none|HS\d+)$/i.test(algorithm))).toEqual([]);
    expect(asymmetricAlgorithms).toEqual(expect.arrayContaining(['RS256', 'PS256', 'ES256', 'EdDSA']));
  });
});

describe('tokenTypeSchema', () => {
  it('chooses the schema by kind, and refuses an unknown kind at kind', () => {
    expect(parse({ kind: 'apitoken' })).toEqual({ kind: 'apitoken' });
    expect(parse({ kind: 'signed-sender', keys: [publicPem] }).kind).toBe('signed-sender');
    expect(parse({ ...profile, keys: [publicPem] }).kind).toBe('jwt');
    expectOptionsError(() => parse({ kind: 'hmac', keys: [publicPem] }), { code: 'LWT_INVALID_OPTION', path: at('kind') });
  });

  it('refuses a field of another kind as unknown', () => {
    expectOptionsError(() => parse({ ...profile, keys: [publicPem], maxLifetimeSeconds: 60 }), { code: 'LWT_UNKNOWN_OPTION', path: at('maxLifetimeSeconds') });
  });
});

describe('apiTokenTypeSchema', () => {
  it('takes nothing but its kind', () => {
    expect(apiTokenTypeSchema.parse({ kind: 'apitoken' })).toEqual({ kind: 'apitoken' });
    expectOptionsError(() => parse({ kind: 'apitoken', keys: [publicPem] }), { code: 'LWT_UNKNOWN_OPTION', path: at('keys') });
  });
});

describe('signedSenderTypeSchema', () => {
  it('fills every default and leaves requireAudience to the tenant count', () => {
    expect(signedSenderTypeSchema.parse({ kind: 'signed-sender', keys: [publicPem] })).toEqual({
      kind: 'signed-sender',
      keys: [{ key: expect.anything() }],
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      version: '1.0',
      maxLifetimeSeconds: 300,
      identity: { contactId: 'ContactId', contactEmail: 'ContactEmail' },
    });
  });

  it('parses each key once: certificates with their validity, PEM keys and JWKs', () => {
    const parsed = signedSenderTypeSchema.parse({ kind: 'signed-sender', keys: [certificate, publicPem, pair.publicKey.export({ format: 'jwk' })] });
    expect(parsed.keys[0]).toEqual({ key: expect.anything(), validFrom: expect.any(Number), validTo: expect.any(Number) });
    expect(spki(parsed.keys[1]!.key)).toEqual(spki(pair.publicKey));
    expect(spki(parsed.keys[2]!.key)).toEqual(spki(createPublicKey(privatePem)));
  });

  it('needs at least one key', () => {
    expectOptionsError(() => parse({ kind: 'signed-sender', keys: [] }), { code: 'LWT_INVALID_OPTION', path: at('keys') });
    expectOptionsError(() => parse({ kind: 'signed-sender' }), { code: 'LWT_MISSING_OPTION', path: at('keys') });
  });

  it('refuses a private key among the keys at its index, without repeating it', () => {
    const error = expectOptionsError(() => parse({ kind: 'signed-sender', keys: [publicPem, privatePem] }), { code: 'LWT_INVALID_OPTION', path: at('keys[1]') });
    expect(error.message).not.toContain(privatePem.split('\n')[1]);
  });

  it('refuses "none", HMAC and an empty algorithm list, so a public key never acts as a shared secret', () => {
    for (const algorithm of ['none', 'HS256']) {
      expectOptionsError(() => parse({ kind: 'signed-sender', keys: [publicPem], algorithms: ['ES256', algorithm] }), { code: 'LWT_INVALID_OPTION', path: at('algorithms[1]') });
    }
    expectOptionsError(() => parse({ kind: 'signed-sender', keys: [publicPem], algorithms: [] }), { code: 'LWT_INVALID_OPTION', path: at('algorithms') });
  });

  it('bounds maxLifetimeSeconds to one day', () => {
    expect(parse({ kind: 'signed-sender', keys: [publicPem], maxLifetimeSeconds: 86_400 })).toMatchObject({ maxLifetimeSeconds: 86_400 });
    for (const maxLifetimeSeconds of [0, 86_401, 1.5]) {
      expectOptionsError(() => parse({ kind: 'signed-sender', keys: [publicPem], maxLifetimeSeconds }), { code: 'LWT_INVALID_OPTION', path: at('maxLifetimeSeconds') });
    }
  });
});

describe('jwtProfileSchema', () => {
  it('fills every default', () => {
    expect(jwtProfileSchema.parse({ ...profile, jwksUrl: 'https://idp.example/keys' })).toEqual({
      ...profile,
      jwksUrl: 'https://idp.example/keys',
      jwksCooldownMs: 30_000,
      jwksTimeoutMs: 5_000,
      jwksMaxAgeMs: 600_000,
      algorithms: ['RS256'],
      clockToleranceSeconds: 30,
      maxTokenAgeSeconds: 86_400,
      userClaim: 'upn',
      userClaimIs: 'email',
      requiredScopes: [],
      requiredClaims: {},
    });
  });

  it('without jwksUrl or keys, discovers the keys from one issuer URL, or is told where by discoveryUrl', () => {
    expect(keyDiscoveryUrl(parse(profile) as ParsedJwtProfile)?.href).toBe(`${profile.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    expect(keyDiscoveryUrl(parse({ ...profile, keys: [] }) as ParsedJwtProfile)).toBeDefined();
    const told = parse({ ...profile, discoveryUrl: 'https://login.example/tid/.well-known/openid-configuration' }) as ParsedJwtProfile;
    expect(keyDiscoveryUrl(told)?.href).toBe('https://login.example/tid/.well-known/openid-configuration');
    expect(keyDiscoveryUrl(parse({ ...profile, keys: [publicPem] }) as ParsedJwtProfile)).toBeUndefined();
    expect(keyDiscoveryUrl(parse({ ...profile, jwksUrl: 'https://idp.example/keys' }) as ParsedJwtProfile)).toBeUndefined();
  });

  it('lists the issuers a profile accepts, whether it names one or several', () => {
    expect(profileIssuers(parse({ ...profile, keys: [publicPem] }) as ParsedJwtProfile)).toEqual(['https://idp.example/']);
    expect(profileIssuers(parse({ ...profile, issuer: ['https://a.example/', 'https://b.example/'], keys: [publicPem] }) as ParsedJwtProfile)).toEqual(['https://a.example/', 'https://b.example/']);
  });

  it('refuses to discover from several issuers, an issuer that is no https URL, or one with a query', () => {
    expectOptionsError(() => parse({ ...profile, issuer: ['https://a.example/', 'https://b.example/'] }), { code: 'LWT_INVALID_OPTION', path: at('issuer') });
    expectOptionsError(() => parse({ ...profile, issuer: 'urn:idp' }), { code: 'LWT_INVALID_OPTION', path: at('issuer') });
    expectOptionsError(() => parse({ ...profile, issuer: 'http://idp.example/' }), { code: 'LWT_INVALID_OPTION', path: at('issuer') });
    expectOptionsError(() => parse({ ...profile, issuer: 'https://idp.example/?tenant=a' }), { code: 'LWT_INVALID_OPTION', path: at('issuer') });
    expectOptionsError(() => parse({ ...profile, jwksUrl: 'https://idp.example/keys', discoveryUrl: 'https://idp.example/d' }), { code: 'LWT_INVALID_OPTION', path: at('discoveryUrl') });
  });

  it('takes an http JWKS URL only on loopback', () => {
    for (const jwksUrl of ['http://localhost:8080/keys', 'http://127.0.0.1/keys', 'http://[::1]:9000/keys']) expect(parse({ ...profile, jwksUrl })).toMatchObject({ jwksUrl });
  });

  it('refuses plain http to any other host, including ones named like loopback', () => {
    for (const jwksUrl of ['http://idp.example/keys', 'http://127.0.0.1.attacker.example/keys', 'http://localhost.attacker.example/keys', 'http://10.0.0.1/keys']) {
      expectOptionsError(() => parse({ ...profile, jwksUrl }), { code: 'LWT_INVALID_OPTION', path: at('jwksUrl') });
    }
  });

  it('refuses a JWKS URL that is no URL with an options error, not a crash', () => {
    for (const jwksUrl of ['idp.example/keys', '/keys', '']) {
      expectOptionsError(() => parse({ ...profile, jwksUrl }), { code: 'LWT_INVALID_OPTION', path: at('jwksUrl') });
    }
  });

  it('refuses a JWKS URL of another scheme', () => {
    for (const jwksUrl of ['ftp://idp.example/keys', 'file:///etc/keys.json']) {
      expectOptionsError(() => parse({ ...profile, jwksUrl }), { code: 'LWT_INVALID_OPTION', path: at('jwksUrl') });
    }
  });

  it('refuses a jwksMaxAgeMs shorter than jwksCooldownMs', () => {
    expect(parse({ ...profile, keys: [publicPem], jwksCooldownMs: 5_000, jwksMaxAgeMs: 5_000 })).toMatchObject({ jwksMaxAgeMs: 5_000 });
    expectOptionsError(() => parse({ ...profile, keys: [publicPem], jwksCooldownMs: 5_000, jwksMaxAgeMs: 4_999 }), { code: 'LWT_INVALID_OPTION', path: at('jwksMaxAgeMs') });
  });

  it.each([
    ['jwksCooldownMs', 999],
    ['jwksCooldownMs', 600_001],
    ['jwksTimeoutMs', 99],
    ['jwksTimeoutMs', 60_001],
    ['jwksMaxAgeMs', 86_400_001],
    ['clockToleranceSeconds', 61],
    ['clockToleranceSeconds', -1],
    ['maxTokenAgeSeconds', 0],
    ['maxTokenAgeSeconds', 30 * 86_400 + 1],
  ])('refuses %s of %d', (field, value) => {
    expectOptionsError(() => parse({ ...profile, keys: [publicPem], [field]: value }), { code: 'LWT_INVALID_OPTION', path: at(field) });
  });

  it('refuses an empty issuer or audience, alone or in a list', () => {
    for (const issuer of ['', []]) expectOptionsError(() => parse({ ...profile, issuer, keys: [publicPem] }), { code: 'LWT_INVALID_OPTION', path: at('issuer') });
    expectOptionsError(() => parse({ ...profile, issuer: ['https://idp.example/', ''], keys: [publicPem] }), { code: 'LWT_INVALID_OPTION', path: at('issuer[1]') });
    expectOptionsError(() => parse({ ...profile, audience: [], keys: [publicPem] }), { code: 'LWT_INVALID_OPTION', path: at('audience') });
  });

  it('refuses HMAC and "none" here too', () => {
    expectOptionsError(() => parse({ ...profile, keys: [publicPem], algorithms: ['HS512'] }), { code: 'LWT_INVALID_OPTION', path: at('algorithms[0]') });
    expectOptionsError(() => parse({ ...profile, keys: [publicPem], algorithms: ['none'] }), { code: 'LWT_INVALID_OPTION', path: at('algorithms[0]') });
  });
});
