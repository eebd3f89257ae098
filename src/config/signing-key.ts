import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from './token-type-schema.js';

const curveOf: Partial<Record<AsymmetricAlgorithm, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/** Reads a PEM private key and checks that it can sign with `algorithm`; throws a `TypeError` otherwise. */
export function parseSigningKey(pem: string, algorithm: AsymmetricAlgorithm): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new TypeError('must be a PEM private key');
  }
  const type = key.asymmetricKeyType;
  const fits = algorithm.startsWith('RS')
    ? type === 'rsa'
    : algorithm.startsWith('PS')
      ? type === 'rsa' || type === 'rsa-pss'
      : algorithm === 'EdDSA'
        ? type === 'ed25519' || type === 'ed448'
        : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === curveOf[algorithm];
  if (!fits) throw new TypeError(`is a ${type} key, which cannot sign ${algorithm}`);
  return key;
}
