import { Agent, type Dispatcher } from 'undici';
import { addressMatcher } from './address-ranges.js';
import { createGuardedConnector, type Lookup } from './guarded-connector.js';

/** How connections to partners (validation commands, JWKS documents) are made. */
export interface PartnerDispatcherOptions {
  /** Pooled keep-alive connections per partner origin. @default 64 */
  connections?: number;
  /** How long an idle pooled connection stays open. @default 10000 */
  keepAliveTimeoutMs?: number;
  /**
   * Loopback, private and link-local addresses a partner may live at (CIDR blocks or addresses),
   * or `true` for all of them. Every other such address is refused — checked on the address
   * actually connected to, after DNS. @default [] (none)
   * @example ['127.0.0.0/8', '::1'] for partners on the same machine
   */
  allowPrivateAddresses?: readonly string[] | true;
  /** DNS resolution for the destination check. @default dns.lookup with all addresses */
  lookup?: Lookup;
  /**
   * A dispatcher to use instead of the built-in pool (proxies, or one shared partner pool). It
   * is used as is — it gets no destination check of its own — and is never closed here.
   */
  dispatcher?: Dispatcher;
}

/** The dispatcher every partner request goes through, and how to release it. */
export interface PartnerDispatcher {
  readonly dispatcher: Dispatcher;
  /** Closes the pool this module created; an app-supplied dispatcher is left open. */
  close(): Promise<void>;
}

/**
 * The one way out to partners: a pooled keep-alive undici Agent whose connector refuses
 * loopback, private and link-local destinations after DNS (unless `allowPrivateAddresses`
 * allows them), or the app's own `dispatcher`. Redirects are never followed (no interceptor).
 *
 * @example
 * ```ts
 * const partner = createPartnerDispatcher({ allowPrivateAddresses: ['127.0.0.0/8'] });
 * await partner.dispatcher.request({ origin: 'http://127.0.0.1:8080', path: '/keys', method: 'GET' });
 * await partner.close();
 * ```
 */
export function createPartnerDispatcher(options: PartnerDispatcherOptions = {}): PartnerDispatcher {
  if (options.dispatcher !== undefined) return { dispatcher: options.dispatcher, close: () => Promise.resolve() };
  const allowPrivate = options.allowPrivateAddresses === true ? () => true : addressMatcher(options.allowPrivateAddresses ?? []);
  const agent = new Agent({
    connections: options.connections ?? 64,
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
    connect: createGuardedConnector(allowPrivate, options.lookup),
  });
  return { dispatcher: agent, close: () => agent.close() };
}
