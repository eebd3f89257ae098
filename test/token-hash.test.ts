import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeyedHashes } from '../src/audit/token-hash.js';
import { recordSecret } from './support/secrets.js';

const key = recordSecret('portal-hash-key-0123456789abcdef');
const token = recordSecret('partner-token-8d2f6b1e9c');

describe('createKeyedHashes', () => {
  it('hashes a token to 12 hex digits, alike on every instance with the same key', () => {
    const hash = createKeyedHashes(key).tokenHash(token);
    expect(hash).toMatch(/^[0-9a-f]{12}$/);
    expect(createKeyedHashes(key).tokenHash(token)).toBe(hash);
    expect(createKeyedHashes(Buffer.from(key)).tokenHash(token)).toBe(hash);
    expect(createKeyedHashes(key).tokenHash(`${token}x`)).not.toBe(hash);
  });

  it('depends on the key, so nobody without it can test guesses against a hash', () => {
    const hash = createKeyedHashes(key).tokenHash(token);
    expect(createKeyedHashes(recordSecret('another-hash-key-0123456789abcd')).tokenHash(token)).not.toBe(hash);
    for (const input of [token, `token\u0000${token}`]) expect(createHash('sha256').update(input).digest('hex').slice(0, 12)).not.toBe(hash);
  });

  it('draws its own key when none is given', () => {
    expect(createKeyedHashes().tokenHash(token)).not.toBe(createKeyedHashes().tokenHash(token));
    expect(createKeyedHashes().nameKey('acme', 'alice')).not.toBe(createKeyedHashes().nameKey('acme', 'alice'));
  });

  it('makes name keys of 128 bits in base64url, alike for the same key and parts', () => {
    const { nameKey } = createKeyedHashes(key);
    const hashed = nameKey('acme', 'alice');
    expect(hashed).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(createKeyedHashes(key).nameKey('acme', 'alice')).toBe(hashed);
    expect(hashed).not.toContain('alice');
  });

  it('keeps the parts of a name key apart, so a tenant cannot slide into the name', () => {
    const { nameKey } = createKeyedHashes(key);
    expect(nameKey('acme', 'alice')).not.toBe(nameKey('globex', 'alice'));
    expect(nameKey('ab', 'c')).not.toBe(nameKey('a', 'bc'));
    expect(nameKey('acme', '')).not.toBe(nameKey('acme'));
  });

  it('keeps token hashes and name keys apart for the same input', () => {
    const { tokenHash, nameKey } = createKeyedHashes(key);
    expect(Buffer.from(nameKey(token), 'base64url').toString('hex').slice(0, 12)).not.toBe(tokenHash(token));
  });
});
