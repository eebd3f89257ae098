import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { introspectionCommandSchema, type IntrospectionCommandDefinition } from '../src/config/introspection-command-schema.js';
import { validateOptions } from '../src/config/validate-options.js';
import { httpOptionsSchema, type HttpOptions } from '../src/destination/http-options.js';
import { createPartnerDispatcher, type PartnerDispatcher } from '../src/destination/partner-dispatcher.js';
import type { LoginError } from '../src/errors/login-error.js';
import { IntrospectionClient } from '../src/oauth/introspection-client.js';
import { captureText } from './support/leak-capture.js';
import { startIdentityProvider, type TestIdentityProvider } from './support/oidc-provider.js';
import { json, startPartnerServer, type PartnerServer, type ReceivedRequest } from './support/partner-server.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';
import { rejection } from './support/login-failure.js';

const clientSecret = recordSecret('portal-introspection-secret');
const clientAuth = { clientId: 'portal', clientSecret };
/** Text the server puts in answers no error may repeat. */
const marker = 'answer-body-marker-5d1e';
const wellKnown = '/realm/.well-known/openid-configuration';

/** What the endpoint answers for each token it knows; any other token is inactive. */
const issued = new Map<string, Record<string, unknown>>();
let server: PartnerServer;
let time: number;
let partner: PartnerDispatcher | undefined;
let discoveryDocument: Record<string, unknown>;

const formOf = (received: ReceivedRequest) => [...new URLSearchParams(received.body)];
const introspections = () => server.received.filter((received) => received.method === 'POST');
const discoveries = () => server.received.filter((received) => received.url === wellKnown);

/** Answers `status` with `headers` and `body` as given. */
function send(res: ServerResponse, status: number, headers: Record<string, string | number>, body?: string): void {
  res.writeHead(status, headers).end(body);
}

/** The RFC 7662 endpoint at `/introspect` (and at `/realm/protocol/introspect`), with a discovery document. */
function serve(received: ReceivedRequest, res: ServerResponse) {
  if (received.method === 'GET' && received.url === wellKnown) return json(res, 200, discoveryDocument);
  if (received.method !== 'POST') return json(res, 404, {});
  const token = new URLSearchParams(received.body).get('token') ?? '';
  return json(res, 200, issued.get(token) ?? { active: false });
}

/** A token the endpoint vouches for with `answer` (by default: user 1001, an hour left, scope read). */
function issue(answer: Record<string, unknown> = {}): string {
  const token = recordSecret(`opaque-${Math.random().toString(36).slice(2)}-${issued.size}`);
  issued.set(token, { active: true, sub: '1001', scope: 'read', exp: Math.floor(time / 1000) + 3600, ...answer });
  return token;
}

beforeAll(async () => {
  server = await startPartnerServer();
});
afterAll(() => server.close());
beforeEach(() => {
  time = Date.now();
  issued.clear();
  server.received.length = 0;
  server.behave(serve);
  discoveryDocument = { issuer: `${server.origin}/realm`, introspection_endpoint: `${server.origin}/realm/protocol/introspect` };
});
afterEach(async () => {
  await partner?.close();
  partner = undefined;
});

/** A client built as the portal builds it: one partner pool from the `http` options, here allowing loopback. */
function client(http: HttpOptions = {}) {
  const parsed = validateOptions(httpOptionsSchema, { allowPrivateAddresses: ['127.0.0.0/8'], ...http }, 'http');
  partner = createPartnerDispatcher(parsed);
  return new IntrospectionClient({ dispatcher: partner.dispatcher, http: parsed, now: () => time });
}

/** A compiled introspection command against the test server's `/introspect`, with `fields` set. */
function command(fields: Partial<IntrospectionCommandDefinition> = {}) {
  return introspectionCommandSchema.parse({ kind: 'introspection', url: `${server.origin}/introspect`, clientAuth, ...fields });
}

/**
 * The error `promise` rejects with. Everything of it that could reach a log — message, reason,
 * headers, its cause — is checked for the tokens and secrets, and captured for the suite's leak check.
 */
async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const login = await rejection(promise);
  const cause = login.cause instanceof Error ? `${login.cause.name} ${login.cause.message}` : String(login.cause);
  const visible = [login.message, login.reason, login.description, JSON.stringify(login.headers), cause].join('\n');
  captureText(visible);
  expect(leakedSecrets(visible)).toEqual([]);
  expect(visible).not.toContain(marker);
  return login;
}

describe('IntrospectionClient', () => {
  describe('the request', () => {
    it('POSTs the token form-encoded with its hint, asking for JSON, with client_secret_basic by default', async () => {
      const token = issue();
      await client().introspect(command(), token);
      expect(server.received).toHaveLength(1);
      const [received] = server.received;
      expect(received).toMatchObject({ method: 'POST', url: '/introspect' });
      expect(received!.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(received!.headers.accept).toBe('application/json');
      expect(received!.headers.authorization).toBe(`Basic ${Buffer.from(`portal:${clientSecret}`).toString('base64')}`);
      expect(formOf(received!)).toEqual([
        ['token', token],
        ['token_type_hint', 'access_token'],
      ]);
    });

    it('form-encodes client id and secret before joining them for Basic (RFC 6749 §2.3.1)', async () => {
      const auth = { clientId: 'portal:eu', clientSecret: recordSecret('p@ss:wörd+/ =&%') };
      await client().introspect(command({ clientAuth: auth }), issue());
      const basic = String(introspections()[0]!.headers.authorization).replace(/^Basic /, '');
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      const formDecode = (part: string) => new URLSearchParams(`v=${part}`).get('v');
      expect([formDecode(id!), formDecode(secret!)]).toEqual([auth.clientId, auth.clientSecret]);
    });

    it('sends client_secret_post credentials as form fields, and no Authorization header', async () => {
      const token = issue();
      await client().introspect(command({ clientAuth: { ...clientAuth, method: 'client_secret_post' }, tokenTypeHint: 'refresh_token' }), token);
      const [received] = introspections();
      expect(received!.headers.authorization).toBeUndefined();
      expect(formOf(received!)).toEqual([
        ['token', token],
        ['token_type_hint', 'refresh_token'],
        ['client_id', 'portal'],
        ['client_secret', clientSecret],
      ]);
    });

    it('sends a bearer token as the Authorization header', async () => {
      const bearerToken = recordSecret('portal-bearer-for-introspection');
      await client().introspect(command({ clientAuth: { bearerToken } }), issue());
      const [received] = introspections();
      expect(received!.headers.authorization).toBe(`Bearer ${bearerToken}`);
      expect(formOf(received!).map(([name]) => name)).toEqual(['token', 'token_type_hint']);
    });

    it('sends a token with form-special characters intact, only in the body', async () => {
      const token = recordSecret('tok en+&=?#%/é€');
      issued.set(token, { active: true, sub: '1001' });
      const verdict = await client().introspect(command(), token);
      expect(verdict.active).toBe(true);
      const [received] = introspections();
      expect(received!.url).toBe('/introspect');
      expect(new URLSearchParams(received!.body).get('token')).toBe(token);
    });

    it("keeps the endpoint URL's query", async () => {
      await client().introspect(command({ url: `${server.origin}/introspect?realm=portal` }), issue());
      expect(introspections()[0]!.url).toBe('/introspect?realm=portal');
    });
  });

  describe('a 200 answer', () => {
    it('is judged: an active token gives its user and scopes, bounded by its exp', async () => {
      const exp = Math.floor(time / 1000) + 600;
      const verdict = await client().introspect(command(), issue({ sub: 'user-42', scope: 'read write', exp }));
      expect(verdict).toEqual({ active: true, identity: { contactId: 'user-42', contactEmail: undefined, tokenType: 'bearer' }, scopes: ['read', 'write'], expiresAt: exp * 1000 });
    });

    it('is inactive for a token the server does not know', async () => {
      expect(await client().introspect(command(), recordSecret('never-issued-token-1'))).toMatchObject({ active: false });
    });

    it("is judged by the command's policy: audience and user claim", async () => {
      const token = issue({ aud: 'other-api', username: 'Bob@Example.com' });
      expect(await client().introspect(command({ audience: 'portal' }), token)).toEqual({ active: false, reason: 'aud names no accepted audience' });
      expect(await client().introspect(command({ userClaim: 'username', userClaimIs: 'email' }), token)).toMatchObject({ active: true, identity: { contactEmail: 'bob@example.com' } });
    });

    it("is judged on the client's clock", async () => {
      const token = issue({ exp: Math.floor(time / 1000) + 60 });
      time += 61_000;
      expect(await client().introspect(command(), token)).toEqual({ active: false, reason: 'exp reached' });
    });

    it('accepts a JSON content type with parameters', async () => {
      server.behave((_received, res) => send(res, 200, { 'content-type': 'application/json; charset=utf-8' }, JSON.stringify({ active: true, sub: '7' })));
      expect(await client().introspect(command(), issue())).toMatchObject({ active: true, identity: { contactId: '7' } });
    });

    it.each<[string, (res: ServerResponse) => void, string]>([
      ['of another content type', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end(`<p>${marker}</p>`), 'partner answered a non-JSON content type'],
      ['that is not JSON', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(`{"active": true, "sub": "${marker}"`), 'partner answered invalid JSON'],
      ['without a boolean active', (res) => json(res, 200, { active: 'true', sub: marker }), 'introspection answer has no boolean active'],
      ['with a malformed user', (res) => json(res, 200, { active: true, sub: { name: marker } }), "introspection answer's sub is not a string or whole number"],
    ])('is validator_unavailable when %s, without repeating the answer', async (_what, answer, reason) => {
      server.behave((_received, res) => answer(res));
      const error = await failure(client().introspect(command(), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(reason);
    });

    it.each([
      ['with a content-length', true],
      ['chunked', false],
    ])('is validator_unavailable when larger than http.maxResponseBytes (%s)', async (_how, withLength) => {
      const text = JSON.stringify({ active: true, sub: '1001', padding: marker.repeat(100) });
      server.behave((_received, res) => send(res, 200, { 'content-type': 'application/json', ...(withLength ? { 'content-length': text.length } : {}) }, text));
      const error = await failure(client({ maxResponseBytes: text.length - 1 }).introspect(command(), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('partner answer is larger than the size cap');
      expect(await client({ maxResponseBytes: text.length }).introspect(command(), issue())).toMatchObject({ active: true });
    });
  });

  describe('any other answer is validator_unavailable, never an invalid token', () => {
    it.each([400, 401, 403, 404, 500])('status %i, its Retry-After ignored unless the status is transient', async (status) => {
      server.behave((received, res) => send(res, status, { 'content-type': 'application/json', 'retry-after': '30' }, JSON.stringify({ error: 'invalid_client', echo: received.body, note: marker })));
      const error = await failure(client().introspect(command(), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(`introspection endpoint answered ${status}`);
      // 500 is transient: its Retry-After is passed on.
      expect(error.headers).toEqual(status === 500 ? { 'retry-after': '30' } : {});
    });

    it.each([
      [503, '7', { 'retry-after': '7' }],
      [429, '120', { 'retry-after': '120' }],
      [503, '999999', { 'retry-after': '3600' }],
      [503, 'Wed, 21 Oct 2015 07:28:00 GMT', {}],
      [502, undefined, {}],
    ])('status %i with Retry-After %j passes on %j', async (status, retryAfter, headers) => {
      server.behave((_received, res) => send(res, status, retryAfter === undefined ? {} : { 'retry-after': retryAfter }, marker));
      const error = await failure(client().introspect(command(), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(`introspection endpoint answered ${status}`);
      expect(error.headers).toEqual(headers);
    });

    it('a redirect, which is not followed: the token goes nowhere else', async () => {
      server.behave((received, res) => (received.url === '/moved' ? json(res, 200, { active: true, sub: '1001' }) : send(res, 307, { location: '/moved' })));
      const error = await failure(client().introspect(command(), issue()));
      expect(error.reason).toBe('introspection endpoint answered 307');
      expect(server.received.map((received) => received.url)).toEqual(['/introspect']);
    });

    it('an endpoint that never answers, after timeoutMs', { timeout: 5000 }, async () => {
      server.behave(() => undefined);
      const error = await failure(client().introspect(command({ timeoutMs: 200 }), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toMatch(/^introspection failed: /);
      expect(introspections()).toHaveLength(1);
    });

    it('an answer trickling in faster than any idle timeout, after timeoutMs in all', { timeout: 5000 }, async () => {
      server.behave((_received, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const trickle = setInterval(() => res.write(' '), 20);
        res.on('close', () => clearInterval(trickle));
      });
      const error = await failure(client({ maxResponseBytes: 1024 * 1024 }).introspect(command({ timeoutMs: 300 }), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toMatch(/^introspection failed: /);
    });

    it('an endpoint that never answers, after http.timeoutMs when the command sets none', { timeout: 5000 }, async () => {
      server.behave(() => undefined);
      const error = await failure(client({ timeoutMs: 200 }).introspect(command(), issue()));
      expect(error.reason).toMatch(/^introspection failed: /);
    });

    it('an endpoint that is down', async () => {
      const gone = await startPartnerServer();
      await gone.close();
      const error = await failure(client().introspect(command({ url: `${gone.origin}/introspect` }), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('introspection failed: Error ECONNREFUSED');
    });

    it('a loopback endpoint the pool does not allow: nothing is sent', async () => {
      partner = createPartnerDispatcher(validateOptions(httpOptionsSchema, {}, 'http'));
      const strict = new IntrospectionClient({ dispatcher: partner.dispatcher, http: { timeoutMs: 2000, maxResponseBytes: 65_536 }, now: () => time });
      const error = await failure(strict.introspect(command(), issue()));
      expect(error.reason).toBe('introspection failed: DestinationRefusedError LWT_DESTINATION_REFUSED');
      expect(server.received).toHaveLength(0);
    });
  });

  describe('the endpoint from discovery, when only issuer is configured', () => {
    const discovered = (fields: Partial<IntrospectionCommandDefinition> = {}) => command({ url: undefined, issuer: `${server.origin}/realm`, ...fields });

    it("POSTs to the discovery document's introspection_endpoint, fetching the document once", async () => {
      const introspector = client();
      const token = issue();
      expect(await introspector.introspect(discovered(), token)).toMatchObject({ active: true });
      expect(await introspector.introspect(discovered(), issue())).toMatchObject({ active: true });
      expect(server.received.map((received) => [received.method, received.url])).toEqual([
        ['GET', wellKnown],
        ['POST', '/realm/protocol/introspect'],
        ['POST', '/realm/protocol/introspect'],
      ]);
      expect(new URLSearchParams(introspections()[0]!.body).get('token')).toBe(token);
    });

    it('takes the configured url over discovery', async () => {
      await client().introspect(discovered({ url: `${server.origin}/introspect` }), issue());
      expect(server.received.map((received) => received.url)).toEqual(['/introspect']);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['names another issuer', { issuer: 'https://attacker.example/realm' }, 'discovery document unavailable: discovery document names another issuer'],
      ['names the issuer with a trailing slash', { issuer: 'TRAILING' }, 'discovery document unavailable: discovery document names another issuer'],
      ['names no introspection_endpoint', { introspection_endpoint: undefined }, 'discovery document has no introspection_endpoint'],
      ['names an http endpoint off loopback', { introspection_endpoint: 'http://idp.example/introspect' }, "discovery document's introspection_endpoint must use https (http only for loopback)"],
    ])('refuses a document that %s, and sends the token nowhere', async (_what, fields, reason) => {
      const document = { ...discoveryDocument, ...fields };
      if (document.issuer === 'TRAILING') document.issuer = `${server.origin}/realm/`;
      discoveryDocument = document;
      const error = await failure(client().introspect(discovered(), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe(reason);
      expect(introspections()).toHaveLength(0);
    });

    it('is validator_unavailable while the discovery document cannot be fetched', async () => {
      server.behave((received, res) => (received.method === 'GET' ? json(res, 500, { note: marker }) : serve(received, res)));
      const error = await failure(client().introspect(discovered(), issue()));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('discovery document unavailable: discovery document answered 500');
      expect(introspections()).toHaveLength(0);
    });

    describe('allowedHosts', () => {
      // Another name for the same server: on loopback, but not on a list naming 127.0.0.1 only.
      const lookup = async () => [{ address: '127.0.0.1' }];
      const elsewhere = () => ({ ...discoveryDocument, introspection_endpoint: `http://localhost:${new URL(server.origin).port}/realm/protocol/introspect` });

      it("of the command: a discovered endpoint off the list gets no token", async () => {
        discoveryDocument = elsewhere();
        const error = await failure(client({ lookup }).introspect(discovered({ allowedHosts: ['127.0.0.1'] }), issue()));
        expect(error.reason).toBe("discovery document's introspection_endpoint is on a host off allowedHosts");
        expect(introspections()).toHaveLength(0);
      });

      it('of http, when the command sets none', async () => {
        discoveryDocument = elsewhere();
        const error = await failure(client({ lookup, allowedHosts: ['127.0.0.1'] }).introspect(discovered(), issue()));
        expect(error.reason).toBe("discovery document's introspection_endpoint is on a host off allowedHosts");
        expect(introspections()).toHaveLength(0);
      });

      it("of the command narrow http's, never widen them: an endpoint on the command's list but off http's gets no token", async () => {
        discoveryDocument = elsewhere();
        const error = await failure(client({ lookup, allowedHosts: ['127.0.0.1'] }).introspect(discovered({ allowedHosts: ['127.0.0.1', 'localhost'] }), issue()));
        expect(error.reason).toBe("discovery document's introspection_endpoint is on a host off http.allowedHosts");
        expect(introspections()).toHaveLength(0);
      });

      it('are part of what a discovery is kept for: a command with another list judges the document itself', async () => {
        discoveryDocument = elsewhere();
        const introspector = client({ lookup });
        await failure(introspector.introspect(discovered({ allowedHosts: ['127.0.0.1'] }), issue()));
        expect(await introspector.introspect(discovered({ allowedHosts: ['127.0.0.1', 'localhost'] }), issue())).toMatchObject({ active: true });
        expect(discoveries()).toHaveLength(2);
        expect(introspections()).toHaveLength(1);
        expect(introspections()[0]!.headers.host).toBe(`localhost:${new URL(server.origin).port}`);
      });
    });
  });

  describe('against a real authorization server (oidc-provider)', () => {
    let idp: TestIdentityProvider;

    beforeAll(async () => {
      idp = await startIdentityProvider({ subjectOf: { 'service-b': 'user-42' } });
    });
    afterAll(() => idp.close());

    const idpCommand = (fields: Partial<IntrospectionCommandDefinition> = {}) =>
      introspectionCommandSchema.parse({ kind: 'introspection', issuer: idp.issuer, clientAuth: idp.introspectionClient, ...fields });

    it.each(['client_secret_basic', 'client_secret_post'] as const)('introspects its tokens via discovery with %s', async (method) => {
      const { accessToken } = await idp.opaqueToken({ clientId: 'service-b', scope: 'read write' });
      const verdict = await client().introspect(idpCommand({ clientAuth: { ...idp.introspectionClient, method } }), accessToken);
      expect(verdict).toMatchObject({ active: true, identity: { contactId: 'user-42', tokenType: 'bearer' }, scopes: ['read', 'write'] });
      expect(verdict.active && verdict.expiresAt).toBeGreaterThan(Date.now());
    });

    it('finds revoked and foreign tokens inactive', async () => {
      const { accessToken } = await idp.opaqueToken();
      await idp.revoke(accessToken);
      const introspector = client();
      expect(await introspector.introspect(idpCommand(), accessToken)).toMatchObject({ active: false });
      expect(await introspector.introspect(idpCommand(), recordSecret('foreign-token-never-issued'))).toMatchObject({ active: false });
    });

    it('is validator_unavailable, not inactive, when the portal credentials are refused', async () => {
      const { accessToken } = await idp.opaqueToken();
      const wrong = { clientId: idp.introspectionClient.clientId, clientSecret: recordSecret('wrong-portal-client-secret') };
      const error = await failure(client().introspect(idpCommand({ clientAuth: wrong }), accessToken));
      expect(error.code).toBe('validator_unavailable');
      expect(error.reason).toBe('introspection endpoint answered 401');
    });

    it('is validator_unavailable while the server is down', async () => {
      const { accessToken } = await idp.opaqueToken();
      const introspector = client();
      expect(await introspector.introspect(idpCommand(), accessToken)).toMatchObject({ active: true });
      await idp.stop();
      try {
        const error = await failure(introspector.introspect(idpCommand(), accessToken));
        expect(error.code).toBe('validator_unavailable');
      } finally {
        await idp.restart();
      }
    });
  });
});
