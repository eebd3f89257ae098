import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseVerificationKey } from '../src/config/verification-key.js';
import { selfSignedCertificate } from './support/keys.js';
import { recordSecret } from './support/secrets.js';

const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = (key: { export(options: { format: 'der'; type: 'spki' }): Buffer }) => key.export({ format: 'der', type: 'spki' });

let certificate: { certificate: string; privateKey: string };
beforeAll(async () => {
  certificate = await selfSignedCertificate({ key: 'ec', days: 3 });
  recordSecret(certificate.privateKey);
});

describe('parseVerificationKey', () => {
  it('reads an X.509 certificate with its validity period', () => {
    const before = Date.now();
    const parsed = parseVerificationKey(certificate.certificate);
    expect(parsed.key.type).toBe('public');
    expect(spki(parsed.key)).toEqual(spki(createPublicKey(certificate.privateKey)));
    expect(parsed.validFrom).toBeGreaterThan(before - 60_000);
    expect(parsed.validFrom).toBeLessThanOrEqual(Date.now());
    expect(parsed.validTo! - parsed.validFrom!).toBe(3 * 86_400_000);
  });

  it('reads a PEM public key and a public JWK as the same key, without a validity period', () => {
    const fromPem = parseVerificationKey(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString());
    const fromJwk = parseVerificationKey(pair.publicKey.export({ format: 'jwk' }));
    expect(fromPem).toEqual({ key: expect.anything() });
    expect(fromJwk).toEqual({ key: expect.anything() });
    expect(spki(fromPem.key)).toEqual(spki(pair.publicKey));
    expect(spki(fromJwk.key)).toEqual(spki(pair.publicKey));
  });

  it('refuses a PEM private key in every common encoding, without repeating it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const pems = [
      pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      pair.privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
      rsa.export({ format: 'pem', type: 'pkcs1' }).toString(),
      rsa.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: recordSecret('key-passphrase-0b7c') }).toString(),
      certificate.privateKey,
    ].map(recordSecret);
    for (const pem of pems) expect(() => parseVerificationKey(pem)).toThrow(new TypeError('is a private key; configure the public key or certificate'));
  });

  it('refuses a private JWK, whose public half would otherwise be taken quietly', () => {
    for (const key of [pair.privateKey, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey, generateKeyPairSync('ed25519').privateKey]) {
      const jwk = key.export({ format: 'jwk' });
      recordSecret(String(jwk.d));
      expect(() => parseVerificationKey(jwk as Record<string, unknown>)).toThrow(new TypeError('is a private key; configure the public key or certificate'));
    }
  });

  it('refuses a symmetric secret as a JWK, so an HMAC key can never verify a token', () => {
    const k = recordSecret(Buffer.from('shared-hmac-secret-3f9a').toString('base64url'));
    expect(() => parseVerificationKey({ kty: 'oct', k })).toThrow(new TypeError('must be a PEM certificate, a PEM public key or a public JWK'));
  });

  it('refuses a broken certificate and text that is no key', () => {
    const broken = certificate.certificate.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!');
    expect(() => parseVerificationKey(broken)).toThrow(new TypeError('is not a readable X.509 certificate'));
    expect(() => parseVerificationKey('partner.example')).toThrow(new TypeError('must be a PEM certificate, a PEM public key or a public JWK'));
    expect(() => parseVerificationKey({ kty: 'EC', crv: 'P-256' })).toThrow(TypeError);
  });
});

describe('parseVerificationKey and keys no verifier takes', () => {
  it('refuses RSA-PSS and Ed448 public keys, which would fail every token', () => {
    for (const type of ['rsa-pss', 'ed448'] as const) {
      const pair = type === 'rsa-pss' ? generateKeyPairSync('rsa-pss', { modulusLength: 2048 }) : generateKeyPairSync('ed448');
      expect(() => parseVerificationKey(pair.publicKey.export({ format: 'pem', type: 'spki' }).toString()), type).toThrow(TypeError);
    }
    expect(() => parseVerificationKey(generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' }) as Record<string, unknown>)).toThrow(TypeError);
  });

  it('takes an Ed25519 key', () => {
    const pem = generateKeyPairSync('ed25519').publicKey.export({ format: 'pem', type: 'spki' }).toString();
    expect(parseVerificationKey(pem).key.asymmetricKeyType).toBe('ed25519');
  });
});
