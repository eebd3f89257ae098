import { describe, expect, it } from 'vitest';
import { normalizeEmail, toSessionIdentity } from '../src/identity/identity.js';
import { parseIdentityAnswer } from '../src/identity/parse-identity.js';

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Bob.Smith@Example.COM\n')).toBe('bob.smith@example.com');
  });

  it('composes accents, so a decomposed address matches its composed form', () => {
    expect(normalizeEmail('Ame\u0301lie@example.com')).toBe('am\u00e9lie@example.com');
    expect(normalizeEmail('AM\u00c9LIE@example.com')).toBe(normalizeEmail('ame\u0301lie@EXAMPLE.com'));
  });

  it('gives the app the same text the identity of a partner answer carries', () => {
    const answer = parseIdentityAnswer({ ContactEmail: ' Ame\u0301lie@Example.com ' }, { contactId: 'ContactId', contactEmail: 'ContactEmail' }, 'authToken');
    expect(answer.kind === 'identity' && answer.identity.contactEmail).toBe(normalizeEmail('AM\u00c9LIE@EXAMPLE.COM'));
  });

  it('keeps addresses that differ apart', () => {
    expect(normalizeEmail('bob@example.com')).not.toBe(normalizeEmail('bob@example.co'));
    expect(normalizeEmail('b\u00f6b@example.com')).not.toBe(normalizeEmail('bob@example.com'));
  });
});

describe('toSessionIdentity', () => {
  it('keeps contactId, contactEmail and tokenType, and drops the tenant and claims', () => {
    const identity = { contactId: '1001', contactEmail: 'bob@example.com', tenant: 'acme', tokenType: 'jwt', claims: { upn: 'bob@example.com', roles: ['admin'] } };
    const kept = toSessionIdentity(identity);
    expect(kept).toStrictEqual({ contactId: '1001', contactEmail: 'bob@example.com', tokenType: 'jwt' });
    expect(kept).not.toBe(identity);
  });

  it('gives every identity the same keys in the same order, absent ones undefined', () => {
    const byId = toSessionIdentity({ contactId: '1001', tokenType: 'authToken' });
    const byEmail = toSessionIdentity({ tokenType: 'bearer', contactEmail: 'bob@example.com' });
    expect(Object.keys(byId)).toEqual(['contactId', 'contactEmail', 'tokenType']);
    expect(Object.keys(byEmail)).toEqual(Object.keys(byId));
    expect(byId.contactEmail).toBeUndefined();
    expect(byEmail.contactId).toBeUndefined();
  });
});

describe('normalizeEmail, applied twice', () => {
  it('is its own normal form, so an address stored normalised still matches', () => {
    for (const letter of ['\u03AA', '\u03AB', '\u1FBC', '\u1FCC', '\u1FFC']) {
      const email = `${letter}\u0301@example.com`;
      expect(normalizeEmail(normalizeEmail(email)), letter).toBe(normalizeEmail(email));
    }
  });
});
