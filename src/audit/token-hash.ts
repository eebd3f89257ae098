import { createHmac, randomBytes } from 'node:crypto';

/** Turns a token into the short, keyed hash that audit events carry instead of the token. */
export type TokenHasher = (token: string) => string;

/** Turns names (usernames, access-token identifiers) into keyed store keys. */
export type NameHasher = (...parts: string[]) => string;

/** The keyed hashes of one portal. */
export interface KeyedHashes {
  readonly tokenHash: TokenHasher;
  readonly nameKey: NameHasher;
}

/**
 * HMAC-SHA256 under one key, so neither short tokens in audit logs nor usernames in a store dump
 * can be recovered by hashing guesses. Instances that share `key` produce the same values (and
 * count the same names); without a key each process draws its own.
 *
 * - `tokenHash`: the first 12 hex digits, for audit events.
 * - `nameKey`: 128 bits, base64url, for rate-limit counters.
 */
export function createKeyedHashes(key: string | Buffer = randomBytes(32)): KeyedHashes {
  const hash = (parts: readonly string[]) => {
    const hmac = createHmac('sha256', key);
    parts.forEach((part, index) => hmac.update(index === 0 ? part : `\u0000${part}`));
    return hmac;
  };
  return {
    tokenHash: (token) => hash(['token', token]).digest('hex').slice(0, 12),
    nameKey: (...parts) => hash(['name', ...parts]).digest('base64url').slice(0, 22),
  };
}
