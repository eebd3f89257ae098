import { brandedInstanceOf } from './brand.js';
import { catalogue, type ErrorCode } from './catalogue.js';
import { describeFault } from './describe-fault.js';

/** Options for {@link LoginError}. */
export interface LoginErrorOptions {
  /**
   * Why it happened, for the audit log only (never sent to the client). Must not contain a
   * token, password or pass code.
   */
  reason?: string;
  /** Detail that is safe to show the client, e.g. which request fields are missing. */
  description?: string;
  /** Extra response headers, e.g. `WWW-Authenticate` or `Retry-After`. */
  headers?: Record<string, string>;
  /** The underlying fault, kept for debugging; never rendered. */
  cause?: unknown;
}

// A registered symbol, so that an error thrown by one copy of the package is recognised by
// another (two versions in one dependency tree): `instanceof` checks the brand, not the class.
const brand = Symbol.for('login-with-token.LoginError');

/**
 * A request-time failure from the {@link catalogue}. Adapters render it in their route's
 * envelope; `message` is always the catalogue's public text, details live in `reason`.
 *
 * @example
 * ```ts
 * throw new LoginError('token_invalid', { reason: 'partner answered 401' });
 * ```
 */
export class LoginError extends Error {
  override readonly name = 'LoginError';
  /** Stable string code, see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** The vendor's error number (19000 and up: this package's own). */
  readonly number: number;
  /** HTTP status to answer with. */
  readonly status: number;
  /** Audit-only explanation; never rendered. */
  readonly reason: string | undefined;
  /** Public detail (field names and the like); rendered as the envelope's `description`. */
  readonly description: string | undefined;
  /** Response headers that belong with this error. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: LoginErrorOptions = {}) {
    const entry = catalogue[code];
    super(entry.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.number = entry.number;
    this.status = entry.status;
    this.reason = options.reason;
    this.description = options.description;
    this.headers = options.headers ?? {};
  }

  /** True for faults on our side or upstream: the client may retry and nothing was used up. */
  get retryable(): boolean {
    return this.status >= 500 || this.status === 429;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return brandedInstanceOf(this, LoginError, brand, value);
  }

  get [brand](): true {
    return true;
  }
}

/** Narrows an unknown thrown value to a {@link LoginError}, also one thrown by another copy of the package. */
export function isLoginError(value: unknown): value is LoginError {
  return value instanceof LoginError;
}

/** `error` itself when it is a `LoginError`; anything else is a fault on our side: `store_unavailable`. */
export function asLoginError(error: unknown): LoginError {
  return isLoginError(error) ? error : new LoginError('store_unavailable', { reason: describeFault(error), cause: error });
}
