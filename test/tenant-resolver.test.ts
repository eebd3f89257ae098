import { describe, expect, it } from 'vitest';
import { isLoginError } from '../src/errors/login-error.js';
import { parseOptions } from '../src/options/parse-options.js';
import type { RequestInfo } from '../src/request/request-info.js';
import { TenantResolver, unknownTenant } from '../src/request/tenant-resolver.js';
import { expectOptionsError } from './support/options-error.js';

const info = (tenant?: string): RequestInfo => ({ method: 'GET', headers: tenant === undefined ? {} : { 'x-tenant': tenant }, query: {}, body: undefined, ip: '203.0.113.7' });
const fromHeader = (request: RequestInfo) => request.headers['x-tenant'] as string | undefined;

/** The error code `run` throws, or `undefined` when it does not throw. */
function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isLoginError(error) ? error.code : 'not a LoginError';
  }
  return undefined;
}

describe('TenantResolver', () => {
  describe('without configured tenants', () => {
    const tenants = new TenantResolver({ tenants: {} });

    it('has the one tenant "default", not configured', () => {
      expect(tenants.names).toEqual(['default']);
      expect(tenants.configured).toBe(false);
    });

    it('puts every request in it and refuses any other name', () => {
      expect(tenants.forRequest(info('acme'))).toBe('default');
      expect(tenants.byName(undefined)).toBe('default');
      expect(tenants.byName('default')).toBe('default');
      expect(codeOf(() => tenants.byName('acme'))).toBe('tenant_not_found');
    });
  });

  describe('with one configured tenant', () => {
    const tenants = new TenantResolver({ tenants: { acme: {} } });

    it('puts every request in it and takes an empty name for it', () => {
      expect(tenants.configured).toBe(true);
      expect(tenants.forRequest(info())).toBe('acme');
      expect(tenants.byName('')).toBe('acme');
      expect(tenants.byName(null)).toBe('acme');
      expect(codeOf(() => tenants.byName('default'))).toBe('tenant_not_found');
    });
  });

  describe('with several tenants', () => {
    const tenants = new TenantResolver({ tenants: { acme: {}, globex: {}, initech: {} }, resolveTenant: fromHeader });

    it('lists the names in configuration order', () => {
      expect(tenants.names).toEqual(['acme', 'globex', 'initech']);
    });

    it('lets resolveTenant pick the tenant of a request', () => {
      expect(tenants.forRequest(info('globex'))).toBe('globex');
      expect(tenants.forRequest(info('initech'))).toBe('initech');
    });

    it('answers tenant_not_found when resolveTenant names no tenant or an unknown one', () => {
      expect(codeOf(() => tenants.forRequest(info()))).toBe('tenant_not_found');
      expect(codeOf(() => tenants.forRequest(info('umbrella')))).toBe('tenant_not_found');
      expect(codeOf(() => tenants.byName(''))).toBe('tenant_not_found');
    });

    it('refuses names that are properties of every object or differ only in case', () => {
      for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'ACME', ' acme']) {
        expect(codeOf(() => tenants.byName(name))).toBe('tenant_not_found');
      }
    });

    it('answers tenant_not_found without resolveTenant, rather than picking one', () => {
      const unresolved = new TenantResolver({ tenants: { acme: {}, globex: {} } });
      expect(codeOf(() => unresolved.forRequest(info('acme')))).toBe('tenant_not_found');
    });
  });

  describe('byClientName', () => {
    const tenants = new TenantResolver({ tenants: { acme: {}, globex: {} }, resolveTenant: fromHeader });

    it('gives a known name as itself, hidden or not', () => {
      expect(tenants.byClientName('acme', true)).toBe('acme');
      expect(tenants.byClientName('acme', false)).toBe('acme');
    });

    it('gives unknownTenant for an unknown name where names are hidden, so the answer does not tell', () => {
      expect(tenants.byClientName('umbrella', true)).toBe(unknownTenant);
      expect(tenants.byClientName('__proto__', true)).toBe(unknownTenant);
      expect(codeOf(() => tenants.byClientName('umbrella', false))).toBe('tenant_not_found');
    });

    it('does not let a client name unknownTenant where names are shown', () => {
      expect(codeOf(() => tenants.byClientName(unknownTenant, false))).toBe('tenant_not_found');
    });

    it('treats a missing name as byName does', () => {
      expect(codeOf(() => tenants.byClientName(undefined, true))).toBe('tenant_not_found');
      expect(new TenantResolver({ tenants: { acme: {} } }).byClientName('', true)).toBe('acme');
    });
  });

  describe('unknownTenant', () => {
    it('cannot be the name of a configured tenant', () => {
      const create = () => parseOptions({ resolveUser: () => null, tenants: { [unknownTenant]: {} } });
      expectOptionsError(create, { code: 'LWT_INVALID_OPTION', path: `tenants.${unknownTenant}` });
    });
  });
});
