import { describe, expect, it } from 'vitest';
import { apiTokenPrefix, mintApiTokenId, mintApiTokenSecret } from '../src/api-tokens/api-token-secret.js';
import { recordSecret } from './support/secrets.js';

describe('mintApiTokenSecret', () => {
  it('starts with apiTokenPrefix and carries 256 bits', () => {
    const secret = recordSecret(mintApiTokenSecret());
    expect(apiTokenPrefix).toBe('lwta_');
    expect(secret).toMatch(/^lwta_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret.slice(apiTokenPrefix.length), 'base64url')).toHaveLength(32);
  });

  it('never repeats itself', () => {
    const secrets = new Set(Array.from({ length: 1000 }, mintApiTokenSecret));
    expect(secrets.size).toBe(1000);
  });
});

describe('mintApiTokenId', () => {
  it('is a public at_ id that cannot be taken for a secret', () => {
    const id = mintApiTokenId();
    expect(id).toMatch(/^at_[A-Za-z0-9_-]{12}$/);
    expect(id.startsWith(apiTokenPrefix)).toBe(false);
  });

  it('never repeats itself', () => {
    expect(new Set(Array.from({ length: 1000 }, mintApiTokenId)).size).toBe(1000);
  });
});
