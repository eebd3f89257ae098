import { randomBytes } from 'node:crypto';

/** Every API token starts with this. */
export const apiTokenPrefix = 'lwta_';

/** A new API token secret: the prefix and 256 bits from the CSPRNG. */
export function mintApiTokenSecret(): string {
  return apiTokenPrefix + randomBytes(32).toString('base64url');
}

/** A new public API token id. */
export function mintApiTokenId(): string {
  return `at_${randomBytes(9).toString('base64url')}`;
}

