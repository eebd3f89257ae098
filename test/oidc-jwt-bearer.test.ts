import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { RequestHandler } from 'express';
import passport from 'passport';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bearerStrategyName, type JwtProfileDefinition, type LoginWithTokenOptions } from '../src/index.js';
import { startIdentityProvider, type TestIdentityProvider } from './support/oidc-provider.js';
import { startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { createTestPortal, type TestPortal, type TestUser } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

// IdP access tokens on API routes (`bearer.jwtProfiles`), their keys found by OpenID Connect
// discovery, against a real oidc-provider; `login.requireScopes` on a route of the app's own.

const invalidToken = 'Bearer realm="api", error="invalid_token"';
const discoveryPath = '/.well-known/openid-configuration';
const paths = ['/api/me', '/api/passport/me'] as const;

let idp: TestIdentityProvider;
let otherIdp: TestIdentityProvider;
/** The tenant's ValidateBearer partner: accepts every token as ContactId 1001, and counts. */
let partner: PartnerServer;

beforeAll(async () => {
  [idp, otherIdp, partner] = await Promise.all([
    // ContactId 1001 is Alice: both clients' tokens name her.
    startIdentityProvider({ subjectOf: { 'service-a': '1001', 'service-b': '1001' } }),
    startIdentityProvider({ subjectOf: { 'service-a': '1001' } }),
    startPartnerServer(),
  ]);
});
afterAll(async () => {
  await Promise.all([idp?.close(), otherIdp?.close(), partner?.close()]);
});

let portal: TestPortal | undefined;
let clock: number | undefined;
beforeEach(() => {
  partner.received.length = 0;
  clock = undefined;
});
afterEach(async () => {
  await portal?.login.close();
  portal = undefined;
});

/** The profile as configured with discovery only: issuer and audience, the rest found at the issuer. */
const discoveryProfile = (extra: Partial<JwtProfileDefinition> = {}): JwtProfileDefinition => ({
  kind: 'jwt',
  issuer: idp.issuer,
  audience: idp.resource,
  userClaim: 'sub',
  userClaimIs: 'contactId',
  ...extra,
});

/** A portal whose API routes verify profile `idp` locally and send any other token to ValidateBearer. */
function createPortal(profile: JwtProfileDefinition = discoveryProfile(), options: Partial<LoginWithTokenOptions<TestUser>> = {}): TestPortal {
  portal = createTestPortal({
    commands: { ValidateBearer: { method: 'GET', url: `${partner.origin}/validate`, headers: { 'x-forwarded-token': 'Bearer {bearerToken}' } } },
    logon: { tokenTypes: { idp: profile } },
    bearer: { jwtProfiles: ['idp'] },
    now: () => clock ?? Date.now(),
    ...options,
  });
  return portal;
}

const call = (path: string, token: string) => request(portal!.app).get(path).set('authorization', `Bearer ${token}`);

/** Discovery and JWKS requests the provider has received so far. */
const fetches = (provider: TestIdentityProvider = idp) => ({ discovery: provider.requestCount(discoveryPath), jwks: provider.requestCount('/jwks') });

/** `token` with its payload replaced by `change(payload)`, header and signature kept. */
function withPayload(token: string, change: (payload: Record<string, unknown>) => Record<string, unknown>): string {
  const [header, , signature] = token.split('.');
  return recordSecret(`${header}.${base64url.encode(JSON.stringify(change(decodeJwt(token))))}.${signature}`);
}

describe('IdP JWT access tokens on API routes (bearer.jwtProfiles), keys by discovery', () => {
  describe('a valid token of the provider', () => {
    it.each(paths)('signs Alice in on %s with the token’s facts as authInfo, without ValidateBearer', async (path) => {
      createPortal();
      const { accessToken } = await idp.jwtToken({ scope: 'read write' });
      const res = await call(path, accessToken);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toEqual({
        user: 'u-alice',
        authInfo: { tenant: 'default', tokenType: 'idp', scopes: ['read', 'write'], expiresAt: decodeJwt(accessToken).exp! * 1000 },
      });
      expect(partner.received).toHaveLength(0);
    });

    it('fetches the discovery document and the JWKS once across many requests, concurrent ones included', async () => {
      createPortal();
      const tokens = await Promise.all([idp.jwtToken(), idp.jwtToken({ scope: 'read write' }), idp.jwtToken({ clientId: 'service-b', scope: 'admin' })]);
      const before = fetches();
      // A cold cache meeting a burst: one fetch of each document serves them all.
      const burst = await Promise.all(tokens.flatMap(({ accessToken }) => paths.map((path) => call(path, accessToken))));
      expect(burst.map((res) => res.status)).toEqual([200, 200, 200, 200, 200, 200]);
      for (let i = 0; i < 12; i++) {
        const res = await call(paths[i % 2]!, tokens[i % 3]!.accessToken);
        expect(res.body.user).toBe('u-alice');
      }
      expect(fetches()).toEqual({ discovery: before.discovery + 1, jwks: before.jwks + 1 });
      expect(partner.received).toHaveLength(0);
    });

    it('accepts the token within clockToleranceSeconds after exp', async () => {
      createPortal();
      const { accessToken } = await idp.jwtToken();
      clock = Date.now() + 320_000; // 300 s lifetime + 20 s, inside the 30 s tolerance
      expect((await call('/api/me', accessToken)).status).toBe(200);
    });
  });

  describe('refusals (401 invalid_token, never ValidateBearer)', () => {
    /** Asserts 401 with the invalid_token challenge on both routes, and that the partner heard nothing. */
    async function expectRefused(token: string) {
      for (const path of paths) {
        const res = await call(path, token);
        expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe(invalidToken);
      }
      // The partner would accept anything: reaching it would have signed Alice in.
      expect(partner.received).toHaveLength(0);
    }

    it('refuses a token for another audience', async () => {
      createPortal(discoveryProfile({ audience: 'https://other-api.portal.test' }));
      await expectRefused((await idp.jwtToken()).accessToken);
    });

    it('refuses an expired token (the portal’s clock past exp and the tolerance)', async () => {
      createPortal();
      const { accessToken } = await idp.jwtToken();
      clock = Date.now() + 340_000;
      await expectRefused(accessToken);
      const last = portal!.audit.at(-1);
      expect(last).toMatchObject({ outcome: 'token_invalid' });
      expect(last?.reason).toMatch(/^idp: /);
    });

    it('refuses tampered tokens naming the right issuer: bad signature, altered claims, another key, unknown kid', async () => {
      createPortal();
      const { accessToken } = await idp.jwtToken();
      const before = fetches();
      expect((await call('/api/me', accessToken)).status).toBe(200);

      const [header, payload, signature] = accessToken.split('.') as [string, string, string];
      const flipped = recordSecret(`${header}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`);
      const otherUser = withPayload(accessToken, (claims) => ({ ...claims, sub: '1002' }));
      const moreScope = withPayload(accessToken, (claims) => ({ ...claims, scope: 'read write admin' }));
      const attacker = await generateKeyPair('RS256');
      const claims = decodeJwt(accessToken);
      const signedBy = async (kid: string) => recordSecret(await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid }).sign(attacker.privateKey));
      const providerKid = decodeProtectedHeader(accessToken).kid!;
      for (const token of [flipped, otherUser, moreScope, await signedBy(providerKid), await signedBy(randomUUID())]) await expectRefused(token);
      // An unknown kid may refetch the JWKS at most once per jwksCooldownMs (30 s): not here.
      expect(fetches()).toEqual({ discovery: before.discovery + 1, jwks: before.jwks + 1 });
    });

    it('refuses alg none and HMAC tokens naming the right issuer', async () => {
      createPortal();
      const { accessToken } = await idp.jwtToken();
      const [, payload] = accessToken.split('.') as [string, string];
      const none = recordSecret(`${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`);
      const hmac = recordSecret(await new SignJWT(decodeJwt(accessToken)).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt' }).sign(new TextEncoder().encode('a-shared-secret-nobody-agreed-on')));
      await expectRefused(none);
      await expectRefused(hmac);
    });

    it('enforces requiredClaims: the client_id the provider puts into its access tokens', async () => {
      createPortal(discoveryProfile({ requiredClaims: { client_id: 'service-a' } }));
      const fromA = (await idp.jwtToken({ clientId: 'service-a' })).accessToken;
      const fromB = (await idp.jwtToken({ clientId: 'service-b' })).accessToken;
      expect(decodeJwt(fromB)).toMatchObject({ client_id: 'service-b', sub: '1001' });
      expect((await call('/api/me', fromA)).status).toBe(200);
      await expectRefused(fromB);
    });
  });

  describe('requiredScopes on the profile', () => {
    it.each(paths)('answers 403 insufficient_scope with the RFC 6750 challenge on %s', async (path) => {
      createPortal(discoveryProfile({ requiredScopes: ['read', 'write'] }));
      const res = await call(path, (await idp.jwtToken({ scope: 'read' })).accessToken);
      expect(res.status).toBe(403);
      expect(res.body.status).toMatchObject({ code: 'insufficient_scope', number: 19006 });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="read write"');
      expect((await call(path, (await idp.jwtToken({ scope: 'write read admin' })).accessToken)).status).toBe(200);
      expect(partner.received).toHaveLength(0);
    });

    it('refuses a token granting no scope at all', async () => {
      createPortal(discoveryProfile({ requiredScopes: ['read'] }));
      const { accessToken } = await idp.jwtToken({ scope: '' });
      expect(decodeJwt(accessToken).scope).toBeUndefined();
      const res = await call('/api/me', accessToken);
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="read"');
    });
  });

  describe('tokens of other issuers', () => {
    it('sends a JWT of another issuer to ValidateBearer as before, fetching nothing from either provider', async () => {
      createPortal();
      const { accessToken } = await otherIdp.jwtToken();
      const [before, otherBefore] = [fetches(), fetches(otherIdp)];
      const res = await call('/api/me', accessToken);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ user: 'u-alice', authInfo: { tenant: 'default', tokenType: 'bearer' } });
      expect(partner.received).toHaveLength(1);
      expect(partner.received[0]!.headers['x-forwarded-token']).toBe(`Bearer ${accessToken}`);
      expect(fetches()).toEqual(before);
      expect(fetches(otherIdp)).toEqual(otherBefore);
    });
  });

  describe('the provider unreachable', () => {
    it('answers 503 validator_unavailable, never 401 and never ValidateBearer, and recovers once it is back', async () => {
      createPortal(discoveryProfile({ jwksCooldownMs: 1000, jwksMaxAgeMs: 1000 }));
      const { accessToken } = await idp.jwtToken();
      await idp.stop();
      try {
        for (const path of [...paths, ...paths]) {
          const res = await call(path, accessToken);
          expect(res.status, JSON.stringify(res.body)).toBe(503);
          expect(res.body.status).toMatchObject({ code: 'validator_unavailable', number: 10246 });
        }
        expect(partner.received).toHaveLength(0);
        expect(portal!.audit.at(-1)).toMatchObject({ outcome: 'validator_unavailable' });
      } finally {
        await idp.restart();
      }
      // An outage is not remembered past the cool-down: the keys are fetched again.
      let status = 0;
      for (let attempt = 0; attempt < 30 && status !== 200; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        status = (await call('/api/me', accessToken)).status;
        expect([200, 503]).toContain(status);
      }
      expect(status).toBe(200);
    });
  });
});

/** A loopback server publishing JSON documents (or raw answers) by path, counting what it receives. */
interface DocumentServer {
  readonly origin: string;
  readonly port: number;
  publish(path: string, document: unknown, status?: number, headers?: Record<string, string>): void;
  /** Requests received per path. */
  hits(path: string): number;
  /** Requests and connections received at all. */
  traffic(): { requests: number; connections: number };
  close(): Promise<void>;
}

async function startDocumentServer(host = '127.0.0.1'): Promise<DocumentServer> {
  const documents = new Map<string, { status: number; body: string; headers: Record<string, string> }>();
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let requests = 0;
  let connections = 0;
  const server: Server = createServer((req, res) => {
    requests++;
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const document = documents.get(path);
    if (document === undefined) res.writeHead(404).end();
    else res.writeHead(document.status, { 'content-type': 'application/json', ...document.headers }).end(document.body);
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://${host}:${port}`,
    port,
    publish: (path, document, status = 200, headers = {}) => documents.set(path, { status, body: JSON.stringify(document), headers }),
    hits: (path) => counts.get(path) ?? 0,
    traffic: () => ({ requests, connections }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('discovery documents under the destination policy', () => {
  const issuer = 'https://idp.portal.test';
  const audience = 'https://api.portal.test';
  let jwks: { keys: JWK[] };
  let token: string;
  /** Serves the discovery documents, on 127.0.0.1. */
  let metadata: DocumentServer;
  /** Serves the key set on 127.0.0.1 (reached as `localhost` too). */
  let keyHost: DocumentServer;
  /** Serves the key set on 127.0.0.2: loopback, but not the address the portal allows. */
  let otherAddress: DocumentServer;

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' }] };
    const now = Math.floor(Date.now() / 1000);
    token = recordSecret(await new SignJWT({ iss: issuer, aud: audience, sub: '1001', scope: 'read', iat: now, exp: now + 600 }).setProtectedHeader({ alg: 'RS256', kid }).sign(pair.privateKey));
    [metadata, keyHost, otherAddress] = await Promise.all([startDocumentServer(), startDocumentServer(), startDocumentServer('127.0.0.2')]);
    keyHost.publish('/jwks', jwks);
    otherAddress.publish('/jwks', jwks);
  });
  afterAll(async () => {
    await Promise.all([metadata?.close(), keyHost?.close(), otherAddress?.close()]);
  });

  /** Publishes a discovery document at a fresh path and answers a portal whose profile finds its keys there. */
  function portalWithDiscovery(document: Record<string, unknown>, http: NonNullable<LoginWithTokenOptions<TestUser>['http']>, status = 200, headers: Record<string, string> = {}): TestPortal {
    const path = `/${randomUUID()}${discoveryPath}`;
    metadata.publish(path, document, status, headers);
    return createPortal({ kind: 'jwt', issuer, audience, discoveryUrl: `${metadata.origin}${path}`, userClaim: 'sub', userClaimIs: 'contactId' }, { commands: {}, http });
  }

  const localhostOnLoopback = async () => [{ address: '127.0.0.1' }];

  describe('a jwks_uri on a host off http.allowedHosts', () => {
    it('is used when the host is on the list', async () => {
      portalWithDiscovery({ issuer, jwks_uri: `http://localhost:${keyHost.port}/jwks` }, { allowedHosts: ['127.0.0.1', 'localhost'], lookup: localhostOnLoopback });
      const before = keyHost.hits('/jwks');
      expect((await call('/api/me', token)).body.user).toBe('u-alice');
      expect(keyHost.hits('/jwks')).toBe(before + 1);
    });

    it('is refused: 503, and the key host never hears from the portal', async () => {
      portalWithDiscovery({ issuer, jwks_uri: `http://localhost:${keyHost.port}/jwks` }, { allowedHosts: ['127.0.0.1'], lookup: localhostOnLoopback });
      const before = keyHost.traffic();
      for (const path of paths) {
        const res = await call(path, token);
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.body.status.code).toBe('validator_unavailable');
      }
      expect(keyHost.traffic()).toEqual(before);
      expect(portal!.audit.at(-1)?.reason).toMatch(/allowedHosts/);
    });
  });

  describe('a jwks_uri on a private address off http.allowPrivateAddresses', () => {
    it('is used when the address is allowed', async () => {
      portalWithDiscovery({ issuer, jwks_uri: `${otherAddress.origin}/jwks` }, { allowPrivateAddresses: ['127.0.0.0/8'] });
      const before = otherAddress.hits('/jwks');
      expect((await call('/api/me', token)).body.user).toBe('u-alice');
      expect(otherAddress.hits('/jwks')).toBe(before + 1);
    });

    it('is refused: 503, and not even a connection reaches it', async () => {
      // The discovery document itself, on 127.0.0.1, is allowed; 127.0.0.2 is not.
      portalWithDiscovery({ issuer, jwks_uri: `${otherAddress.origin}/jwks` }, { allowPrivateAddresses: ['127.0.0.1'] });
      const before = otherAddress.traffic();
      const res = await call('/api/me', token);
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.status.code).toBe('validator_unavailable');
      expect(otherAddress.traffic()).toEqual(before);
    });

    it('refuses a jwks_uri over plain http to a host that is not loopback', async () => {
      portalWithDiscovery({ issuer, jwks_uri: `http://keys.idp.portal.test:${keyHost.port}/jwks` }, { lookup: localhostOnLoopback });
      const before = keyHost.traffic();
      expect((await call('/api/me', token)).status).toBe(503);
      expect(keyHost.traffic()).toEqual(before);
    });
  });

  describe('discovery metadata naming another issuer', () => {
    it.each([
      ['another provider', 'https://attacker.portal.test'],
      ['a trailing slash', `${issuer}/`],
      ['no issuer', undefined],
    ])('is refused (%s): 503, and its jwks_uri is never fetched', async (_name, named) => {
      portalWithDiscovery({ ...(named === undefined ? {} : { issuer: named }), jwks_uri: `${keyHost.origin}/jwks` }, {});
      const before = keyHost.traffic();
      const res = await call('/api/me', token);
      expect(res.status, JSON.stringify(res.body)).toBe(503);
      expect(res.body.status.code).toBe('validator_unavailable');
      expect(keyHost.traffic()).toEqual(before);
    });

    it('is refused for the real provider’s tokens too, its JWKS left alone', async () => {
      const path = `/${randomUUID()}${discoveryPath}`;
      metadata.publish(path, { issuer: otherIdp.issuer, jwks_uri: `${idp.issuer}/jwks` });
      createPortal(discoveryProfile({ discoveryUrl: `${metadata.origin}${path}` }));
      const { accessToken } = await idp.jwtToken();
      const before = fetches();
      expect((await call('/api/me', accessToken)).status).toBe(503);
      expect(fetches()).toEqual(before);
      expect(partner.received).toHaveLength(0);
    });
  });

  it('does not follow a redirect from the discovery URL', async () => {
    const target = `/${randomUUID()}${discoveryPath}`;
    metadata.publish(target, { issuer, jwks_uri: `${keyHost.origin}/jwks` });
    portalWithDiscovery({}, {}, 302, { location: `${metadata.origin}${target}` });
    const res = await call('/api/me', token);
    expect(res.status).toBe(503);
    expect(metadata.hits(target)).toBe(0);
  });
});

describe('login.requireScopes on a route of the app’s own', () => {
  /**
   * The portal with `POST /orders` behind `login.bearer` and `login.requireScopes(...scopes)`,
   * and `POST /orders/passport` behind the bearer strategy (a Passport of the app's own) instead.
   */
  function portalWithOrders(...scopes: string[]): TestPortal {
    const { app, login } = createPortal();
    const auth = new passport.Passport();
    auth.use(login.bearerStrategy);
    const show: RequestHandler = (req, res) => {
      res.json({ user: (req.user as TestUser).id });
    };
    app.post('/orders', login.bearer, login.requireScopes(...scopes), show);
    app.post('/orders/passport', auth.initialize(), auth.authenticate(bearerStrategyName, { session: false }), login.requireScopes(...scopes), show);
    app.use(login.apiErrorHandler);
    return portal!;
  }

  const order = (token: string, path = '/orders') => request(portal!.app).post(path).set('authorization', `Bearer ${token}`);

  it('passes a token granting the scope', async () => {
    portalWithOrders('write');
    const res = await order((await idp.jwtToken({ scope: 'read write' })).accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'u-alice' });
  });

  it('works behind the bearer strategy too, which sets req.authInfo', async () => {
    portalWithOrders('write');
    expect((await order((await idp.jwtToken({ scope: 'read write' })).accessToken, '/orders/passport')).body).toEqual({ user: 'u-alice' });
    const res = await order((await idp.jwtToken({ scope: 'read' })).accessToken, '/orders/passport');
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="write"');
  });

  it('refuses a token lacking it with 403 and a challenge naming scope="write"; the token still works where no scope is required', async () => {
    portalWithOrders('write');
    const { accessToken } = await idp.jwtToken({ scope: 'read' });
    const res = await order(accessToken);
    expect(res.status).toBe(403);
    expect(res.body.status).toMatchObject({ code: 'insufficient_scope', number: 19006 });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="write"');
    expect((await call('/api/me', accessToken)).status).toBe(200);
  });

  it('names every scope the route requires in the challenge', async () => {
    portalWithOrders('read', 'write');
    const res = await order((await idp.jwtToken({ scope: 'read' })).accessToken);
    expect(res.status).toBe(403);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="read write"');
  });

  it('lets the bearer refusal come first: a forged token is 401, not 403', async () => {
    portalWithOrders('write');
    const forged = withPayload((await idp.jwtToken({ scope: 'read' })).accessToken, (claims) => ({ ...claims, scope: 'read write' }));
    const res = await order(forged);
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe(invalidToken);
  });
});
