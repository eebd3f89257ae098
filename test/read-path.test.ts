import { describe, expect, it } from 'vitest';
import { readPath } from '../src/identity/read-path.js';

describe('readPath', () => {
  it('follows a dotted path through nested objects and arrays', () => {
    const answer = { data: { contact: { id: 5, emails: ['a@example.com', 'b@example.com'] } } };
    expect(readPath(answer, 'data.contact.id')).toBe(5);
    expect(readPath(answer, 'data.contact.emails.1')).toBe('b@example.com');
    expect(readPath(answer, 'data')).toBe(answer.data);
  });

  it('reads undefined for a missing key, or a path that passes through a primitive or null', () => {
    const answer = { a: { b: null, c: 'text', d: 0 } };
    expect(readPath(answer, 'a.x')).toBeUndefined();
    expect(readPath(answer, 'a.b.c')).toBeUndefined();
    expect(readPath(answer, 'a.c.length')).toBeUndefined();
    expect(readPath(answer, 'a.d.toFixed')).toBeUndefined();
    for (const value of [null, undefined, 'text', 42, true]) expect(readPath(value, 'a')).toBeUndefined();
  });

  it('keeps falsy values that are there', () => {
    expect(readPath({ a: { zero: 0, empty: '', no: false, nil: null } }, 'a.zero')).toBe(0);
    expect(readPath({ a: { empty: '' } }, 'a.empty')).toBe('');
    expect(readPath({ a: { no: false } }, 'a.no')).toBe(false);
    expect(readPath({ a: { nil: null } }, 'a.nil')).toBeNull();
  });

  it('reads nothing inherited, so a partner answer cannot reach prototypes', () => {
    for (const path of ['__proto__', 'constructor', 'constructor.name', 'constructor.prototype', 'toString', 'hasOwnProperty', '__proto__.polluted']) {
      expect(readPath({}, path)).toBeUndefined();
    }
    expect(readPath(Object.create({ ContactId: 1001 }), 'ContactId')).toBeUndefined();
    expect(readPath([], 'map')).toBeUndefined();
  });

  it('reads an own "__proto__" key of parsed JSON as data', () => {
    expect(readPath(JSON.parse('{"__proto__":{"ContactId":7}}'), '__proto__.ContactId')).toBe(7);
  });

  it('works on objects without a prototype', () => {
    const answer = Object.assign(Object.create(null) as object, { ContactId: 9 });
    expect(readPath(answer, 'ContactId')).toBe(9);
    expect(readPath(answer, 'toString')).toBeUndefined();
  });
});
