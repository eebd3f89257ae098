import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from './token-type-schema.js';

const curveOf: Partial<Record<AsymmetricAlgorithm, string>> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

/**
 * Reads a PEM private key (or takes a private `KeyObject`) and checks that it can sign with
 * `algorithm`: RSA for RS* and PS*, the named curve for ES*, Ed25519 for EdDSA. RSA-PSS and
 * Ed448 keys are refused: JWS verifiers (jose among them) cannot take them, so every token
 * signed with one would fail. Throws a `TypeError` saying what is wrong.
 */
export function parseSigningKey(source: string | KeyObject, algorithm: AsymmetricAlgorithm): KeyObject {
  let key: KeyObject;
  try {
    key = typeof source === 'string' ? createPrivateKey(source) : source;
  } catch {
    throw new TypeError('must be a PEM private key');
  }
  if (key.type !== 'private') throw new TypeError('must be a private key');
  const type = key.asymmetricKeyType;
  const fits = algorithm.startsWith('RS') || algorithm.startsWith('PS')
    ? type === 'rsa'
    : algorithm === 'EdDSA'
      ? type === 'ed25519'
      : type === 'ec' && key.asymmetricKeyDetails?.namedCurve === curveOf[algorithm];
  if (!fits) throw new TypeError(`is a ${type} key, which cannot sign ${algorithm}`);
  return key;
}
