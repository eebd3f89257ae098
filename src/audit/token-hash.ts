import { createHash } from 'node:crypto';

/** The first 12 hex digits of the token's SHA-256: enough to correlate logs, useless to replay. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex').slice(0, 12);
}
