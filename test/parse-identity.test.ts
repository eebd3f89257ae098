import { describe, expect, it } from 'vitest';
import { parseIdentityAnswer } from '../src/identity/parse-identity.js';
import { readPath } from '../src/identity/read-path.js';

const paths = { contactId: 'ContactId', contactEmail: 'ContactEmail' };
const parse = (answer: unknown, fieldPaths = paths) => parseIdentityAnswer(answer, fieldPaths, 'authToken');
const identity = (fields: { contactId?: string; contactEmail?: string }) => ({
  kind: 'identity',
  identity: { contactId: undefined, contactEmail: undefined, ...fields, tokenType: 'authToken' },
});

describe('parseIdentityAnswer', () => {
  it('reads ContactId as string or whole number', () => {
    expect(parse({ ContactId: 42 })).toEqual(identity({ contactId: '42' }));
    expect(parse({ ContactId: ' A-7 ' })).toEqual(identity({ contactId: 'A-7' }));
  });

  it('lower-cases ContactEmail', () => {
    expect(parse({ ContactEmail: 'Bob@Example.COM' })).toEqual(identity({ contactEmail: 'bob@example.com' }));
  });

  it('says none when neither field is there', () => {
    for (const answer of [{}, { ContactId: null }, { ContactEmail: '' }, [], 'text', 42, null]) {
      expect(parse(answer)).toEqual({ kind: 'none' });
    }
  });

  it('says malformed for a field of the wrong shape', () => {
    // NUL and lone surrogates: no store keeps them (PostgreSQL refuses them), so they would fail every sign-in with 503.
    const unstorable = [{ ContactId: 'a\u0000b' }, { ContactId: '\ud800' }, { ContactEmail: 'a\u0000@example.com' }, { ContactEmail: 'a@\udc00.example' }];
    for (const answer of [{ ContactId: 1.5 }, { ContactId: {} }, { ContactId: true }, { ContactEmail: 'not-an-email' }, { ContactEmail: 5 }, ...unstorable]) {
      expect(parse(answer).kind).toBe('malformed');
    }
  });

  it('follows configured dotted paths through own properties only', () => {
    const custom = { contactId: 'data.contact.id', contactEmail: 'data.mail' };
    expect(parse({ data: { contact: { id: 5 } } }, custom)).toEqual(identity({ contactId: '5' }));
    expect(readPath({}, 'constructor.name')).toBeUndefined();
    expect(readPath(JSON.parse('{"__proto__":{"x":1}}'), '__proto__.x')).toBe(1);
    expect(readPath({ a: 'text' }, 'a.length')).toBeUndefined();
  });
});
