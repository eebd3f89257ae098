import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSigningKey } from '../src/config/signing-key.js';
import type { AsymmetricAlgorithm } from '../src/config/token-type-schema.js';
import { recordSecret } from './support/secrets.js';

const privatePem = (key: KeyObject) => recordSecret(key.export({ format: 'pem', type: 'pkcs8' }).toString());

const keys = {
  rsa: privatePem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey),
  rsaPss: privatePem(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey),
  p256: privatePem(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
  p384: privatePem(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey),
  p521: privatePem(generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey),
  secp256k1: privatePem(generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey),
  ed25519: privatePem(generateKeyPairSync('ed25519').privateKey),
  ed448: privatePem(generateKeyPairSync('ed448').privateKey),
  x25519: privatePem(generateKeyPairSync('x25519').privateKey),
};

describe('parseSigningKey', () => {
  it.each<[keyof typeof keys, AsymmetricAlgorithm[]]>([
    ['rsa', ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']],
    ['p256', ['ES256']],
    ['p384', ['ES384']],
    ['p521', ['ES512']],
    ['ed25519', ['EdDSA']],
  ])('returns a %s key as a private KeyObject for the algorithms it can sign', (name, algorithms) => {
    for (const algorithm of algorithms) {
      const key = parseSigningKey(keys[name], algorithm);
      expect(key.type).toBe('private');
      expect(createPublicKey(key).export({ format: 'der', type: 'spki' })).toEqual(createPublicKey(keys[name]).export({ format: 'der', type: 'spki' }));
    }
  });

  it.each<[keyof typeof keys, AsymmetricAlgorithm]>([
    ['rsaPss', 'RS256'],
    // Keys a JWS verifier cannot take: every token signed with them would fail.
    ['rsaPss', 'PS256'],
    ['ed448', 'EdDSA'],
    ['p256', 'RS256'],
    ['p256', 'ES384'],
    ['p384', 'ES256'],
    ['p521', 'ES384'],
    ['secp256k1', 'ES256'],
    ['ed25519', 'ES256'],
    ['rsa', 'EdDSA'],
    ['x25519', 'EdDSA'],
  ])('refuses a %s key for %s, naming the key type but not the key', (name, algorithm) => {
    let thrown: unknown;
    try {
      parseSigningKey(keys[name], algorithm);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect((thrown as Error).message).toMatch(new RegExp(`^is a [a-z0-9-]+ key, which cannot sign ${algorithm}$`));
  });

  it('refuses a public key, an encrypted private key and other text as not a PEM private key', () => {
    const publicPem = createPublicKey(keys.p256).export({ format: 'pem', type: 'spki' }).toString();
    const encrypted = recordSecret(
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: recordSecret('key-passphrase-5d1e') }).toString(),
    );
    for (const pem of [publicPem, 'not a key', encrypted]) expect(() => parseSigningKey(pem, 'ES256')).toThrow(new TypeError('must be a PEM private key'));
  });
});

describe('parseSigningKey and keys no verifier takes', () => {
  it('refuses RSA-PSS and Ed448 keys, whose tokens jose cannot verify', () => {
    const pss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey;
    const ed448 = generateKeyPairSync('ed448').privateKey;
    expect(() => parseSigningKey(pss, 'PS256')).toThrow(TypeError);
    expect(() => parseSigningKey(pss.export({ format: 'pem', type: 'pkcs8' }).toString(), 'PS256')).toThrow(TypeError);
    expect(() => parseSigningKey(ed448, 'EdDSA')).toThrow(TypeError);
  });

  it('takes a private KeyObject, and refuses a public one', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(parseSigningKey(pair.privateKey, 'ES256')).toBe(pair.privateKey);
    expect(() => parseSigningKey(pair.publicKey, 'ES256')).toThrow(new TypeError('must be a private key'));
  });
});
