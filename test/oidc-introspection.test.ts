import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { IntrospectionCommandDefinition, LoginWithTokenOptions, RequestInfo } from '../src/index.js';
import { startIdentityProvider, type TestIdentityProvider } from './support/oidc-provider.js';
import { json, startPartnerServer } from './support/partner-server.js';
import { createClockedPortal, createTestPortal, type TestPortal, type TestUser } from './support/portal-app.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';
import { recordTelemetry } from './support/telemetry.js';

// RFC 7662 introspection as `ValidateBearer`, end to end against a real authorization server
// (oidc-provider): opaque access tokens of `service-a` name ContactId 1001 (Alice), those of
// `service-b` a contact id no user has.

let idp: TestIdentityProvider;
/** Another provider whose tokens live one second: expired tokens, and tokens foreign to `idp`. */
let shortLived: TestIdentityProvider;
/** What a test opened, closed after it: portals and the stores of clocked ones. */
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  [idp, shortLived] = await Promise.all([
    startIdentityProvider({ subjectOf: { 'service-a': '1001', 'service-b': '9999' } }),
    startIdentityProvider({ accessTokenTtlSeconds: 1, subjectOf: { 'service-a': '1001' } }),
  ]);
});
afterAll(async () => {
  await Promise.all([idp?.close(), shortLived?.close()]);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((one) => one.close()));
});

/** The introspection command for `idp`, endpoint given, client_secret_basic. */
function introspection(overrides: Partial<IntrospectionCommandDefinition> = {}): IntrospectionCommandDefinition {
  return { kind: 'introspection', url: `${idp.issuer}/token/introspection`, issuer: idp.issuer, clientAuth: { ...idp.introspectionClient }, ...overrides };
}

/** A portal (real clock) whose `ValidateBearer` is `command`. */
function portalWith(command: IntrospectionCommandDefinition, options: Partial<LoginWithTokenOptions<TestUser>> = {}): TestPortal {
  const portal = createTestPortal({ commands: { ValidateBearer: command }, ...options });
  opened.push(portal.login);
  return portal;
}

/** A portal on the test's clock whose `ValidateBearer` is `command`. */
function clockedPortalWith(now: () => number, command: IntrospectionCommandDefinition, options: Partial<LoginWithTokenOptions<TestUser>> = {}): TestPortal {
  const { store, ...portal } = createClockedPortal(now, { commands: { ValidateBearer: command }, ...options });
  opened.push(portal.login, store);
  return portal;
}

/** GETs `path` with `token` as the bearer token. */
const call = (portal: TestPortal, token: string, path = '/api/me') => request(portal.app).get(path).set('authorization', `Bearer ${token}`);

/** Introspection calls the portals made to `idp`. */
const introspections = () => idp.requestCount('/token/introspection');
const discoveries = () => idp.requestCount('/.well-known/openid-configuration');

/** An opaque token of Alice (`service-a`) from `idp`. */
const aliceToken = async (scope = 'read') => (await idp.opaqueToken({ scope })).accessToken;

/** `exp` of an `idp` token in milliseconds, as the server answers it (the harness's own call is not counted). */
const expiryOf = async (token: string) => ((await idp.introspect(token)).exp as number) * 1000;

const invalidToken = 'Bearer realm="api", error="invalid_token"';

describe.each([
  ['the plain middleware', '/api/me'],
  ['passport.authenticate', '/api/passport/me'],
])('introspection through %s', (_name, path) => {
  it('accepts an active opaque token and sets req.user to the user its sub names', async () => {
    const portal = portalWith(introspection());
    const before = introspections();
    const res = await call(portal, await aliceToken('read write'), path);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: 'u-alice', authInfo: { tenant: 'default', tokenType: 'bearer', scopes: ['read', 'write'] } });
    expect(introspections()).toBe(before + 1);
  });

  it('refuses a token lacking a required scope with 403 insufficient_scope and the RFC 6750 challenge, and accepts one granting it', async () => {
    const portal = portalWith(introspection({ requiredScopes: ['write'] }));
    const refused = await call(portal, await aliceToken('read'), path);
    expect(refused.status).toBe(403);
    expect(refused.body.status).toMatchObject({ code: 'insufficient_scope', number: 19006 });
    expect(refused.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="write"');
    const granted = await call(portal, await aliceToken('read write'), path);
    expect(granted.status).toBe(200);
    expect(granted.body.user).toBe('u-alice');
  });

  it('answers 503 validator_unavailable, never 401, while the server is down, and 200 once it is back', async () => {
    const portal = portalWith(introspection());
    const token = await aliceToken();
    await idp.stop();
    try {
      const res = await call(portal, token, path);
      expect(res.status).toBe(503);
      expect(res.body.status).toMatchObject({ code: 'validator_unavailable', number: 10246 });
      expect(res.headers['www-authenticate']).toBeUndefined();
    } finally {
      await idp.restart();
    }
    const back = await call(portal, token, path);
    expect(back.status).toBe(200);
    expect(back.body.user).toBe('u-alice');
  });
});

describe('RFC 7662 introspection against a real authorization server', () => {
  it('traces each introspection as a ValidateBearer client span below the bearer span: active ok, revoked rejected', async () => {
    const recorded = recordTelemetry();
    const portal = portalWith(introspection(), { telemetry: recorded.options });
    const active = await aliceToken();
    const revoked = await aliceToken();
    await idp.revoke(revoked);
    expect((await call(portal, active)).status).toBe(200);
    expect((await call(portal, revoked)).status).toBe(401);

    const calls = recorded.spansNamed('ValidateBearer');
    expect(calls.map((span) => span.attributes['login_with_token.outcome'])).toEqual(['ok', 'rejected']);
    const { hostname, port } = new URL(idp.issuer);
    for (const span of calls) {
      expect(span.attributes).toMatchObject({ 'http.request.method': 'POST', 'server.address': hostname, 'server.port': Number(port), 'http.response.status_code': 200 });
    }
    const bearer = recorded.spansNamed('bearer');
    expect(calls.map((span) => span.parentSpanContext?.spanId)).toEqual(bearer.map((span) => span.spanContext().spanId));
    expect(bearer.map((span) => span.attributes['login_with_token.outcome'])).toEqual(['ok', 'token_invalid']);
    expect(await recorded.text()).not.toContain(active);
  });

  describe('client authentication', () => {
    it.each(['client_secret_basic', 'client_secret_post'] as const)('authenticates with %s, and a refused secret is 503, never 401', async (method) => {
      const token = await aliceToken();
      const { clientId, clientSecret } = idp.introspectionClient;
      const before = introspections();
      const res = await call(portalWith(introspection({ clientAuth: { clientId, clientSecret, method } })), token);
      expect(res.status).toBe(200);
      expect(res.body.user).toBe('u-alice');

      const wrongSecret = recordSecret(`${clientSecret.slice(0, -4)}XXXX`);
      const refused = await call(portalWith(introspection({ clientAuth: { clientId, clientSecret: wrongSecret, method } })), token);
      expect(refused.status).toBe(503);
      expect(refused.body.status.code).toBe('validator_unavailable');
      expect(introspections()).toBe(before + 2);
    });
  });

  describe('the user', () => {
    it('refuses an active token whose sub names no user like any unknown token: 401 invalid_token', async () => {
      const portal = portalWith(introspection());
      const { accessToken } = await idp.opaqueToken({ clientId: 'service-b' });
      for (const path of ['/api/me', '/api/passport/me']) {
        const res = await call(portal, accessToken, path);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(invalidToken);
      }
      expect((await call(portal, accessToken)).body.status).toMatchObject({ code: 'token_invalid', number: 10376 });
      expect(portal.audit.at(-1)).toMatchObject({ type: 'bearer', outcome: 'token_invalid', reason: expect.stringContaining('login_failed') });
    });
  });

  describe('expired tokens', () => {
    it('refuses a token the server reports expired: 401 invalid_token', async () => {
      const command = introspection({ url: `${shortLived.issuer}/token/introspection`, issuer: shortLived.issuer, clientAuth: { ...shortLived.introspectionClient } });
      const portal = portalWith(command);
      const { accessToken } = await shortLived.opaqueToken();
      // The server's own view decides here: wait until it no longer calls the token active.
      await expect.poll(async () => (await shortLived.introspect(accessToken)).active, { timeout: 3_000, interval: 100 }).toBe(false);
      const before = shortLived.requestCount('/token/introspection');
      for (const path of ['/api/me', '/api/passport/me']) {
        const res = await call(portal, accessToken, path);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(invalidToken);
      }
      expect((await call(portal, accessToken)).body.status.code).toBe('token_invalid');
      // Asked each time: a rejection is not cached by default.
      expect(shortLived.requestCount('/token/introspection')).toBe(before + 3);
    });

    it('holds exp itself: an answer the server still calls active is refused once the portal clock reaches its exp', async () => {
      const token = await aliceToken();
      const exp = await expiryOf(token);
      let clock = exp - 1;
      // A 1 ms cache keeps the cache's own exp bound out of this: the answer itself is judged.
      const portal = clockedPortalWith(() => clock, introspection(), { bearer: { cacheTtlMs: 1 } });
      expect((await call(portal, token)).status).toBe(200);
      clock = exp;
      const before = introspections();
      const res = await call(portal, token);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(invalidToken);
      expect(introspections()).toBe(before + 1);
    });
  });

  describe('revoked tokens', () => {
    it('are refused at once where no answer is cached, and a cached answer outlives the revocation by at most bearer.cacheTtlMs', async () => {
      let clock = Date.now();
      const cached = clockedPortalWith(() => clock, introspection(), { bearer: { cacheTtlMs: 30_000 } });
      const token = await aliceToken();
      expect((await call(cached, token)).status).toBe(200);
      await idp.revoke(token);

      const before = introspections();
      const fresh = portalWith(introspection());
      const refused = await call(fresh, token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe(invalidToken);
      expect(introspections()).toBe(before + 1);

      // The portal that cached the answer is not told of the revocation: it keeps it for its TTL…
      clock += 29_999;
      expect((await call(cached, token)).status).toBe(200);
      expect(introspections()).toBe(before + 1);
      // …and not a millisecond longer.
      clock += 1;
      expect((await call(cached, token)).status).toBe(401);
      expect(introspections()).toBe(before + 2);
    });
  });

  describe('foreign tokens', () => {
    it('refuses a random string and another server’s token: 401 invalid_token', async () => {
      const portal = portalWith(introspection());
      const random = recordSecret(`opaque-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`);
      const { accessToken: otherServers } = await shortLived.opaqueToken();
      const before = introspections();
      for (const token of [random, otherServers]) {
        const res = await call(portal, token);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(invalidToken);
        expect(res.body.status.code).toBe('token_invalid');
      }
      expect(introspections()).toBe(before + 2);
    });
  });

  describe('the cache', () => {
    it('never serves a cached answer past the token’s exp, however long bearer.cacheTtlMs is', async () => {
      const token = await aliceToken();
      const exp = await expiryOf(token);
      let clock = exp - 250_000;
      const portal = clockedPortalWith(() => clock, introspection(), { bearer: { cacheTtlMs: 3_600_000 } });
      const before = introspections();
      expect((await call(portal, token)).status).toBe(200);
      clock = exp - 1;
      expect((await call(portal, token)).status).toBe(200);
      expect(introspections()).toBe(before + 1);
      clock = exp;
      const res = await call(portal, token);
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe(invalidToken);
      // The entry was gone, so the server was asked again (and its answer judged expired).
      expect(introspections()).toBe(before + 2);
    });

    it('does not extend an entry on a hit: it lapses bearer.cacheTtlMs after the call that made it', async () => {
      let clock = Date.now();
      const portal = clockedPortalWith(() => clock, introspection(), { bearer: { cacheTtlMs: 10_000 } });
      const token = await aliceToken();
      const before = introspections();
      expect((await call(portal, token)).status).toBe(200);
      clock += 5_000;
      expect((await call(portal, token, '/api/passport/me')).status).toBe(200);
      clock += 4_999;
      expect((await call(portal, token)).status).toBe(200);
      expect(introspections()).toBe(before + 1);
      clock += 1;
      expect((await call(portal, token)).status).toBe(200);
      expect(introspections()).toBe(before + 2);
    });
  });

  describe('two policies (Ory Oathkeeper CVE-2021-32701)', () => {
    const tenantPortal = (tenants: Record<string, Partial<IntrospectionCommandDefinition>>) =>
      portalWith(introspection(), {
        tenants: Object.fromEntries(Object.entries(tenants).map(([name, policy]) => [name, { commands: { ValidateBearer: introspection(policy) } }])),
        resolveTenant: (req: RequestInfo) => String(req.headers['x-tenant'] ?? ''),
      });
    const callAs = (portal: TestPortal, tenant: string, token: string) => call(portal, token).set('x-tenant', tenant);

    it('never lets an answer accepted under one tenant’s required scopes pass another’s', async () => {
      const portal = tenantPortal({ reader: { requiredScopes: ['read'] }, writer: { requiredScopes: ['write'] } });
      const token = await aliceToken('read');
      const before = introspections();
      expect((await callAs(portal, 'reader', token)).status).toBe(200);
      expect((await callAs(portal, 'reader', token)).status).toBe(200);
      // The answer is cached for the reader policy…
      expect(introspections()).toBe(before + 1);
      // …and still the writer policy refuses the same token.
      const refused = await callAs(portal, 'writer', token);
      expect(refused.status).toBe(403);
      expect(refused.body.status.code).toBe('insufficient_scope');
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="write"');
      expect(introspections()).toBe(before + 2);
      // The refusal under one policy spoils nothing for the other either.
      expect((await callAs(portal, 'reader', token)).status).toBe(200);
    });

    it('never lets an answer accepted without an audience check pass a tenant that requires an audience', async () => {
      const portal = tenantPortal({ open: {}, strict: { audience: idp.resource } });
      const token = await aliceToken();
      const before = introspections();
      expect((await callAs(portal, 'open', token)).status).toBe(200);
      // Opaque tokens of this server name no audience: under the strict policy the answer is judged anew and refused.
      const refused = await callAs(portal, 'strict', token);
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe(invalidToken);
      expect(introspections()).toBe(before + 2);
    });
  });

  describe('discovery', () => {
    it('takes the introspection endpoint from the issuer’s discovery document when no url is given, fetching it once', async () => {
      const portal = portalWith({ kind: 'introspection', issuer: idp.issuer, clientAuth: { ...idp.introspectionClient } });
      const [before, discoveredBefore] = [introspections(), discoveries()];
      expect((await call(portal, await aliceToken())).body.user).toBe('u-alice');
      expect((await call(portal, await aliceToken(), '/api/passport/me')).body.user).toBe('u-alice');
      expect(introspections()).toBe(before + 2);
      expect(discoveries()).toBe(discoveredBefore + 1);
    });

    it('refuses a discovery document naming another issuer: 503, never 401, and introspects nothing', async () => {
      const forged = await startPartnerServer((received, res) =>
        received.url === '/.well-known/openid-configuration'
          ? json(res, 200, { issuer: idp.issuer, introspection_endpoint: `${idp.issuer}/token/introspection` })
          : json(res, 404, {}),
      );
      try {
        // Served at the issuer the portal was told of, the document claims to be `idp`'s metadata.
        const portal = portalWith({ kind: 'introspection', issuer: forged.origin, clientAuth: { ...idp.introspectionClient } });
        const before = introspections();
        const res = await call(portal, await aliceToken());
        expect(res.status).toBe(503);
        expect(res.body.status.code).toBe('validator_unavailable');
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(forged.received.map((received) => received.url)).toEqual(['/.well-known/openid-configuration']);
        expect(introspections()).toBe(before);
        expect(portal.audit.at(-1)).toMatchObject({ outcome: 'validator_unavailable', reason: expect.stringContaining('another issuer') });
      } finally {
        await forged.close();
      }
    });
  });

  describe('the destination policy', () => {
    it.each([
      ['a configured endpoint', () => introspection()],
      ['a discovered endpoint', (): IntrospectionCommandDefinition => ({ kind: 'introspection', issuer: idp.issuer, clientAuth: { ...idp.introspectionClient } })],
    ])('refuses to call %s on loopback unless http.allowPrivateAddresses allows it: 503, nothing sent', async (_name, command) => {
      const portal = portalWith(command(), { http: { allowPrivateAddresses: [] } });
      const token = await aliceToken();
      const [before, discoveredBefore] = [introspections(), discoveries()];
      const res = await call(portal, token);
      expect(res.status).toBe(503);
      expect(res.body.status.code).toBe('validator_unavailable');
      expect(introspections()).toBe(before);
      expect(discoveries()).toBe(discoveredBefore);
      expect(portal.audit.at(-1)).toMatchObject({ outcome: 'validator_unavailable', reason: expect.stringContaining('LWT_DESTINATION_REFUSED') });
    });
  });

  describe('what is recorded', () => {
    it('keeps the answer and the client credentials out of audit events and logs', async () => {
      const { clientSecret } = idp.introspectionClient;
      const printed: string[] = [];
      const levels = ['log', 'info', 'warn', 'error', 'debug'] as const;
      const originals = levels.map((level) => console[level]);
      levels.forEach((level, index) => {
        console[level] = (...args: unknown[]) => {
          printed.push(args.map(String).join(' '));
          originals[index]!(...args);
        };
      });
      const portal = portalWith(introspection({ clientAuth: { ...idp.introspectionClient, method: 'client_secret_post' }, requiredScopes: ['write'] }));
      try {
        // A missing scope (403), a user nobody has (401), an inactive token (401): the answers of the first two are active.
        expect((await call(portal, await aliceToken('read'))).status).toBe(403);
        expect((await call(portal, (await idp.opaqueToken({ clientId: 'service-b', scope: 'write' })).accessToken)).status).toBe(401);
        const revoked = await aliceToken('write');
        await idp.revoke(revoked);
        expect((await call(portal, revoked)).status).toBe(401);
      } finally {
        levels.forEach((level, index) => (console[level] = originals[index]!));
      }
      expect(portal.audit).toHaveLength(3);
      const allowedFields = ['type', 'outcome', 'at', 'latencyMs', 'ip', 'tenant', 'userId', 'tokenHash', 'reason'];
      for (const event of portal.audit) expect(allowedFields).toEqual(expect.arrayContaining(Object.keys(event)));
      const recorded = JSON.stringify(portal.audit) + printed.join('\n');
      // What only the answer holds (oidc-provider answers active, sub, client_id, exp, iat, iss, scope, token_type).
      for (const fromAnswer of ['service-a', 'service-b', idp.issuer, 'client_id', 'token_type', '"active"', '"iss"']) expect(recorded).not.toContain(fromAnswer);
      expect(recorded).not.toContain(clientSecret);
      expect(leakedSecrets(recorded)).toEqual([]);
    });
  });
});
