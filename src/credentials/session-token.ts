import { randomBytes } from 'node:crypto';

/** Every session token starts with this, so the bearer check knows it is ours (and scanners can find leaked ones). */
export const sessionTokenPrefix = 'lwts_';

/** A new session token: the prefix and 256 bits from the CSPRNG, base64url. Opaque, no personal data. */
export function mintSessionToken(): string {
  return sessionTokenPrefix + randomBytes(32).toString('base64url');
}

