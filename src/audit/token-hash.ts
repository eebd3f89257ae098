import { createHmac, randomBytes } from 'node:crypto';

/** Turns a token into the short, keyed hash that audit events carry instead of the token. */
export type TokenHasher = (token: string) => string;

/**
 * The first 12 hex digits of HMAC-SHA256(key, token). Keyed, so even a short token cannot be
 * recovered from an audit log by hashing guesses. Instances that share `key` produce the same
 * hash for the same token; without a key each process draws its own.
 */
export function createTokenHasher(key: string | Buffer = randomBytes(32)): TokenHasher {
  return (token) => createHmac('sha256', key).update(token).digest('hex').slice(0, 12);
}
