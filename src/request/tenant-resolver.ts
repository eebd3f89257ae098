import { LoginError } from '../errors/login-error.js';
import type { RequestInfo } from './request-info.js';

/** The tenant used when the app configures none. */
const defaultTenant = 'default';

/**
 * Stands for a tenant name nobody configured, where names are not public: it has only the
 * shared token types and every logon at it fails. No configured name can take this form.
 */
export const unknownTenant = '\u0000unknown';

/**
 * Decides which tenant a request is for. With one tenant every request is for it; with several,
 * the app's `resolveTenant` decides for browser and API requests, and `tenantName` for
 * LogonWithToken. Unknown names are `tenant_not_found`.
 */
export class TenantResolver {
  readonly #names: ReadonlySet<string>;
  /** True when the app named its tenants (rather than using the implicit `default`). */
  readonly configured: boolean;
  readonly #only: string | undefined;
  readonly #resolve: ((request: RequestInfo) => string | undefined) | undefined;

  /** Tenants are the keys of `tenants`; `resolveTenant` picks one per request. */
  constructor(options: { readonly tenants: Readonly<Record<string, unknown>>; readonly resolveTenant?: ((request: RequestInfo) => string | undefined) | undefined }) {
    const names = Object.keys(options.tenants);
    this.configured = names.length > 0;
    this.#names = new Set(names.length === 0 ? [defaultTenant] : names);
    this.#only = this.#names.size === 1 ? [...this.#names][0] : undefined;
    this.#resolve = options.resolveTenant;
  }

  /** Every tenant name, in configuration order. */
  get names(): string[] {
    return [...this.#names];
  }

  /** The tenant of a browser or API request. */
  forRequest(request: RequestInfo): string {
    const name = this.#resolve === undefined ? this.#only : this.#resolve(request);
    return this.byName(name);
  }

  /** The tenant called `name`, or the only tenant when `name` is empty. */
  byName(name: string | undefined | null): string {
    if (name === undefined || name === null || name === '') {
      if (this.#only !== undefined) return this.#only;
      throw new LoginError('tenant_not_found', { reason: 'no tenant named and more than one configured' });
    }
    if (!this.#names.has(name)) throw new LoginError('tenant_not_found', { reason: 'unknown tenant name' });
    return name;
  }

  /**
   * A tenant named by the client (LogonWithToken's `tenantName`): {@link byName}, except that
   * where names are hidden a name nobody configured is {@link unknownTenant}, not an error.
   */
  byClientName(name: string | undefined | null, hideUnknown: boolean): string {
    const unknown = hideUnknown && name !== undefined && name !== null && name !== '' && !this.#names.has(name);
    return unknown ? unknownTenant : this.byName(name);
  }
}
