import { createHash } from 'node:crypto';

/**
 * A store key for a secret: 128 bits of SHA-256 over the parts, base64url (22 characters).
 * Stores only ever see this, never the token, password or pass code itself.
 */
export function secretHash(...parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (let i = 0; i < parts.length; i++) {
    if (i > 0) hash.update('\u0000');
    hash.update(parts[i]!);
  }
  return hash.digest('base64url').slice(0, 22);
}
