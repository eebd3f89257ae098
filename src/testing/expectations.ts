import { AssertionError } from 'node:assert';
import { routePaths } from '../adapters/route-paths.js';
import { catalogue, type ErrorCode } from '../errors/catalogue.js';

/**
 * An HTTP answer as the assertions read it: a supertest response, or what the kit's own
 * requests return. `text` is the raw body; `body` the parsed JSON, when there is any.
 */
export interface PortalResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
  body?: unknown;
  /** The request path or URL, when known (supertest's `res.req.path`): it tells which route's envelope to expect. */
  url?: string;
}

/** Where a failure is rendered: the API envelope (`{"status":…,"data":null}`), `{"error":…}`, or the handoff's HTML page. */
type Envelope = 'status' | 'error' | 'page';

/** The challenge {@link expectBearerChallenge} expects. */
export interface ExpectedBearerChallenge {
  /** RFC 6750's `error`; none for a request without a token. @default none */
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope';
  /** The scopes the challenge names (with `insufficient_scope`). @default not checked */
  scope?: string[];
  /** The realm. @default not checked */
  realm?: string;
}

/**
 * Asserts that a handoff signed the user in: 303, a `Location` that carries no `authToken`,
 * `Cache-Control: no-store`, and a session cookie. On failure the message names what the
 * portal answered instead (`401 token_invalid (10376)`), never the token.
 */
export function expectSignedIn(res: PortalResponse): void {
  if (res.status !== 303) fail(`expected the handoff to sign the user in (303), but the portal answered ${describeAnswer(res)}`);
  const location = header(res, 'location');
  if (location === undefined) fail('expected the handoff to redirect, but its 303 has no Location');
  if (carriesAuthToken(location)) fail('expected a Location without the one-time token, but it still carries authToken');
  if (!/\bno-store\b/.test(header(res, 'cache-control') ?? '')) fail('expected the handoff to answer with Cache-Control: no-store');
  const setting = headerList(res, 'set-cookie').filter((cookie) => !/^[^=]*=;|;\s*max-age=0\s*(;|$)/i.test(cookie));
  if (setting.length === 0) fail('expected the handoff to set a new session cookie, but it set none');
}

/**
 * Asserts that the portal refused with `code`: the catalogue's status, code, number and
 * message, in the envelope of the route that answered — the API envelope from the token
 * endpoint and `apiErrorHandler`, `{"error":…}` from LogonWithToken, the error page (or
 * `{"error":…}` for a JSON client) from the handoff. When the route is unknown, any of them.
 */
export function expectLoginError(res: PortalResponse, code: ErrorCode): void {
  const entry = Object.hasOwn(catalogue, code) ? catalogue[code] : undefined;
  if (entry === undefined) throw new TypeError(`expectLoginError: "${code}" is not an error code of the catalogue`);
  const expected = `${entry.status} ${code} (${entry.number})`;
  const actual = describeAnswer(res);
  if (actual !== expected) fail(`expected the portal to refuse with ${expected}, but it answered ${actual}`);
  const envelopes = envelopesOf(res);
  const found = envelopeOf(res);
  if (found === undefined || !envelopes.includes(found)) fail(`expected the failure in the route's envelope (${envelopes.join(' or ')}), but found ${found ?? 'none'}`);
  const message = errorFields(res)?.message;
  if (found !== 'page' && message !== entry.message) fail(`expected the catalogue's message "${entry.message}", but found ${JSON.stringify(message) ?? 'none'}`);
}

/**
 * Asserts an RFC 6750 bearer challenge: 401 (400 for `invalid_request`, 403 for
 * `insufficient_scope`) with `WWW-Authenticate: Bearer realm="…"` and exactly the `error` (and
 * `scope`) expected. Holds for `login.bearer` and for the Passport strategy alike (Passport
 * sends no challenge with a 400, so check that one with `expectLoginError`).
 */
export function expectBearerChallenge(res: PortalResponse, expected: ExpectedBearerChallenge = {}): void {
  const status = expected.error === 'invalid_request' ? 400 : expected.error === 'insufficient_scope' ? 403 : 401;
  if (res.status !== status) fail(`expected a bearer challenge with ${status}, but the portal answered ${describeAnswer(res)}`);
  const challenge = header(res, 'www-authenticate');
  if (challenge === undefined || !/^Bearer\b/i.test(challenge)) fail(`expected WWW-Authenticate: Bearer …, but found ${challenge === undefined ? 'none' : `"${challenge}"`}`);
  const params = Object.fromEntries([...challenge.matchAll(/([a-z_]+)="([^"]*)"/gi)].map((match) => [match[1]!.toLowerCase(), match[2]!]));
  if (params['realm'] === undefined) fail(`expected the challenge to name a realm: "${challenge}"`);
  if (expected.realm !== undefined && params['realm'] !== expected.realm) fail(`expected realm="${expected.realm}": "${challenge}"`);
  if (params['error'] !== expected.error) fail(`expected ${expected.error === undefined ? 'no error' : `error="${expected.error}"`} in the challenge: "${challenge}"`);
  if (expected.scope !== undefined && params['scope'] !== expected.scope.join(' ')) fail(`expected scope="${expected.scope.join(' ')}": "${challenge}"`);
}

/** What the portal answered, as `401 token_invalid (10376)`, or the bare status when it named no error. */
export function describeAnswer(res: PortalResponse): string {
  const error = errorFields(res);
  return error === undefined ? String(res.status) : `${res.status} ${String(error.code)} (${String(error.number)})`;
}

/** Fails the test with `message` alone: Node.js would append a diff of `actual` and `expected` to it. */
function fail(message: string): never {
  throw new AssertionError({ message });
}

function header(res: PortalResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function headerList(res: PortalResponse, name: string): string[] {
  const value = res.headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function carriesAuthToken(location: string): boolean {
  const query = new URL(location, 'http://portal.invalid').searchParams;
  return [...query.keys()].some((key) => key.toLowerCase() === 'authtoken');
}

/** The parsed JSON body, from `body` or, when a client did not parse it, from `text`. */
function json(res: PortalResponse): Record<string, unknown> | undefined {
  if (res.body !== null && typeof res.body === 'object' && Object.keys(res.body).length > 0) return res.body as Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(res.text ?? '');
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function envelopeOf(res: PortalResponse): Envelope | undefined {
  const body = json(res);
  if (isObject(body?.['status']) && 'data' in body) return 'status';
  if (isObject(body?.['error'])) return 'error';
  return /data-error-number>\d+</.test(res.text ?? '') ? 'page' : undefined;
}

/** code, number and message of a failure, in whichever envelope it came. */
function errorFields(res: PortalResponse): { code: unknown; number: unknown; message: unknown } | undefined {
  const envelope = envelopeOf(res);
  if (envelope === 'page') {
    const text = res.text ?? '';
    return { code: /data-error-code>([^<]*)</.exec(text)?.[1], number: Number(/data-error-number>(\d+)</.exec(text)?.[1]), message: undefined };
  }
  const fields = envelope === undefined ? undefined : (json(res)?.[envelope] as Record<string, unknown>);
  return fields === undefined || fields['code'] === 'OK' ? undefined : { code: fields['code'], number: fields['number'], message: fields['message'] };
}

/** The envelopes the route that answered uses, from the request path when the response knows it. */
function envelopesOf(res: PortalResponse): Envelope[] {
  const path = pathOf(res)?.toLowerCase();
  if (path?.endsWith(routePaths.handoff)) return ['page', 'error'];
  if (path?.endsWith(routePaths.token) || path?.endsWith(routePaths.logout)) return ['status'];
  if (path !== undefined && Object.values(routePaths.logon).some((route) => path.endsWith(route.toLowerCase()))) return ['error'];
  return ['status', 'error', 'page'];
}

function pathOf(res: PortalResponse): string | undefined {
  const request = (res as { req?: { path?: unknown } }).req;
  const raw = typeof request?.path === 'string' ? request.path : res.url;
  return raw === undefined ? undefined : new URL(raw, 'http://portal.invalid').pathname;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}
