import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { recordSecret } from './secrets.js';

/** The clients that may obtain access tokens from the identity provider. */
export type ServiceClientId = 'service-a' | 'service-b';

/** An access token as the token endpoint issued it. */
export interface IssuedToken {
  accessToken: string;
  /** `expires_in` of the token response, in seconds. */
  expiresIn: number;
}

/** Which token to issue: `scope` defaults to `'read'` (`''` requests none), `clientId` to `'service-a'`. */
export interface TokenOptions {
  scope?: string;
  clientId?: ServiceClientId;
}

/**
 * A real OAuth 2.0 / OpenID Connect server (oidc-provider) on 127.0.0.1, for RFC 7662 introspection,
 * discovery and JWT access-token tests. Every client secret and issued token is recorded for the leak check.
 */
export interface TestIdentityProvider {
  /** e.g. `'http://127.0.0.1:54321'` — also the `issuer` in its discovery document. */
  readonly issuer: string;
  /** The resource indicator (audience) that JWT access tokens are issued for. */
  readonly resource: string;
  /**
   * The confidential client `portal`, allowed to introspect and revoke every client's tokens; it may
   * authenticate with `client_secret_basic` or `client_secret_post`. The service clients may only
   * introspect and revoke their own.
   */
  readonly introspectionClient: { clientId: string; clientSecret: string };
  /** Issues an opaque access token (client credentials grant, no resource indicator). */
  opaqueToken(options?: TokenOptions): Promise<IssuedToken>;
  /** Issues an RS256 JWT access token for `resource` (client credentials grant with a resource indicator). */
  jwtToken(options?: TokenOptions): Promise<IssuedToken>;
  /** Revokes an opaque token at the RFC 7009 revocation endpoint (oidc-provider refuses JWTs there). */
  revoke(token: string): Promise<void>;
  /** Introspects an opaque token as the portal client (oidc-provider refuses JWTs there). */
  introspect(token: string): Promise<Record<string, unknown>>;
  /** Requests received per path (`'/token/introspection'`, `'/.well-known/openid-configuration'`, `'/jwks'`), not counting the harness's own. */
  requestCount(path: string): number;
  /** Stops accepting connections and destroys the open ones; tokens issued so far stay valid. */
  stop(): Promise<void>;
  /** Listens again on the same port after `stop()`. */
  restart(): Promise<void>;
  /** Stops the provider for good. */
  close(): Promise<void>;
}

/** Settings of {@link startIdentityProvider}. */
export interface IdentityProviderOptions {
  /** Lifetime of every access token, in seconds (default 300). */
  accessTokenTtlSeconds?: number;
  /** The `sub` of each client's tokens (default: the client id). */
  subjectOf?: Partial<Record<ServiceClientId, string>>;
}

const resource = 'https://api.portal.test';
const scopes = ['read', 'write', 'admin'];
const portalClientId = 'portal';
/** Marks the harness's own requests, which `requestCount` leaves out. */
const harnessHeader = 'x-test-identity-provider';

/** The part of oidc-provider's `Provider` the harness uses (the package ships no type declarations). */
interface OidcProvider {
  callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}
interface OidcProviderModule {
  Provider: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  errors: { InvalidTarget: new (description?: string) => Error };
}
/** The token fields the configuration hooks read. */
interface ProviderToken {
  clientId: string;
}
interface ProviderClient {
  clientId: string;
}

let loaded: Promise<OidcProviderModule> | undefined;

/** Imports oidc-provider once, without its notice that it prefers Node.js 22 (the harness's own test runs it on the supported Node.js 20). */
function loadOidcProvider(): Promise<OidcProviderModule> {
  loaded ??= (async () => {
    const warn = console.warn;
    console.warn = (...args: unknown[]) => {
      if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
      warn(...args);
    };
    try {
      // @ts-expect-error -- oidc-provider ships no type declarations; OidcProviderModule describes what is used.
      return (await import('oidc-provider')) as OidcProviderModule;
    } finally {
      console.warn = warn;
    }
  })();
  return loaded;
}

/**
 * oidc-provider's storage, kept in memory per provider (its built-in memory adapter is shared
 * by every instance and warns on each start).
 */
function memoryAdapter(): (model: string) => object {
  const store = new Map<string, Record<string, unknown>>();
  return (model) => {
    const key = (id: string) => `${model}:${id}`;
    return {
      async upsert(id: string, payload: Record<string, unknown>) {
        store.set(key(id), payload);
      },
      async find(id: string) {
        return store.get(key(id));
      },
      async findByUid() {
        return undefined;
      },
      async findByUserCode() {
        return undefined;
      },
      async consume(id: string) {
        const payload = store.get(key(id));
        if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      },
      async destroy(id: string) {
        store.delete(key(id));
      },
      async revokeByGrantId(grantId: string) {
        for (const [stored, payload] of store) if (payload.grantId === grantId) store.delete(stored);
      },
    };
  };
}

/** A random secret, recorded for the leak check. */
function secret(): string {
  return recordSecret(randomBytes(32).toString('base64url'));
}

/** Starts an identity provider on a random port of 127.0.0.1, with clients `service-a`, `service-b` and `portal`. */
export async function startIdentityProvider(options: IdentityProviderOptions = {}): Promise<TestIdentityProvider> {
  const { Provider, errors } = await loadOidcProvider();
  const ttl = options.accessTokenTtlSeconds ?? 300;
  const subjectOf = (clientId: string): string => options.subjectOf?.[clientId as ServiceClientId] ?? clientId;
  const secrets: Record<ServiceClientId | typeof portalClientId, string> = { 'service-a': secret(), 'service-b': secret(), portal: secret() };

  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let handle: (req: IncomingMessage, res: ServerResponse) => Promise<void> = async (_req, res) => {
    res.writeHead(503).end();
  };
  const server: Server = createServer((req, res) => {
    if (req.headers[harnessHeader] === undefined) {
      const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let listening = false;
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        listening = true;
        resolve();
      });
    });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  // oidc-provider takes the issuer as given: plain http on loopback needs no proxy setting.
  const issuer = `http://127.0.0.1:${port}`;

  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const serviceClient = (clientId: ServiceClientId) => ({
    client_id: clientId,
    client_secret: secrets[clientId],
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: scopes.join(' '),
  });
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [
      serviceClient('service-a'),
      serviceClient('service-b'),
      // Secret clients may authenticate with client_secret_basic or client_secret_post alike.
      { client_id: portalClientId, client_secret: secrets.portal, grant_types: [], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' },
    ],
    jwks: { keys: [signingKey] },
    cookies: { keys: [secret()] },
    // Scopes oidc-provider does not know are dropped from requests without a resource indicator.
    scopes: ['openid', 'offline_access', ...scopes],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: ProviderClient, token: ProviderToken) => client.clientId === portalClientId || client.clientId === token.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx: unknown, client: ProviderClient, token: ProviderToken) => client.clientId === portalClientId || client.clientId === token.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // No resource indicator, no resource server: the token is opaque.
        defaultResource: async () => undefined,
        getResourceServerInfo: async (_ctx: unknown, indicator: string) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return { scope: scopes.join(' '), audience: resource, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    ttl: { ClientCredentials: () => ttl },
    // Client credentials tokens have no account: give both formats a `sub`. Opaque tokens show
    // the extra claims in introspection answers; JWTs put `sub` after them, hence the customizer.
    extraTokenClaims: async (_ctx: unknown, token: ProviderToken) => ({ sub: subjectOf(token.clientId) }),
    formats: {
      customizers: {
        jwt: async (_ctx: unknown, token: ProviderToken, jwt: { payload: Record<string, unknown> }) => {
          jwt.payload.sub = subjectOf(token.clientId);
        },
      },
    },
  });
  handle = provider.callback();

  /** POSTs a form as `clientId` with HTTP Basic authentication and answers the parsed body. */
  async function post(path: string, clientId: ServiceClientId | typeof portalClientId, form: Record<string, string>): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secrets[clientId])}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        [harnessHeader]: '1',
      },
      body: new URLSearchParams(form),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }

  /** Describes a failed call without the request or token. */
  function failure(what: string, status: number, body: unknown): Error {
    const error = (body as { error?: unknown } | undefined)?.error;
    return new Error(`identity provider ${what} failed: HTTP ${status}${typeof error === 'string' ? ` ${error}` : ''}`);
  }

  async function token(what: string, tokenOptions: TokenOptions, extra: Record<string, string>): Promise<IssuedToken> {
    const { scope = 'read', clientId = 'service-a' } = tokenOptions;
    const { status, body } = await post('/token', clientId, { grant_type: 'client_credentials', ...(scope === '' ? {} : { scope }), ...extra });
    const answer = body as { access_token?: unknown; expires_in?: unknown } | undefined;
    if (status !== 200 || typeof answer?.access_token !== 'string' || typeof answer.expires_in !== 'number') throw failure(what, status, body);
    return { accessToken: recordSecret(answer.access_token), expiresIn: answer.expires_in };
  }

  async function stop(): Promise<void> {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  return {
    issuer,
    resource,
    introspectionClient: { clientId: portalClientId, clientSecret: secrets.portal },
    opaqueToken: (tokenOptions = {}) => token('opaque token request', tokenOptions, {}),
    jwtToken: (tokenOptions = {}) => token('JWT token request', tokenOptions, { resource }),
    async revoke(value) {
      const { status, body } = await post('/token/revocation', portalClientId, { token: value });
      if (status !== 200) throw failure('revocation', status, body);
    },
    async introspect(value) {
      const { status, body } = await post('/token/introspection', portalClientId, { token: value });
      if (status !== 200 || typeof body !== 'object' || body === null) throw failure('introspection', status, body);
      return body as Record<string, unknown>;
    },
    requestCount: (path) => counts.get(path) ?? 0,
    stop,
    async restart() {
      if (!listening) await listen(port);
    },
    close: stop,
  };
}
