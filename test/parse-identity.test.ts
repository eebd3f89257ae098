import { describe, expect, it } from 'vitest';
import { parseIdentityAnswer, readPath } from '../src/identity/parse-identity.js';

const paths = { contactId: 'ContactId', contactEmail: 'ContactEmail' };

describe('parseIdentityAnswer', () => {
  it('reads ContactId as string or whole number', () => {
    expect(parseIdentityAnswer({ ContactId: 42 }, paths)).toEqual({ kind: 'identity', contactId: '42' });
    expect(parseIdentityAnswer({ ContactId: ' A-7 ' }, paths)).toEqual({ kind: 'identity', contactId: 'A-7' });
  });

  it('lower-cases ContactEmail', () => {
    expect(parseIdentityAnswer({ ContactEmail: 'Bob@Example.COM' }, paths)).toEqual({ kind: 'identity', contactEmail: 'bob@example.com' });
  });

  it('says none when neither field is there', () => {
    for (const answer of [{}, { ContactId: null }, { ContactEmail: '' }, [], 'text', 42, null]) {
      expect(parseIdentityAnswer(answer, paths)).toEqual({ kind: 'none' });
    }
  });

  it('says malformed for a field of the wrong shape', () => {
    for (const answer of [{ ContactId: 1.5 }, { ContactId: {} }, { ContactId: true }, { ContactEmail: 'not-an-email' }, { ContactEmail: 5 }]) {
      expect(parseIdentityAnswer(answer, paths).kind).toBe('malformed');
    }
  });

  it('follows configured dotted paths through own properties only', () => {
    const custom = { contactId: 'data.contact.id', contactEmail: 'data.mail' };
    expect(parseIdentityAnswer({ data: { contact: { id: 5 } } }, custom)).toEqual({ kind: 'identity', contactId: '5' });
    expect(readPath({}, 'constructor.name')).toBeUndefined();
    expect(readPath(JSON.parse('{"__proto__":{"x":1}}'), '__proto__.x')).toBe(1);
    expect(readPath({ a: 'text' }, 'a.length')).toBeUndefined();
  });
});
