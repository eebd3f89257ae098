import type { RequestInfo } from '../request/request-info.js';

/** Where a bearer token was found, or why none could be taken. */
export type BearerExtraction =
  | { readonly kind: 'token'; readonly token: string }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly reason: string };

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const b64token = /^[A-Za-z0-9\-._~+/]+=*$/;
const bearerScheme = /^bearer(?: +|$)/i;
const maxTokenLength = 16_384;

/**
 * Takes the bearer token from a request as RFC 6750 allows: the `Authorization: Bearer` header;
 * a form-encoded body's `access_token` on methods other than GET and HEAD; the query's
 * `access_token` only when `allowQueryToken` is set (`bearer.allowQueryToken`). A token in more than one place, two
 * `Authorization` headers, or a malformed token is `malformed` (answer 400). Never throws.
 */
export function extractBearerToken(request: RequestInfo, allowQueryToken: boolean): BearerExtraction {
  let found: string | undefined;
  let places = 0;

  const header = request.headers.authorization;
  if (header !== undefined && countAuthorizationHeaders(request.rawHeaders) > 1) {
    // A proxy reading the last copy and the app reading the first would disagree about who this is.
    return { kind: 'malformed', reason: 'more than one Authorization header' };
  }
  if (typeof header === 'string' && bearerScheme.test(header)) {
    const token = header.replace(bearerScheme, '');
    if (!isToken(token)) return { kind: 'malformed', reason: 'malformed Authorization header' };
    found = token;
    places++;
  }

  if (request.method !== 'GET' && request.method !== 'HEAD' && isFormRequest(request)) {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (body !== null && typeof body === 'object' && Object.hasOwn(body, 'access_token')) {
      const token = body['access_token'];
      if (typeof token !== 'string' || !isToken(token)) return { kind: 'malformed', reason: 'malformed access_token in body' };
      found = token;
      places++;
    }
  }

  if (allowQueryToken && Object.hasOwn(request.query, 'access_token')) {
    const token = request.query['access_token'];
    if (typeof token !== 'string' || !isToken(token)) return { kind: 'malformed', reason: 'malformed access_token in query' };
    found = token;
    places++;
  }

  if (places > 1) return { kind: 'malformed', reason: 'token sent in more than one place' };
  return found === undefined ? { kind: 'none' } : { kind: 'token', token: found };
}

function countAuthorizationHeaders(rawHeaders: readonly string[] | undefined): number {
  if (rawHeaders === undefined) return 1;
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.length === 13 && rawHeaders[i]!.toLowerCase() === 'authorization') count++;
  return count;
}

function isToken(value: string): boolean {
  return value.length > 0 && value.length <= maxTokenLength && b64token.test(value);
}

function isFormRequest(request: RequestInfo): boolean {
  const type = request.headers['content-type'];
  return typeof type === 'string' && /^application\/x-www-form-urlencoded\s*(;|$)/i.test(type);
}
