/** A `frame-ancestors` source: an origin, a `*.`-wildcard origin, or `'self'` — never a bare `*`. */
export const frameAncestorPattern = /^('self'|https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?)$/;

/** The `Content-Security-Policy` value for embedded pages: `frame-ancestors <list>` or `'none'`. */
export function frameAncestorsPolicy(origins: readonly string[]): string {
  return `frame-ancestors ${origins.length === 0 ? "'none'" : origins.join(' ')}`;
}
