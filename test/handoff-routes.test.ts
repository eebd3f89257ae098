import { getEventListeners, once } from 'node:events';
import http, { type Server } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { Request } from 'express';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { clientGoneSignal } from '../src/adapters/client-gone.js';
import { MemoryStore } from '../src/index.js';
import { sessionCookie } from './support/agent.js';
import { createTestPortal, newToken, type TestPortal } from './support/portal-app.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { leakedSecrets } from './support/secrets.js';

let partner: PartnerServer;
/** What the partner answers per token; unknown tokens get 401. */
const answers = new Map<string, unknown>();

beforeAll(async () => {
  partner = await startPartnerServer();
});
afterAll(() => partner.close());

beforeEach(() => {
  answers.clear();
  partner.received.length = 0;
  partner.behave((received, res) => {
    const token = (JSON.parse(received.body || '{}') as { token?: string }).token ?? '';
    if (answers.has(token)) json(res, 200, answers.get(token));
    else json(res, 401, { error: 'invalid' });
  });
});

let portal: TestPortal;
beforeEach(() => {
  portal = createTestPortal({
    commands: {
      LoginWithToken: { method: 'POST', url: `${partner.origin}/validate`, body: '{"token":"{authToken}","ip":"{ipAddress}"}', timeoutMs: 500 },
    },
  });
});
afterEach(() => portal.login.close());

function tokenFor(answer: unknown): string {
  const token = newToken();
  answers.set(token, answer);
  return token;
}

describe('GET /authentication/login', () => {
  describe('when the partner answers ContactId', () => {
    it('signs the user in and answers 303 to returnTo without the token', async () => {
      const agent = request.agent(portal.app);
      const token = tokenFor({ ContactId: 1001 });
      const res = await agent.get('/authentication/login').query({ authToken: token, returnTo: '/invoices/42' });
      expect(res.status).toBe(303);
      expect(res.headers['location']).toBe('/invoices/42');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(leakedSecrets(JSON.stringify(res.headers))).toEqual([]);
      const me = await agent.get('/whoami');
      expect(me.body.user).toBe('u-alice');
    });

    it('sends the token and the client ip to the partner', async () => {
      const token = tokenFor({ ContactId: '1001' });
      await request(portal.app).get('/authentication/login').query({ authToken: token }).expect(303);
      expect(partner.received).toHaveLength(1);
      expect(JSON.parse(partner.received[0]!.body)).toEqual({ token, ip: expect.stringMatching(/127\.0\.0\.1$/) });
      expect(partner.received[0]!.headers['cache-control']).toBe('no-cache');
    });
  });

  describe('when the partner answers ContactEmail in another case', () => {
    it('matches the stored e-mail case-insensitively', async () => {
      const agent = request.agent(portal.app);
      await agent.get('/authentication/login').query({ authToken: tokenFor({ ContactEmail: 'BOB@example.COM' }) }).expect(303);
      expect((await agent.get('/whoami')).body.user).toBe('u-bob');
    });
  });

  describe('when signing in', () => {
    it('regenerates the session id', async () => {
      const agent = request.agent(portal.app);
      const before = (await agent.get('/whoami')).body.sessionId as string;
      await agent.get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) }).expect(303);
      const after = await agent.get('/whoami');
      expect(after.body.user).toBe('u-alice');
      expect(after.body.sessionId).not.toBe(before);
    });

    it('lands on / when returnTo is missing', async () => {
      const res = await request(portal.app).get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) });
      expect(res.headers['location']).toBe('/');
    });

    it.each([
      'https://evil.com',
      '//evil.com',
      '/\\evil.com',
      '\\\\evil.com',
      'javascript:alert(1)',
      '/%2F%2Fevil.com',
      '%2F%2Fevil.com',
      '/%5Cevil.com',
      '/%252F%252Fevil.com',
      '/\t/evil.com',
      'http:/evil.com',
      ' /\\/evil.com',
    ])('refuses the open redirect %j and lands on /', async (returnTo) => {
      const res = await request(portal.app).get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }), returnTo });
      expect(res.status).toBe(303);
      expect(res.headers['location']).toBe('/');
    });

    it('strips an authToken smuggled into returnTo', async () => {
      const token = tokenFor({ ContactId: 1001 });
      const res = await request(portal.app).get('/authentication/login').query({ authToken: token, returnTo: `/invoices/1?authToken=${token}&x=1` });
      expect(res.headers['location']).toBe('/invoices/1?x=1');
      // Another token's shape in the path is just a path (only the presented token is refused).
      const res2 = await request(portal.app).get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }), returnTo: '/invoices/tok-like-path' });
      expect(res2.headers['location']).toBe('/invoices/tok-like-path');
    });

    it('falls back to / when returnTo carries the token under another name', async () => {
      const token = tokenFor({ ContactId: 1001 });
      const res = await request(portal.app).get('/authentication/login').query({ authToken: token, returnTo: `/x?t=${token}` });
      expect(res.headers['location']).toBe('/');
    });
  });

  describe('noChrome', () => {
    it('is remembered in the session and exposed as res.locals.noChrome', async () => {
      const res = await request(portal.app).get('/authentication/login').set('x-forwarded-proto', 'https').query({ authToken: tokenFor({ ContactId: 1001 }), noChrome: 'true' }).expect(303);
      // The cookie is Secure: a test client over http would not send it back by itself.
      expect((await request(portal.app).get('/whoami').set('x-forwarded-proto', 'https').set('cookie', sessionCookie(res)!)).body.noChrome).toBe(true);
    });

    it('is false without the parameter', async () => {
      const agent = request.agent(portal.app);
      await agent.get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) }).expect(303);
      expect((await agent.get('/whoami')).body.noChrome).toBe(false);
    });
  });
});

describe('embedded handoff (iframe)', () => {
  const partnerOrigin = 'https://partner.example';
  beforeEach(() => {
    portal = createTestPortal({
      embedding: { frameAncestors: [partnerOrigin] },
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
  });
  const https = (agent: ReturnType<typeof request.agent>, path: string) => agent.get(path).set('x-forwarded-proto', 'https');

  it('sets the session cookie SameSite=None; Secure; Partitioned and the frame policy', async () => {
    const res = await request(portal.app).get('/authentication/login').set('x-forwarded-proto', 'https').query({ authToken: tokenFor({ ContactId: 1001 }), noChrome: 'true' });
    expect(res.status).toBe(303);
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('sid='))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; Partitioned/);
    expect(cookie).toMatch(/; SameSite=None/);
    expect(res.headers['content-security-policy']).toBe(`frame-ancestors ${partnerOrigin}`);
    const page = await request(portal.app).get('/whoami').set('x-forwarded-proto', 'https').set('cookie', sessionCookie(res)!);
    expect(page.body).toMatchObject({ user: 'u-alice', noChrome: true });
    expect(page.headers['content-security-policy']).toBe(`frame-ancestors ${partnerOrigin}`);
  });

  it('recognises a frame by Sec-Fetch-Dest: iframe too', async () => {
    const res = await request(portal.app)
      .get('/authentication/login')
      .set('x-forwarded-proto', 'https')
      .set('sec-fetch-dest', 'iframe')
      .query({ authToken: tokenFor({ ContactId: 1001 }) });
    expect(res.headers['content-security-policy']).toBe(`frame-ancestors ${partnerOrigin}`);
  });

  it('recognises Sec-Fetch-Dest: frame, fencedframe, embed and object as frames (so over http they are refused)', async () => {
    for (const destination of ['frame', 'fencedframe', 'embed', 'object', 'IFRAME']) {
      const res = await request(portal.app).get('/authentication/login').set('sec-fetch-dest', destination).query({ authToken: newToken() });
      expect(res.status, destination).toBe(400);
    }
    expect(partner.received).toHaveLength(0);
  });

  describe('when noChrome=true comes with a top-level navigation (Sec-Fetch-Dest: document)', () => {
    it('signs in over plain http, without chrome, with the app’s cookie and no frame policy', async () => {
      const res = await request(portal.app).get('/authentication/login').set('sec-fetch-dest', 'document').query({ authToken: tokenFor({ ContactId: 1001 }), noChrome: 'true' });
      expect(res.status).toBe(303);
      const cookie = (res.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('sid='))!;
      expect(cookie).not.toMatch(/SameSite=None|Partitioned|Secure/);
      expect(res.headers['content-security-policy']).toBeUndefined();
      const page = await request(portal.app).get('/whoami').set('cookie', sessionCookie(res)!);
      expect(page.body).toMatchObject({ user: 'u-alice', noChrome: true });
      expect(page.headers['content-security-policy']).toBeUndefined();
    });

    it('still treats the same request without Sec-Fetch-Dest as a frame', async () => {
      const res = await request(portal.app).get('/authentication/login').query({ authToken: newToken(), noChrome: 'true' });
      expect(res.status).toBe(400);
    });
  });

  it('leaves top-level sign-ins with the app’s cookie and no frame policy', async () => {
    const agent = request.agent(portal.app);
    const res = await https(agent, '/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) });
    const cookie = (res.headers['set-cookie'] as unknown as string[]).find((line) => line.startsWith('sid='))!;
    expect(cookie).not.toMatch(/SameSite=None|Partitioned/);
    expect(res.headers['content-security-policy']).toBeUndefined();
    expect((await https(agent, '/whoami')).headers['content-security-policy']).toBeUndefined();
  });

  it('refuses an embedded handoff over plain http before spending the token', async () => {
    const token = tokenFor({ ContactId: 1001 });
    const refused = await request(portal.app).get('/authentication/login').set('accept', 'application/json').query({ authToken: token, noChrome: 'true' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.description).toBe('embedded sign-in needs https');
    expect(partner.received).toHaveLength(0);
    await request(portal.app).get('/authentication/login').set('x-forwarded-proto', 'https').query({ authToken: token, noChrome: 'true' }).expect(303);
  });

  it('sends the frame policy with an error page shown in a frame', async () => {
    const res = await request(portal.app).get('/authentication/login').set('x-forwarded-proto', 'https').query({ authToken: newToken(), noChrome: 'true' });
    expect(res.status).toBe(401);
    expect(res.headers['content-security-policy']).toBe(`frame-ancestors ${partnerOrigin}`);
  });

  it("uses the tenant's own list, and 'none' when nobody is listed", async () => {
    portal = createTestPortal({
      tenants: { acme: { frameAncestors: ['https://acme-partner.example', 'https://*.acme.example'] }, globex: {} },
      resolveTenant: (req) => String(req.headers['x-tenant']),
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
    const frame = (tenant: string) =>
      request(portal.app).get('/authentication/login').set('x-forwarded-proto', 'https').set('x-tenant', tenant).query({ authToken: tokenFor({ ContactId: 1001 }), noChrome: 'true' });
    expect((await frame('acme')).headers['content-security-policy']).toBe('frame-ancestors https://acme-partner.example https://*.acme.example');
    expect((await frame('globex')).headers['content-security-policy']).toBe("frame-ancestors 'none'");
  });
});

describe('tenants that share one partner', () => {
  it('spend a token once between them, so a tenant the attacker picks cannot accept it again', async () => {
    portal = createTestPortal({
      tenants: { acme: {}, globex: {} },
      resolveTenant: (req) => String(req.headers['x-tenant']),
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
    const token = tokenFor({ ContactId: 1001 });
    const handoff = (tenant: string) => request(portal.app).get('/authentication/login').set('x-tenant', tenant).set('accept', 'application/json').query({ authToken: token });
    expect((await handoff('acme')).status).toBe(303);
    const again = await handoff('globex');
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('token_invalid');
    expect(partner.received).toHaveLength(1);
  });
});

describe('POST /authentication/login', () => {
  it('reads authToken from a form body', async () => {
    const token = tokenFor({ ContactId: 1001 });
    const res = await request(portal.app).post('/authentication/login').set('x-forwarded-proto', 'https').type('form').send({ authToken: token, returnTo: '/invoices/7', noChrome: 'true' });
    expect(res.status).toBe(303);
    expect(res.headers['location']).toBe('/invoices/7');
    const me = await request(portal.app).get('/whoami').set('x-forwarded-proto', 'https').set('cookie', sessionCookie(res)!);
    expect(me.body).toMatchObject({ user: 'u-alice', noChrome: true });
  });

  it('reads authToken from a JSON body', async () => {
    const agent = request.agent(portal.app);
    await agent.post('/authentication/login').send({ authToken: tokenFor({ ContactEmail: 'bob@example.com' }) }).expect(303);
    expect((await agent.get('/whoami')).body.user).toBe('u-bob');
  });

  it('answers 400 invalid_request for a malformed JSON body', async () => {
    const res = await request(portal.app).post('/authentication/login').set('content-type', 'application/json').set('accept', 'application/json').send('{"authToken":');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_request', number: 19002 });
  });
});

describe('failures', () => {
  const asJson = (token: string) => request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json');

  it('answers 401 token_invalid (10376) when the partner rejects the token', async () => {
    const res = await asJson(newToken());
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'token_invalid', number: 10376, message: 'Token not valid.', description: null } });
  });

  it('renders an HTML page with the number for browsers', async () => {
    const res = await request(portal.app).get('/authentication/login').query({ authToken: newToken() }).set('accept', 'text/html');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('10376');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it.each([
    ['no authToken', {}],
    ['an empty authToken', { authToken: '' }],
    ['two authTokens', { authToken: ['a', 'b'] }],
    ['a token with a line break', { authToken: 'abc\r\nx-evil: 1' }],
    ['a token over 4096 characters', { authToken: 'a'.repeat(4097) }],
  ])('answers 401 token_invalid for %s without calling the partner', async (_name, query) => {
    const res = await request(portal.app).get('/authentication/login').query(query).set('accept', 'application/json');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_invalid');
    expect(partner.received).toHaveLength(0);
  });

  it('answers 401 token_invalid when the answer names nobody', async () => {
    const res = await asJson(tokenFor({ ok: true }));
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('token_invalid');
  });

  it('answers 401 login_failed (10006) when no portal user matches', async () => {
    const res = await asJson(tokenFor({ ContactId: 9999 }));
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'login_failed', number: 10006 });
  });

  it('answers 403 user_deactivated for a disabled user', async () => {
    const res = await asJson(tokenFor({ ContactId: 1003 }));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('user_deactivated');
  });

  describe('when the partner fails transiently the token stays usable', () => {
    const faults: [string, Parameters<PartnerServer['behave']>[0]][] = [
      ['a 500', (_r, res) => json(res, 500, { error: 'boom' })],
      ['invalid JSON', (_r, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"ContactId":')],
      ['an oversize body', (_r, res) => json(res, 200, { ContactId: 1001, padding: 'x'.repeat(70_000) })],
      ['a 302', (_r, res) => void res.writeHead(302, { location: 'http://169.254.169.254/latest' }).end()],
      ['a delay past the timeout', (_r, res) => void setTimeout(() => json(res, 200, { ContactId: 1001 }), 1500)],
      ['a malformed ContactId', (_r, res) => json(res, 200, { ContactId: { $ne: 1 } })],
      ['a dropped connection', (_r, res) => res.socket?.destroy()],
    ];

    it.each(faults)('after %s: 503 validator_unavailable (10246), then a retry signs in', async (_name, fault) => {
      const token = tokenFor({ ContactId: 1001 });
      partner.behave(fault);
      const failed = await asJson(token);
      expect(failed.status).toBe(503);
      expect(failed.body.error).toMatchObject({ code: 'validator_unavailable', number: 10246 });
      partner.behave((_r, res) => json(res, 200, { ContactId: 1001 }));
      const retried = await asJson(token);
      expect(retried.status).toBe(303);
    });
  });
});

describe('when the browser leaves', () => {
  let server: Server;
  let origin: string;
  beforeEach(async () => {
    portal = createTestPortal({
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}', timeoutMs: 10_000 } },
      // Above the 10 listeners Node.js warns at, so one connection can have that many partner calls under way.
      rateLimits: { partnerCallsInFlightPerIp: 100 },
    });
    server = portal.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    server.closeAllConnections();
    server.close();
  });

  it('during the partner call, the call is cancelled and the token stays usable', async () => {
    const token = tokenFor({ ContactId: 1001 });
    let held = 0;
    let cancelled = false;
    partner.behave((_received, res) => {
      held += 1;
      res.on('close', () => (cancelled = !res.writableFinished));
    });
    const browser = http.get(`${origin}/authentication/login?authToken=${token}`);
    browser.on('error', () => undefined);
    await vi.waitFor(() => expect(held).toBe(1), { timeout: 5000 });
    browser.destroy();
    // The partner call would otherwise be held until its 10 s deadline.
    await vi.waitFor(() => expect(cancelled).toBe(true), { timeout: 5000 });
    partner.behave((_received, res) => json(res, 200, { ContactId: 1001 }));
    await request(portal.app).get('/authentication/login').query({ authToken: token }).expect(303);
  });

  /** Two handoffs on one kept-alive connection: their statuses, and the listeners left on the connection's signal (the package's one, which all calls on it share). */
  async function twoOnOneConnection(): Promise<{ statuses: number[]; listenersLeft: number }> {
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const connections: Socket[] = [];
    server.on('connection', (socket) => connections.push(socket));
    const signIn = (token: string) =>
      new Promise<number>((resolve, reject) => {
        http.get(`${origin}/authentication/login?authToken=${token}`, { agent: keepAlive }, (res) => resolve(res.resume().statusCode!)).on('error', reject);
      });
    const statuses = [await signIn(tokenFor({ ContactId: 1001 })), await signIn(tokenFor({ ContactId: 1001 }))];
    expect(connections).toHaveLength(1);
    const listenersLeft = getEventListeners(clientGoneSignal({ socket: connections[0] } as Request), 'abort').length;
    keepAlive.destroy();
    return { statuses, listenersLeft };
  }

  it('after an answered handoff, the next one on the same kept-alive connection signs in too, and only the one shared listener stays', async () => {
    expect(await twoOnOneConnection()).toEqual({ statuses: [303, 303], listenersLeft: 1 });
  });

  it('an app’s executor that leaves listeners behind leaves none of them on the connection', async () => {
    portal = createTestPortal({
      executor: {
        run: async (_command, _placeholders, signal) => {
          signal.addEventListener('abort', () => undefined);
          return { ContactId: 1001 };
        },
      },
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
    server.close();
    server = portal.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect(await twoOnOneConnection()).toEqual({ statuses: [303, 303], listenersLeft: 1 });
  });

  it('pipelined on one connection, more handoffs than the listener warning allows raise no warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const held: (() => void)[] = [];
    partner.behave((_received, res) => void held.push(() => json(res, 200, { ContactId: 1001 })));
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    await once(socket, 'connect');
    const requests = Array.from({ length: 12 }, () => `GET /authentication/login?authToken=${tokenFor({ ContactId: 1001 })} HTTP/1.1\r\nHost: portal\r\n\r\n`);
    socket.write(requests.join(''));
    await vi.waitFor(() => expect(held.length).toBeGreaterThan(10), { timeout: 5000 });
    for (const answer of held) answer();
    socket.destroy();
    await new Promise((resolve) => setImmediate(resolve));
    process.off('warning', onWarning);
    expect(warnings).toEqual([]);
  });
});

describe('single use', () => {
  it('refuses a token used twice in a row with token_invalid', async () => {
    const token = tokenFor({ ContactId: 1001 });
    await request(portal.app).get('/authentication/login').query({ authToken: token }).expect(303);
    const again = await request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json');
    expect(again.status).toBe(401);
    expect(again.body.error.number).toBe(10376);
  });

  it('of 20 concurrent requests with one token exactly one signs in', async () => {
    // A deadline far above the partner's 50 ms: on a loaded machine the one winner must not time out.
    portal = createTestPortal({ commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}', timeoutMs: 10_000 } } });
    const token = tokenFor({ ContactId: 1001 });
    partner.behave((_r, res) => void setTimeout(() => json(res, 200, { ContactId: 1001 }), 50));
    const results = await Promise.all(
      Array.from({ length: 20 }, () => request(portal.app).get('/authentication/login').query({ authToken: token }).set('accept', 'application/json')),
    );
    const statuses = results.map((res) => res.status);
    expect(statuses.filter((status) => status === 303)).toHaveLength(1);
    expect(statuses.filter((status) => status === 401)).toHaveLength(19);
    const signedIn = results.filter((res) => res.status === 303).flatMap((res) => res.headers['set-cookie'] ?? []);
    expect(signedIn).toHaveLength(1);
    expect(portal.audit.filter((event) => event.outcome === 'ok')).toHaveLength(1);
  });

  it('ends the session and keeps the token when marking it used fails', async () => {
    const store = new MemoryStore();
    const consume = store.ledger.consume.bind(store.ledger);
    let failures = 1;
    store.ledger.consume = async (...args) => (failures-- > 0 ? Promise.reject(new Error('store down')) : consume(...args));
    portal = createTestPortal({ store, commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } } });
    const token = tokenFor({ ContactId: 1001 });
    const agent = request.agent(portal.app);
    const failed = await agent.get('/authentication/login').query({ authToken: token }).set('accept', 'application/json');
    expect(failed.status).toBe(503);
    expect((await agent.get('/whoami')).body.user).toBeNull();
    await agent.get('/authentication/login').query({ authToken: token }).expect(303);
    expect((await agent.get('/whoami')).body.user).toBe('u-alice');
    const replay = await request(portal.app).get('/authentication/login').query({ authToken: token });
    expect(replay.status).toBe(401);
    await store.close();
  });

  it('counts rejected tokens per client network and answers 429 without asking the partner', async () => {
    portal = createTestPortal({
      rateLimits: { handoffFailuresPerIp: 3 },
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
    const good = tokenFor({ ContactId: 1001 });
    await request(portal.app).get('/authentication/login').query({ authToken: good }).expect(303);
    for (let i = 0; i < 3; i++) expect((await request(portal.app).get('/authentication/login').query({ authToken: newToken() })).status).toBe(401);
    const calls = partner.received.length;
    const limited = await request(portal.app).get('/authentication/login').query({ authToken: newToken() }).set('accept', 'application/json');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(partner.received).toHaveLength(calls);
    const other = await request(portal.app).get('/authentication/login').set('x-forwarded-for', '203.0.113.5').query({ authToken: tokenFor({ ContactId: 1001 }) });
    expect(other.status).toBe(303);
  });

  it('holds its guessing limit under a burst: at most the limit of concurrent random tokens reach the partner', async () => {
    portal = createTestPortal({
      rateLimits: { handoffFailuresPerIp: 5, partnerCallsInFlightPerIp: 1000 },
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
    // A slow partner: every guess of the burst is under way before the first rejection returns.
    partner.behave((_received, res) => void setTimeout(() => json(res, 401, { error: 'invalid' }), 200));
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => request(portal.app).get('/authentication/login').query({ authToken: newToken() }).set('accept', 'application/json')),
    );
    expect(partner.received.length).toBeLessThanOrEqual(5);
    expect(burst.filter((res) => res.status === 429)).toHaveLength(55);
    expect(burst.filter((res) => res.status === 401)).toHaveLength(5);
  });

  it('gives a successful handoff its count back, so a burst of good tokens is not limited', async () => {
    portal = createTestPortal({
      rateLimits: { handoffFailuresPerIp: 2 },
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } },
    });
    for (let i = 0; i < 6; i++) await request(portal.app).get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) }).expect(303);
  });

  it('bounds the partner calls one client network has under way, so others keep signing in', async () => {
    portal = createTestPortal({
      rateLimits: { handoffFailuresPerIp: 10_000, partnerCallsInFlightPerIp: 3 },
      http: { connections: 4 },
      commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}', timeoutMs: 5000 } },
    });
    const slow = new Set<string>();
    const held: (() => void)[] = [];
    partner.behave((received, res) => {
      const token = (JSON.parse(received.body) as { token: string }).token;
      if (slow.has(token)) held.push(() => json(res, 401, { error: 'invalid' }));
      else if (answers.has(token)) json(res, 200, answers.get(token));
      else json(res, 401, { error: 'invalid' });
    });
    const answered: number[] = [];
    const flood = Array.from({ length: 20 }, () => {
      const token = newToken();
      slow.add(token);
      return request(portal.app)
        .get('/authentication/login')
        .set('x-forwarded-for', '198.51.100.66')
        .query({ authToken: token })
        .set('accept', 'application/json')
        .then((res) => {
          answered.push(res.status);
          return res.status;
        });
    });
    await vi.waitFor(() => {
      expect(held).toHaveLength(3);
      expect(answered).toHaveLength(17);
    });
    expect(answered.every((status) => status === 429)).toBe(true);
    // The pool has one connection left, and it is another user's.
    const other = await request(portal.app).get('/authentication/login').set('x-forwarded-for', '203.0.113.77').query({ authToken: tokenFor({ ContactId: 1001 }) });
    expect(other.status).toBe(303);
    for (const release of held) release();
    expect((await Promise.all(flood)).filter((status) => status === 401)).toHaveLength(3);
  });

  it('signs the user in even when the store cannot give the attempt back afterwards', async () => {
    const store = new MemoryStore();
    const add = store.rateLimits.add.bind(store.rateLimits);
    store.rateLimits.add = async (key, delta, windowMs, limit) => {
      if (delta < 0) throw new Error('store went away');
      return add(key, delta, windowMs, limit);
    };
    portal = createTestPortal({ store, commands: { LoginWithToken: { url: `${partner.origin}/validate`, body: '{"token":"{authToken}"}' } } });
    const agent = request.agent(portal.app);
    await agent.get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) }).expect(303);
    expect((await agent.get('/whoami')).body.user).toBe('u-alice');
    await store.close();
  });

  it('does not spend a token on HEAD (link scanners)', async () => {
    const token = tokenFor({ ContactId: 1001 });
    const head = await request(portal.app).head('/authentication/login').query({ authToken: token });
    expect(head.status).toBe(405);
    expect(partner.received).toHaveLength(0);
    await request(portal.app).get('/authentication/login').query({ authToken: token }).expect(303);
  });
});

describe('audit', () => {
  it('records every attempt with a short token hash and never the token', async () => {
    const good = tokenFor({ ContactId: 1001 });
    const bad = newToken();
    await request(portal.app).get('/authentication/login').query({ authToken: good });
    await request(portal.app).get('/authentication/login').query({ authToken: bad });
    partner.behave((_r, res) => json(res, 500, {}));
    await request(portal.app).get('/authentication/login').query({ authToken: tokenFor({ ContactId: 1001 }) });
    expect(portal.audit.map((event) => event.outcome)).toEqual(['ok', 'token_invalid', 'validator_unavailable']);
    expect(portal.audit[0]).toMatchObject({ type: 'handoff', tenant: 'default', userId: 'u-alice', ip: expect.stringMatching(/127\.0\.0\.1$/) });
    expect(portal.audit[0]!.tokenHash).toMatch(/^[0-9a-f]{12}$/);
    expect(portal.audit[2]!.reason).toBe('partner answered 500');
    expect(portal.audit.every((event) => typeof event.latencyMs === 'number')).toBe(true);
    expect(leakedSecrets(JSON.stringify(portal.audit))).toEqual([]);
  });
});
