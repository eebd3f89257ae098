import { describe, expect, it } from 'vitest';
import { grantedScopes, missingScopes } from '../src/oauth/scopes.js';

describe('grantedScopes', () => {
  describe('scope (RFC 7662, RFC 9068)', () => {
    it('splits the space-separated string', () => {
      expect(grantedScopes({ scope: 'read write admin' })).toEqual(['read', 'write', 'admin']);
    });

    it('skips empty parts: repeated, leading and trailing spaces', () => {
      expect(grantedScopes({ scope: '  read   write ' })).toEqual(['read', 'write']);
      expect(grantedScopes({ scope: '' })).toEqual([]);
      expect(grantedScopes({ scope: '   ' })).toEqual([]);
    });

    it('splits on the space only (RFC 6749 §3.3): a tab or newline does not separate scopes', () => {
      expect(grantedScopes({ scope: 'read\tadmin' })).toEqual(['read\tadmin']);
      expect(grantedScopes({ scope: 'read\nadmin' })).toEqual(['read\nadmin']);
      expect(missingScopes(grantedScopes({ scope: 'read\tadmin' }), ['admin'])).toEqual(['admin']);
    });

    it('takes a list of strings too', () => {
      expect(grantedScopes({ scope: ['read', 'write'] })).toEqual(['read', 'write']);
    });
  });

  describe('scp (Entra ID)', () => {
    it('splits a space-separated string, as Entra ID sends delegated scopes', () => {
      expect(grantedScopes({ scp: 'User.Read Files.Read' })).toEqual(['User.Read', 'Files.Read']);
    });

    it('takes a list of strings', () => {
      expect(grantedScopes({ scp: ['User.Read', 'Files.Read'] })).toEqual(['User.Read', 'Files.Read']);
    });
  });

  it('grants the scopes of both claims, scope first, keeping duplicates as given', () => {
    expect(grantedScopes({ scope: 'read write', scp: ['write', 'admin'] })).toEqual(['read', 'write', 'write', 'admin']);
    expect(grantedScopes({ scope: 'read read' })).toEqual(['read', 'read']);
  });

  it('grants none when neither claim is present', () => {
    expect(grantedScopes({})).toEqual([]);
    expect(grantedScopes({ roles: ['admin'], scopes: 'admin' })).toEqual([]);
  });

  it.each([null, 42, true, { admin: true }, undefined])('grants none for a claim of another type (%j)', (value) => {
    expect(grantedScopes({ scope: value, scp: value })).toEqual([]);
  });

  it('keeps only the non-empty strings of a list', () => {
    expect(grantedScopes({ scp: ['read', 1, null, '', { admin: true }, ['admin'], 'write'] })).toEqual(['read', 'write']);
  });

  it('does not split list entries: "read admin" in a list grants neither read nor admin', () => {
    const granted = grantedScopes({ scp: ['read admin'] });
    expect(granted).toEqual(['read admin']);
    expect(missingScopes(granted, ['read', 'admin'])).toEqual(['read', 'admin']);
  });

  it('compares exactly: case and prefixes do not grant a scope', () => {
    expect(missingScopes(grantedScopes({ scope: 'Admin admin:read portal.api.read' }), ['admin', 'portal.api'])).toEqual(['admin', 'portal.api']);
  });
});

describe('missingScopes', () => {
  it('takes only a list as granted scopes: a string set by another strategy grants nothing, not its characters', () => {
    expect(missingScopes('read write' as unknown as string[], ['r', 'w'])).toEqual(['r', 'w']);
    expect(missingScopes({ read: true } as unknown as string[], ['read'])).toEqual(['read']);
  });

  it('is empty when the granted scopes cover the required ones, in any order and with extras', () => {
    expect(missingScopes(['write', 'admin', 'read'], ['read', 'write'])).toEqual([]);
  });

  it('names the required scopes not granted, in the order required', () => {
    expect(missingScopes(['read'], ['admin', 'read', 'write'])).toEqual(['admin', 'write']);
  });

  it('requires every scope when nothing is granted (no scopes, or none known)', () => {
    expect(missingScopes([], ['read'])).toEqual(['read']);
    expect(missingScopes(undefined, ['read', 'write'])).toEqual(['read', 'write']);
  });

  it('is empty when nothing is required, whatever is granted', () => {
    expect(missingScopes(undefined, [])).toEqual([]);
    expect(missingScopes([], [])).toEqual([]);
    expect(missingScopes(['read'], [])).toEqual([]);
  });

  it('is not satisfied by duplicates of another scope', () => {
    expect(missingScopes(['read', 'read'], ['read', 'write'])).toEqual(['write']);
  });
});
