import { AssertionError } from 'node:assert';
import { createServer, Server, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { routePaths } from '../adapters/route-paths.js';
import type { LogonResultContract } from '../logon/logon-result.js';
import { describeAnswer, expectSignedIn, type PortalResponse } from './expectations.js';

/** A portal to send a request to: the Express app itself, an `http.Server` (listening or not), or a base URL. */
export type PortalTarget = RequestListener | Server | string;

/** A request of such a client being built: thenable, and `set` adds a header. */
export interface AgentRequest extends PromiseLike<PortalResponse> {
  set(field: string, value: string): AgentRequest;
}

/** A cookie-keeping client such as supertest's `request.agent(app)`. */
export interface SessionAgent {
  get(url: string): AgentRequest;
}

/** What {@link signInWithHandoff} sends. */
export interface HandoffInput {
  /** The one-time token (e.g. from `partner.mintAuthToken`). Required. */
  token: string;
  /** Where to land afterwards. @default the portal's `handoff.defaultReturnTo` */
  returnTo?: string;
  /**
   * Asks for the chromeless rendering. Without `Sec-Fetch-Dest` a `noChrome` handoff is taken
   * for a frame, whose session cookie is `Secure`: send `headers: { 'sec-fetch-dest': 'document' }`
   * for a top-level one (an agent speaking http never sends a `Secure` cookie back).
   * @default false
   */
  noChrome?: boolean;
  /** Headers of the handoff request (`x-forwarded-for`, `sec-fetch-dest`…). @default none */
  headers?: Record<string, string>;
  /** Where the router is mounted: empty, or a path starting with a single `/`. @default '' */
  mount?: string;
}

/** The body of `POST /authentication/token` (see the README's field table). */
export interface SessionTokenCredentials {
  organisation: string;
  username?: string;
  password?: string;
  access_token_identifier?: { authentication_code: string } | { identifier: string; pass_code: string };
  unit?: string;
}

/** The body of `POST /Authentication/LogonWithToken`. */
export interface LogonWithTokenBody {
  token: string;
  tokenType: string;
  tenantName?: string;
  clientId?: string;
  timeZoneOffsetMinutes?: number;
}

/** Where the router is mounted, for the helpers that take a portal. */
export interface MountOption {
  /** Empty, or a path starting with a single `/`. @default '' */
  mount?: string;
}

/**
 * Signs a user in through the handoff with a cookie-keeping agent (supertest's
 * `request.agent(app)`): sends `GET {mount}/authentication/login?authToken=…`, asserts the
 * sign-in as {@link expectSignedIn} does, follows the 303 as a browser would (with the same
 * headers), and returns the same agent, now carrying the session. Fails with what the portal
 * answered, never the token; also when the session cookie is `Secure`, which an agent
 * speaking http never sends back.
 */
export async function signInWithHandoff<A extends SessionAgent>(agent: A, input: HandoffInput): Promise<A> {
  const query = new URLSearchParams({ authToken: input.token });
  if (input.returnTo !== undefined) query.set('returnTo', input.returnTo);
  if (input.noChrome === true) query.set('noChrome', 'true');
  const get = (path: string) => Object.entries(input.headers ?? {}).reduce((pending, [name, value]) => pending.set(name, value), agent.get(path));
  const res = await get(`${mountOf(input)}${routePaths.handoff}?${query}`);
  expectSignedIn(res);
  const cookies = res.headers['set-cookie'];
  if ([cookies ?? []].flat().some((cookie) => /;\s*secure\s*(;|$)/i.test(cookie))) {
    throw new AssertionError({ message: 'the handoff set a Secure session cookie, which an agent speaking http never sends back: check it with expectSignedIn instead' });
  }
  const location = res.headers['location'] as string;
  if (!/^\/(?![/\\])/.test(location)) throw new AssertionError({ message: 'expected the handoff to redirect to a path of the portal' });
  // The landing page is the app's own: what it answers is not judged here.
  await get(location);
  return agent;
}

/**
 * Trades credentials for a session token at `POST {mount}/authentication/token` and returns
 * the token; fails with the portal's answer (`401 login_failed (10006)`) when it refuses.
 */
export async function issueSessionToken(portal: PortalTarget, credentials: SessionTokenCredentials, options: MountOption = {}): Promise<string> {
  const res = await sendJson(portal, `${mountOf(options)}${routePaths.token}`, credentials);
  const token = (res.body as { data?: { token?: unknown } } | undefined)?.data?.token;
  if (res.status !== 200 || typeof token !== 'string') throw new AssertionError({ message: `expected a session token, but the portal answered ${describeAnswer(res)}` });
  return token;
}

/**
 * Logs on at `POST {mount}/Authentication/LogonWithToken` and returns the connection
 * (`ConnectionId`, `JWTToken`, …); fails with the portal's answer (`401 token_invalid (10376)`)
 * when it refuses.
 */
export async function logonWithToken(portal: PortalTarget, body: LogonWithTokenBody, options: MountOption = {}): Promise<LogonResultContract> {
  const res = await sendJson(portal, `${mountOf(options)}${routePaths.logon.logonWithToken}`, body);
  const result = (res.body as { LogonWithToken?: LogonResultContract } | undefined)?.LogonWithToken;
  if (res.status !== 200 || result === undefined) throw new AssertionError({ message: `expected a connection, but the portal answered ${describeAnswer(res)}` });
  return result;
}

/** The mount point, checked: a path of the portal, never another host (`//host`) or scheme. */
function mountOf(options: MountOption): string {
  const mount = options.mount ?? '';
  if (mount !== '' && !/^\/(?![/\\])[^?#]*[^/]$/.test(mount)) throw new TypeError(`mount must be empty or a path such as '/portal', not "${mount}"`);
  return mount;
}

/**
 * POSTs `body` as JSON to `path` of `portal`, on a connection of its own (the test's global
 * dispatcher, a mock or a proxy, never sees it). An app or a server that is not listening is
 * served on a free loopback port for this one request, as supertest does.
 */
async function sendJson(portal: PortalTarget, path: string, body: unknown): Promise<PortalResponse> {
  const ephemeral = typeof portal === 'string' || (portal instanceof Server && portal.listening) ? undefined : portal instanceof Server ? portal : createServer(portal);
  const base = typeof portal === 'string' ? portal.replace(/\/+$/, '') : await originOf(ephemeral ?? (portal as Server));
  const url = new URL(`${base}${path}`);
  if (url.origin !== new URL(base).origin) throw new TypeError(`the request would leave the portal at ${new URL(base).origin}`);
  const dispatcher = new Agent();
  try {
    const res = await request(url, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) });
    const text = await res.body.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.statusCode, headers: res.headers, text, body: parsed, url: path };
  } finally {
    await dispatcher.close();
    if (ephemeral !== undefined) {
      ephemeral.closeAllConnections();
      await new Promise((resolve) => ephemeral.close(resolve));
    }
  }
}

async function originOf(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { address, family, port } = server.address() as AddressInfo;
  // A server listening on every address is reached on loopback.
  if (address === '0.0.0.0' || address === '::') return `http://127.0.0.1:${port}`;
  return `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
}
