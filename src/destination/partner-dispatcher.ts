import { Agent, type Dispatcher } from 'undici';
import { addressMatcher } from './address-ranges.js';
import { createGuardedConnector } from './guarded-connector.js';
import type { ParsedHttpOptions } from './http-options.js';

/** The dispatcher every partner request goes through, and how to release it. */
export interface PartnerDispatcher {
  readonly dispatcher: Dispatcher;
  /** Closes the pool this module created; an app-supplied dispatcher is left open. */
  close(): Promise<void>;
}

/**
 * The one way out to partners: a pooled keep-alive undici Agent (`http.connections` per origin,
 * idle for `http.keepAliveTimeoutMs`) whose connector refuses loopback, private and link-local
 * destinations after DNS unless `http.allowPrivateAddresses` allows them — or the app's own
 * `http.dispatcher`. Redirects are never followed (no interceptor).
 *
 * @example
 * ```ts
 * const partner = createPartnerDispatcher(validateOptions(httpOptionsSchema, { allowPrivateAddresses: ['127.0.0.0/8'] }, 'http'));
 * await partner.dispatcher.request({ origin: 'http://127.0.0.1:8080', path: '/keys', method: 'GET' });
 * await partner.close();
 * ```
 */
export function createPartnerDispatcher(http: Pick<ParsedHttpOptions, 'connections' | 'keepAliveTimeoutMs' | 'allowPrivateAddresses' | 'lookup' | 'dispatcher'>): PartnerDispatcher {
  if (http.dispatcher !== undefined) return { dispatcher: http.dispatcher, close: () => Promise.resolve() };
  const allowPrivate = http.allowPrivateAddresses === true ? () => true : addressMatcher(http.allowPrivateAddresses);
  const agent = new Agent({
    connections: http.connections,
    keepAliveTimeout: http.keepAliveTimeoutMs,
    // Also the most a partner's `Keep-Alive: timeout=…` hint may set: our setting is a maximum.
    keepAliveMaxTimeout: http.keepAliveTimeoutMs,
    connect: createGuardedConnector(allowPrivate, http.lookup),
  });
  return { dispatcher: agent, close: () => agent.close() };
}
