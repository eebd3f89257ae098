import { describe, expect, it } from 'vitest';
import { mintSessionToken, sessionTokenPrefix } from '../src/credentials/session-token.js';
import { recordSecret } from './support/secrets.js';

describe('sessionTokenPrefix', () => {
  it('is "lwts_", the mark the bearer check and secret scanners look for', () => {
    expect(sessionTokenPrefix).toBe('lwts_');
  });
});

describe('mintSessionToken', () => {
  it('returns the prefix and 256 random bits in unpadded base64url', () => {
    const token = recordSecret(mintSessionToken());
    expect(token).toMatch(/^lwts_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(sessionTokenPrefix.length), 'base64url')).toHaveLength(32);
  });

  it('never returns the same token twice', () => {
    const tokens = Array.from({ length: 2000 }, () => mintSessionToken());
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('draws every bit: across many tokens each position takes many values', () => {
    const bodies = Array.from({ length: 500 }, () => mintSessionToken().slice(sessionTokenPrefix.length));
    // A constant or counter-like stretch would show up as a position with few distinct characters.
    for (let position = 0; position < 42; position++) {
      expect(new Set(bodies.map((body) => body[position])).size).toBeGreaterThan(40);
    }
  });
});
