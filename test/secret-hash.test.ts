import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretHash } from '../src/crypto/secret-hash.js';
import { recordSecret } from './support/secrets.js';

describe('secretHash', () => {
  it('is SHA-256 in base64url without padding', () => {
    expect(secretHash('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(secretHash('')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('hashes the UTF-8 bytes of the text', () => {
    const secret = recordSecret('pässwörd-\u{1F511}-secret');
    expect(secretHash(secret)).toBe(createHash('sha256').update(Buffer.from(secret, 'utf8')).digest('base64url'));
  });

  it('gives 43 URL-safe characters that do not contain the secret, whatever its length', () => {
    for (const secret of [recordSecret('lwts_short-secret'), recordSecret(`lwts_${'x'.repeat(10_000)}`)]) {
      const key = secretHash(secret);
      expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(key).not.toContain('secret');
    }
  });

  it('joins several parts with a NUL, so moving text between parts changes the hash', () => {
    expect(secretHash('authToken', 'acme', 'tok')).toBe(createHash('sha256').update('authToken\u0000acme\u0000tok').digest('base64url'));
    expect(secretHash('a', 'bc')).not.toBe(secretHash('ab', 'c'));
    expect(secretHash('ab')).not.toBe(secretHash('a', 'b'));
    expect(secretHash('session', 'tok')).not.toBe(secretHash('apitoken', 'tok'));
  });

  it('gives the same key for the same secret and different keys for secrets one character apart', () => {
    const secret = recordSecret('lwts_3n7Qx9mK2pL8vR4tY6wZ');
    expect(secretHash(secret)).toBe(secretHash(secret));
    expect(secretHash(secret)).not.toBe(secretHash(`${secret.slice(0, -1)}z`));
  });
});
