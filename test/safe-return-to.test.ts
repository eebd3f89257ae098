import { describe, expect, it } from 'vitest';
import { safeReturnTo } from '../src/handoff/safe-return-to.js';

describe('safeReturnTo', () => {
  it.each([
    ['/invoices/42', '/invoices/42'],
    ['/a?b=c#d', '/a?b=c#d'],
    ['/a/../b', '/b'],
    ['/a b', '/a%20b'],
  ])('accepts %j as %j', (input, expected) => {
    expect(safeReturnTo(input, '/home')).toBe(expected);
  });

  it.each([
    undefined,
    42,
    '',
    'invoices',
    'https://evil.com/',
    '//evil.com',
    '///evil.com',
    '/\\evil.com',
    '\\/evil.com',
    '/%2f%2fevil.com',
    '/%252f%252fevil.com',
    '/%5cevil.com',
    '/\t/evil.com',
    '/\n/evil.com',
    'javascript:alert(1)',
    '/%E0%A4%A',
    '/' + 'a'.repeat(2048),
    '/.//evil.com',
    '/%2e%2e//evil.com/x',
    '/a/..//evil.com',
    '/.%2e//evil.com',
    '/x/../..//evil.com',
    '/.///evil.com',
    '/./\\evil.com',
  ])('refuses %j', (input) => {
    expect(safeReturnTo(input, '/home')).toBe('/home');
  });

  it('removes authToken parameters in any case and refuses targets holding the secret', () => {
    expect(safeReturnTo('/a?AuthToken=x&b=1', '/home')).toBe('/a?b=1');
    expect(safeReturnTo('/a?t=s3cret', '/home', 's3cret')).toBe('/home');
  });
});
