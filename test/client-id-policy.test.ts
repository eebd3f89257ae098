import { describe, expect, it } from 'vitest';
import type { LoginError } from '../src/errors/login-error.js';
import { checkClientId, type ClientIdOptions } from '../src/logon/client-id-policy.js';

/** 'accepted', or the code `checkClientId` refused with. */
function outcome(options: ClientIdOptions, tenant: string, clientId: string | null): string {
  try {
    checkClientId(options, tenant, clientId);
    return 'accepted';
  } catch (error) {
    return (error as LoginError).code;
  }
}

describe('checkClientId', () => {
  it('accepts any client id, and none, when no list is configured', () => {
    const open: ClientIdOptions = { logon: { requireClientId: false }, tenants: {} };
    expect(outcome(open, 'acme', 'anything')).toBe('accepted');
    expect(outcome(open, 'acme', null)).toBe('accepted');
  });

  it('refuses a client id not on logon.clientIds with 10089', () => {
    const listed: ClientIdOptions = { logon: { clientIds: ['portal-web', 'portal-app'], requireClientId: false }, tenants: {} };
    expect(outcome(listed, 'acme', 'portal-app')).toBe('accepted');
    let thrown: unknown;
    try {
      checkClientId(listed, 'acme', 'rogue-client');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'client_id', number: 10089, status: 403 });
  });

  it('compares client ids exactly: no case folding, trimming or prefix match', () => {
    const listed: ClientIdOptions = { logon: { clientIds: ['portal-app'], requireClientId: false }, tenants: {} };
    for (const near of ['Portal-App', 'portal-app ', ' portal-app', 'portal', 'portal-app-evil', 'portal-app\u0000']) {
      expect(outcome(listed, 'acme', near)).toBe('client_id');
    }
  });

  it('refuses client ids named like members of an array or object', () => {
    const listed: ClientIdOptions = { logon: { clientIds: ['portal-app'], requireClientId: false }, tenants: {} };
    for (const name of ['length', '0', 'constructor', '__proto__', 'toString', 'includes']) expect(outcome(listed, 'acme', name)).toBe('client_id');
  });

  it('accepts a request without a client id despite a list, unless requireClientId', () => {
    const listed = { clientIds: ['portal-app'] };
    expect(outcome({ logon: { ...listed, requireClientId: false }, tenants: {} }, 'acme', null)).toBe('accepted');
    expect(outcome({ logon: { ...listed, requireClientId: true }, tenants: {} }, 'acme', null)).toBe('client_id');
    expect(outcome({ logon: { requireClientId: true }, tenants: {} }, 'acme', 'any')).toBe('accepted');
  });

  it('uses the tenant’s own list instead of logon.clientIds', () => {
    const options: ClientIdOptions = {
      logon: { clientIds: ['shared-app'], requireClientId: false },
      tenants: { acme: { clientIds: ['acme-app'] }, globex: {} },
    };
    expect(outcome(options, 'acme', 'acme-app')).toBe('accepted');
    expect(outcome(options, 'acme', 'shared-app')).toBe('client_id');
    // A tenant without a list of its own, and one not configured at all, fall back to logon's.
    expect(outcome(options, 'globex', 'shared-app')).toBe('accepted');
    expect(outcome(options, 'globex', 'acme-app')).toBe('client_id');
    expect(outcome(options, 'initech', 'acme-app')).toBe('client_id');
  });

  it('uses the tenant’s own requireClientId over logon.requireClientId, either way', () => {
    const options: ClientIdOptions = {
      logon: { requireClientId: true },
      tenants: { relaxed: { requireClientId: false }, strict: { requireClientId: true }, inherits: {} },
    };
    expect(outcome(options, 'relaxed', null)).toBe('accepted');
    expect(outcome(options, 'inherits', null)).toBe('client_id');
    expect(outcome({ logon: { requireClientId: false }, tenants: options.tenants }, 'strict', null)).toBe('client_id');
  });
});
