import { hash } from 'node:crypto';

/**
 * A store key for a secret: SHA-256 over the parts, base64url (43 characters). Stores only ever
 * see this, never the token, password or pass code itself. The one-shot `crypto.hash` and the
 * unsliced digest keep it cheap in time and in memory (a sliced key would pin the full string).
 */
export function secretHash(...parts: readonly string[]): string {
  return hash('sha256', parts.length === 1 ? parts[0]! : parts.join('\u0000'), 'base64url');
}
