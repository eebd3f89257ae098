import { randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import type { HttpCommandDefinition } from '../config/command-schema.js';
import type { IntrospectionCommandDefinition } from '../config/introspection-command-schema.js';
import { addressMatcher } from '../destination/address-ranges.js';
import type { HttpOptions } from '../destination/http-options.js';
import { PartnerCall, type PartnerEndpoint } from './partner-call.js';

/** A contact as the partner names it in its answers: by id (`ContactId`) or by e-mail (`ContactEmail`). */
export type PartnerContact = { contactId: string | number; contactEmail?: undefined } | { contactEmail: string; contactId?: undefined };

/** Whom a token is for: a contact, or the name of one in `contacts`. */
export type ContactReference = PartnerContact | { contact: string; contactId?: undefined; contactEmail?: undefined };

/** What {@link PartnerSimulator.mintAuthToken} needs. */
export type MintAuthTokenInput = ContactReference & {
  /** Milliseconds until the partner refuses the token. @default 120000 (2 minutes) */
  expiresInMs?: number;
};

/** What {@link PartnerSimulator.mintBearerToken} needs. */
export type MintBearerTokenInput = ContactReference & {
  /** Milliseconds until the token expires; answers state it as `exp`. @default 3600000 (1 hour) */
  expiresInMs?: number;
  /** Scopes the token grants, answered by introspection as `scope`. @default [] */
  scopes?: string[];
  /** The token's audience, answered by introspection as `aud`. @default none */
  audience?: string;
};

/** How the next call fails: an HTTP status (body optional), a delay before the normal answer, or a reset connection. */
export type PartnerFault = { status: number; body?: unknown } | { delayMs: number } | { reset: true };

/** What {@link startPartnerSimulator} accepts. */
export interface PartnerSimulatorOptions {
  /** Named contacts, so a test can mint by name: `mintAuthToken({ contact: 'alice' })`. @default {} */
  contacts?: Record<string, PartnerContact>;
  /** Where to listen: a loopback address (`127.0.0.1` or another `127.x.y.z`, `::1`) or `localhost`, which must resolve to one; anything else throws. @default '127.0.0.1' */
  host?: string;
  /** The port. @default 0 (a free one) */
  port?: number;
  /** The key the portal's commands present (`Authorization: Bearer …`, and the introspection client secret): 16 or more letters, digits or `._~-`. @default random */
  apiKey?: string;
}

/** The partner's login options for `createLoginWithToken`: its commands, and the loopback address it may be called on. */
export interface PartnerPortalOptions {
  commands: { LoginWithToken: HttpCommandDefinition; ValidateBearer: HttpCommandDefinition };
  http: Pick<HttpOptions, 'allowPrivateAddresses'>;
}

/** A running partner simulator (see {@link startPartnerSimulator}). */
export interface PartnerSimulator {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** Every request received, oldest first, its secrets redacted (see {@link PartnerCall}). */
  readonly received: readonly PartnerCall[];
  /** A one-time token for the handoff; the partner vouches for it once, until it expires. */
  mintAuthToken(input: MintAuthTokenInput): string;
  /** An API bearer token the partner answers `ValidateBearer` and introspection calls for. */
  mintBearerToken(input: MintBearerTokenInput): string;
  /** Makes a token it minted, one-time or bearer, inactive at once. */
  revoke(token: string): void;
  /** The HTTP template of a command that calls this partner. @default 'LoginWithToken' */
  command(name?: 'LoginWithToken' | 'ValidateBearer'): HttpCommandDefinition;
  /** `ValidateBearer` as RFC 7662 introspection against this partner; `extra` adds or overrides fields (`requiredScopes`, `audience`, `userClaimIs`). */
  introspectionCommand(extra?: Partial<Omit<IntrospectionCommandDefinition, 'kind'>>): IntrospectionCommandDefinition;
  /**
   * Both HTTP commands and the `http.allowPrivateAddresses` entry the portal needs to call a
   * loopback partner. Spread over the app's options it replaces their `commands` and `http`
   * objects: merge those by hand when the app has more. Like `command()`, it holds the key.
   */
  portalOptions(): PartnerPortalOptions;
  /** Makes the next call fail; several calls queue, one fault per request, in order. */
  failNext(fault: PartnerFault): void;
  /** The received calls, one redacted line each. */
  printReceived(): string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const paths: Record<string, PartnerEndpoint> = { '/login-with-token': 'LoginWithToken', '/validate-bearer': 'ValidateBearer', '/introspect': 'introspection' };
const introspectionClientId = 'login-with-token-portal';
const defaultAuthTokenTtlMs = 120_000;
const defaultBearerTtlMs = 3_600_000;
const maxBodyBytes = 64 * 1024;

interface IssuedToken {
  readonly contact: PartnerContact;
  readonly expiresAt: number;
  readonly scopes: readonly string[];
  readonly audience: string | undefined;
}

/**
 * Starts a real HTTP server on loopback that plays a partner application in an integration
 * test: it mints one-time tokens and vouches for each once (`LoginWithToken`), answers
 * `ValidateBearer` — as a JSON template or as RFC 7662 introspection — for the bearer tokens it
 * minted, fails on demand, and records what it received. Wire a portal to it with
 * `createLoginWithToken({ ...partner.portalOptions(), resolveUser })`.
 *
 * A call the portal gave up on (its deadline passed while `failNext({ delayMs })` held the
 * answer back) does not spend the token, as a partner that never answered would not have.
 *
 * @example
 * ```ts
 * const partner = await startPartnerSimulator();
 * const token = partner.mintAuthToken({ contactId: 1001 });
 * ```
 */
export async function startPartnerSimulator(options: PartnerSimulatorOptions = {}): Promise<PartnerSimulator> {
  const { contacts = {}, host = '127.0.0.1', port = 0, apiKey = randomBytes(24).toString('base64url') } = options;
  // A name is resolved first, so that the server never listens anywhere but on loopback.
  const listenOn = host === 'localhost' ? (await lookup(host)).address : host;
  if (!isLoopbackAddress(listenOn)) throw new Error(`startPartnerSimulator: host must be a loopback address (127.x.y.z, ::1, or localhost resolving to one), not "${host}"`);
  if (!/^[A-Za-z0-9._~-]{16,}$/.test(apiKey)) throw new Error('startPartnerSimulator: apiKey must be at least 16 letters, digits or ._~- characters');

  const authTokens = new Map<string, IssuedToken>();
  const bearerTokens = new Map<string, IssuedToken>();
  const secrets = new Set<string>([apiKey, Buffer.from(`${introspectionClientId}:${apiKey}`).toString('base64')]);
  const received: PartnerCall[] = [];
  const faults: PartnerFault[] = [];
  const sockets = new Set<Socket>();
  const delays = new Set<NodeJS.Timeout>();

  const issue = (into: Map<string, IssuedToken>, prefix: string, input: ContactReference, ttlMs: number, scopes: readonly string[] = [], audience?: string) => {
    if (!Number.isFinite(ttlMs)) throw new Error('expiresInMs must be a number of milliseconds');
    const token = `${prefix}${randomBytes(24).toString('base64url')}`;
    into.set(token, { contact: contactOf(input, contacts), expiresAt: Date.now() + ttlMs, scopes, audience });
    secrets.add(token);
    return token;
  };

  const answer = async (call: PartnerCall, oversize: boolean, req: IncomingMessage, res: ServerResponse) => {
    const fault = faults.shift();
    if (fault !== undefined && 'reset' in fault) return void res.socket?.destroy();
    if (fault !== undefined && 'status' in fault) return json(res, fault.status, fault.body ?? { error: 'simulated failure' });
    if (fault !== undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          delays.delete(timer);
          resolve();
        }, fault.delayMs);
        delays.add(timer);
      });
      if (req.socket.destroyed) return;
    }
    const { body } = call.raw();
    if (call.endpoint === 'unknown') return json(res, 404, { error: 'not found' });
    if (oversize) return json(res, 413, { error: 'body too large' });
    if (!authorized(call, apiKey)) return json(res, 403, { error: 'forbidden' });
    if (call.endpoint === 'LoginWithToken') {
      const entry = takeLive(authTokens, jsonField(body, 'token'), true);
      return entry === undefined ? json(res, 401, { error: 'invalid token' }) : json(res, 200, contactAnswer(entry.contact));
    }
    const token = call.endpoint === 'ValidateBearer' ? jsonField(body, 'token') : (new URLSearchParams(body).get('token') ?? undefined);
    const entry = takeLive(bearerTokens, token, false);
    if (call.endpoint === 'ValidateBearer') return entry === undefined ? json(res, 401, { active: false }) : json(res, 200, { ...contactAnswer(entry.contact), exp: Math.floor(entry.expiresAt / 1000) });
    if (entry === undefined) return json(res, 200, { active: false });
    return json(res, 200, {
      active: true,
      token_type: 'Bearer',
      client_id: 'partner-api-client',
      exp: Math.floor(entry.expiresAt / 1000),
      iat: Math.floor(Date.now() / 1000),
      ...(entry.contact.contactId === undefined ? { email: entry.contact.contactEmail } : { sub: String(entry.contact.contactId) }),
      ...(entry.scopes.length > 0 ? { scope: entry.scopes.join(' ') } : {}),
      ...(entry.audience === undefined ? {} : { aud: entry.audience }),
    });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size < maxBodyBytes) chunks.push(chunk.subarray(0, maxBodyBytes - size));
      size += chunk.length;
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      // An oversize body is recorded cut at the limit, and answered 413.
      const body = Buffer.concat(chunks).toString('utf8');
      const call = new PartnerCall(paths[path.split('?')[0]!] ?? 'unknown', req.method ?? '', { path, headers: req.headers, body }, secrets);
      received.push(call);
      answer(call, size > maxBodyBytes, req, res).catch(() => res.destroy());
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, listenOn, () => resolve());
  });
  const { address, port: boundPort } = server.address() as AddressInfo;
  const close = async () => {
    for (const timer of delays) clearTimeout(timer);
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const origin = `http://${isIP(address) === 6 ? `[${address}]` : address}:${boundPort}`;
  const headers = { 'cache-control': 'no-cache', authorization: `Bearer ${apiKey}` };
  const command = (name: 'LoginWithToken' | 'ValidateBearer' = 'LoginWithToken'): HttpCommandDefinition =>
    name === 'LoginWithToken'
      ? { method: 'POST', url: `${origin}/login-with-token`, body: '{"token":"{authToken}","ipAddress":"{ipAddress}"}', headers: { ...headers } }
      : { method: 'POST', url: `${origin}/validate-bearer`, body: '{"token":"{bearerToken}"}', headers: { ...headers } };

  return {
    origin,
    received,
    mintAuthToken: ({ expiresInMs = defaultAuthTokenTtlMs, ...contact }) => issue(authTokens, 'sim_auth_', contact, expiresInMs),
    mintBearerToken: ({ expiresInMs = defaultBearerTtlMs, scopes = [], audience, ...contact }) => issue(bearerTokens, 'sim_bearer_', contact, expiresInMs, [...scopes], audience),
    revoke: (token) => {
      authTokens.delete(token);
      bearerTokens.delete(token);
    },
    command,
    introspectionCommand: (extra = {}) => ({
      kind: 'introspection',
      url: `${origin}/introspect`,
      clientAuth: { clientId: introspectionClientId, clientSecret: apiKey },
      ...(extra.userClaimIs === 'email' ? { userClaim: 'email' } : {}),
      ...extra,
    }),
    portalOptions: () => ({ commands: { LoginWithToken: command(), ValidateBearer: command('ValidateBearer') }, http: { allowPrivateAddresses: [address] } }),
    failNext: (fault) => void faults.push(fault),
    printReceived: () => received.map(String).join('\n'),
    close,
  };
}

/** True for `::1` and every `127.x.y.z`, in any spelling the destination policy knows (IPv4-mapped too). */
const isLoopbackAddress = addressMatcher(['127.0.0.0/8', '::1']);

function contactOf(reference: ContactReference, contacts: Record<string, PartnerContact>): PartnerContact {
  if ('contact' in reference && reference.contact !== undefined) {
    const named = Object.hasOwn(contacts, reference.contact) ? contacts[reference.contact] : undefined;
    if (named === undefined) throw new Error(`the partner simulator knows no contact named "${reference.contact}"`);
    return contactOf(named, contacts);
  }
  if (reference.contactId !== undefined && reference.contactId !== '') return { contactId: reference.contactId };
  if (typeof reference.contactEmail === 'string' && reference.contactEmail !== '') return { contactEmail: reference.contactEmail };
  throw new Error('a token needs a contactId, a contactEmail or a contact name');
}

/** The live entry for `token`, removed when `once`; undefined for unknown, expired or spent tokens. */
function takeLive(tokens: Map<string, IssuedToken>, token: string | undefined, once: boolean): IssuedToken | undefined {
  const entry = token === undefined ? undefined : tokens.get(token);
  if (entry === undefined || entry.expiresAt <= Date.now()) return undefined;
  if (once) tokens.delete(token!);
  return entry;
}

function contactAnswer(contact: PartnerContact): Record<string, unknown> {
  return contact.contactId === undefined ? { ContactEmail: contact.contactEmail } : { ContactId: contact.contactId };
}

/** The portal presented the key: as a bearer token on the JSON endpoints, as the client secret (HTTP Basic or form fields) on introspection. */
function authorized(call: PartnerCall, apiKey: string): boolean {
  const { headers, body } = call.raw();
  const presented = headers.authorization ?? '';
  if (call.endpoint !== 'introspection') return presented === `Bearer ${apiKey}`;
  const form = new URLSearchParams(body);
  return (
    presented === `Basic ${Buffer.from(`${introspectionClientId}:${apiKey}`).toString('base64')}` ||
    (presented === '' && form.get('client_id') === introspectionClientId && form.get('client_secret') === apiKey)
  );
}

function jsonField(body: string, field: string): string | undefined {
  try {
    const value = (JSON.parse(body) as Record<string, unknown> | null)?.[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}
