import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

/** A public key to verify signatures with, and the certificate it came from (if any). */
export interface VerificationKey {
  readonly key: KeyObject;
  /** Certificate validity, when the key came from an X.509 certificate. */
  readonly validFrom?: number;
  readonly validTo?: number;
}

/**
 * Reads an X.509 certificate or SPKI public key (PEM), or a public JWK, of an RSA, EC or
 * Ed25519 key. Throws a `TypeError` for anything else, including private keys and symmetric
 * secrets (a verifier needs no secret) and key types no JWS verifier takes (RSA-PSS, Ed448).
 */
export function parseVerificationKey(source: string | Record<string, unknown>): VerificationKey {
  if (typeof source === 'string' && source.includes('-----BEGIN CERTIFICATE-----')) {
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(source);
    } catch {
      throw new TypeError('is not a readable X.509 certificate');
    }
    return {
      key: usable(certificate.publicKey),
      validFrom: Date.parse(certificate.validFrom),
      validTo: Date.parse(certificate.validTo),
    };
  }
  // createPublicKey would quietly take the public half of a private PEM key or JWK: refuse them,
  // so a private key never sits in the configuration unnoticed.
  if (typeof source === 'string' ? /-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.test(source) : Object.hasOwn(source, 'd')) {
    throw new TypeError('is a private key; configure the public key or certificate');
  }
  let key: KeyObject;
  try {
    key = typeof source === 'string' ? createPublicKey(source) : createPublicKey({ key: source as never, format: 'jwk' });
  } catch {
    throw new TypeError('must be a PEM certificate, a PEM public key or a public JWK');
  }
  if (key.type !== 'public') throw new TypeError('must be a public key');
  return { key: usable(key) };
}

/** Key types JWS verification cannot use (jose refuses RSA-PSS and Ed448 keys): every token would fail. */
const unusable = new Set(['rsa-pss', 'ed448', 'x25519', 'x448', 'dh', 'dsa']);

function usable(key: KeyObject): KeyObject {
  if (unusable.has(key.asymmetricKeyType ?? '')) throw new TypeError(`is a ${key.asymmetricKeyType} key, which cannot verify a JWS; use an RSA, EC or Ed25519 key`);
  return key;
}
