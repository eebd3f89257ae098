import { readUnverifiedJwt } from '../crypto/unverified-jwt.js';
import { LoginError } from '../errors/login-error.js';

/**
 * Refuses a token whose `alg` header is not on `allowed` (10064) before any key is tried; a
 * token that is not a JWS at all fails with `malformed`. The `alg` is attacker-chosen, so only a
 * sanitised form of it reaches the audit reason.
 */
export function requireAllowedAlgorithm(token: string, allowed: ReadonlySet<string>, malformed: () => LoginError): void {
  const jwt = readUnverifiedJwt(token);
  if (jwt === undefined) throw malformed();
  const algorithm = jwt.header['alg'];
  if (typeof algorithm !== 'string' || !allowed.has(algorithm)) {
    throw new LoginError('hash_algorithm', { reason: `algorithm ${describeAlgorithm(algorithm)} is not allowed` });
  }
}

function describeAlgorithm(algorithm: unknown): string {
  return typeof algorithm === 'string' ? algorithm.replace(/[^A-Za-z0-9]/g, '').slice(0, 20) || '(empty)' : `(${typeof algorithm})`;
}
