import { readParameter, type RequestInfo } from '../request/request-info.js';

/** Who may frame the portal after an embedded handoff, and how its session cookie must look there. */
export interface EmbeddingPolicy {
  /** Origins allowed to frame the portal for `tenant` (empty: nobody). */
  frameAncestors(tenant: string): readonly string[];
  /** Session cookie attributes for embedded sessions. */
  readonly cookie: { readonly sameSite: 'none' | 'lax' | 'strict'; readonly secure: boolean; readonly partitioned: boolean };
}

/** A `frame-ancestors` source: an origin, a `*.`-wildcard origin, or `'self'` — never a bare `*`. */
export const frameAncestorPattern = /^('self'|https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?)$/;

/** The `Content-Security-Policy` value for embedded pages: `frame-ancestors <list>` or `'none'`. */
export function frameAncestorsPolicy(origins: readonly string[]): string {
  return `frame-ancestors ${origins.length === 0 ? "'none'" : origins.join(' ')}`;
}

/** True when the handoff says `noChrome=true` (or `1`): render the portal without its header and navigation. */
export function wantsNoChrome(request: RequestInfo): boolean {
  return /^(true|1)$/i.test(readParameter(request, 'noChrome') ?? '');
}

/**
 * True when a handoff asks to be embedded: `noChrome=true` (the vendor's iframe parameter), or a
 * browser that says it is loading a frame (`Sec-Fetch-Dest: iframe`).
 */
export function isEmbeddedRequest(request: RequestInfo): boolean {
  return wantsNoChrome(request) || request.headers['sec-fetch-dest'] === 'iframe';
}
