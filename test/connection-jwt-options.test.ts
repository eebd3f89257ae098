import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { validateOptions } from '../src/config/validate-options.js';
import { connectionJwtOptionsSchema, type ConnectionJwtOptions } from '../src/logon/connection-jwt-options.js';
import { expectOptionsError } from './support/options-error.js';
import { recordSecret } from './support/secrets.js';

/** `logon.jwt` as the factory validates it. */
const parse = (jwt: ConnectionJwtOptions) => validateOptions(connectionJwtOptionsSchema, jwt, 'login-with-token', ['logon', 'jwt']);
const pem = (pair: { privateKey: { export(options: { format: 'pem'; type: 'pkcs8' }): string | Buffer } }) =>
  recordSecret(pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());

const rsa = pem(generateKeyPairSync('rsa', { modulusLength: 2048 }));
const p256 = pem(generateKeyPairSync('ec', { namedCurve: 'P-256' }));
const p384 = pem(generateKeyPairSync('ec', { namedCurve: 'P-384' }));
const ed25519 = pem(generateKeyPairSync('ed25519'));

describe('connectionJwtOptionsSchema', () => {
  it('fills in ES256 with a per-process key, issuer login-with-token and 300 s', () => {
    expect(parse({})).toEqual({ algorithm: 'ES256', issuer: 'login-with-token', ttlSeconds: 300 });
  });

  it('accepts a private key that fits its algorithm', () => {
    expect(parse({ algorithm: 'RS256', privateKey: rsa }).algorithm).toBe('RS256');
    expect(parse({ algorithm: 'PS512', privateKey: rsa }).algorithm).toBe('PS512');
    expect(parse({ privateKey: p256 }).algorithm).toBe('ES256');
    expect(parse({ algorithm: 'ES384', privateKey: p384 }).algorithm).toBe('ES384');
    expect(parse({ algorithm: 'EdDSA', privateKey: ed25519, keyId: 'portal-2026' }).keyId).toBe('portal-2026');
  });

  it('requires privateKey for any algorithm but ES256', () => {
    for (const algorithm of ['RS256', 'PS256', 'ES384', 'EdDSA'] as const) {
      expectOptionsError(() => parse({ algorithm }), { code: 'LWT_MISSING_OPTION', path: 'logon.jwt.privateKey' });
    }
  });

  it('refuses a key that cannot sign the algorithm', () => {
    for (const [algorithm, privateKey] of [['ES256', rsa], ['ES256', p384], ['RS256', p256], ['EdDSA', rsa], ['PS256', ed25519]] as const) {
      expectOptionsError(() => parse({ algorithm, privateKey }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.privateKey' });
    }
  });

  it('refuses what is not a private key, without quoting it', () => {
    const publicPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const error = expectOptionsError(() => parse({ privateKey: recordSecret('-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----') }), {
      code: 'LWT_INVALID_OPTION',
      path: 'logon.jwt.privateKey',
    });
    expect(error.message).not.toContain('bm90IGEga2V5');
    expectOptionsError(() => parse({ privateKey: publicPem }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.privateKey' });
    const mismatch = expectOptionsError(() => parse({ algorithm: 'RS256', privateKey: p256 }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.privateKey' });
    expect(mismatch.message).not.toContain(p256.split('\n')[1]!);
  });

  it('refuses symmetric and unsigned algorithms', () => {
    for (const algorithm of ['HS256', 'none', 'es256']) {
      expectOptionsError(() => parse({ algorithm: algorithm as never, privateKey: p256 }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.algorithm' });
    }
  });

  it('bounds ttlSeconds to whole seconds from 1 to 3600', () => {
    expect(parse({ ttlSeconds: 3600 }).ttlSeconds).toBe(3600);
    for (const ttlSeconds of [0, -1, 1.5, 3601]) expectOptionsError(() => parse({ ttlSeconds }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.ttlSeconds' });
  });

  it('takes a keyId of 1–128 visible ASCII characters only, so it cannot break the header', () => {
    expect(parse({ keyId: '!'.repeat(128) }).keyId).toHaveLength(128);
    for (const keyId of ['', 'a'.repeat(129), 'key 1', 'key\n1', 'key\u00001', 'schlüssel']) {
      expectOptionsError(() => parse({ keyId }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.keyId' });
    }
  });

  it('refuses an empty issuer and names a misspelt option', () => {
    expectOptionsError(() => parse({ issuer: '' }), { code: 'LWT_INVALID_OPTION', path: 'logon.jwt.issuer' });
    expectOptionsError(() => parse({ ttl: 60 } as never), { code: 'LWT_UNKNOWN_OPTION', path: 'logon.jwt.ttl' });
  });
});

describe('logon.jwt.privateKey and keys no verifier takes', () => {
  it('refuses an Ed448 key for EdDSA and an RSA-PSS key for PS256', () => {
    const ed448 = recordSecret(generateKeyPairSync('ed448').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    const pss = recordSecret(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    expectOptionsError(() => validateOptions(connectionJwtOptionsSchema, { algorithm: 'EdDSA', privateKey: ed448 }, 'test', ['logon', 'jwt']), {
      code: 'LWT_INVALID_OPTION',
      path: 'logon.jwt.privateKey',
    });
    expectOptionsError(() => validateOptions(connectionJwtOptionsSchema, { algorithm: 'PS256', privateKey: pss }, 'test', ['logon', 'jwt']), {
      code: 'LWT_INVALID_OPTION',
      path: 'logon.jwt.privateKey',
    });
  });
});
