import { inspect } from 'node:util';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { expectBearerChallenge, expectLoginError, signInWithHandoff, startPartnerSimulator, type PartnerSimulator } from '../src/testing.js';
import { createTestPortal } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

let partner: PartnerSimulator | undefined;
afterEach(async () => {
  await partner?.close();
  partner = undefined;
});

async function start(options?: Parameters<typeof startPartnerSimulator>[0]): Promise<PartnerSimulator> {
  partner = await startPartnerSimulator(options);
  return partner;
}

/** Calls the simulator as a portal's command would. */
async function call(sim: PartnerSimulator, name: 'LoginWithToken' | 'ValidateBearer', token: string, apiKeyHeader?: string) {
  const command = sim.command(name);
  const body = command.body!.replace(name === 'LoginWithToken' ? '{authToken}' : '{bearerToken}', token).replace('{ipAddress}', '203.0.113.9');
  const res = await fetch(command.url, { method: 'POST', headers: { ...command.headers, ...(apiKeyHeader === undefined ? {} : { authorization: apiKeyHeader }) }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('startPartnerSimulator', () => {
  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com'])('refuses to listen on %s', async (host) => {
    await expect(startPartnerSimulator({ host })).rejects.toThrow(/host must be a loopback address/);
  });

  it('listens on loopback: 127.0.0.1 by default, or ::1 and localhost when asked', async () => {
    expect((await start()).origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await partner!.close();
    expect((await start({ host: '::1' })).origin).toMatch(/^http:\/\/\[::1\]:\d+$/);
    await partner!.close();
    expect((await start({ host: 'localhost' })).origin).toMatch(/^http:\/\/(127\.0\.0\.1|\[::1\]):\d+$/);
  });

  it('refuses a short or unsafe apiKey at start-up', async () => {
    await expect(startPartnerSimulator({ apiKey: 'short' })).rejects.toThrow(/apiKey/);
    await expect(startPartnerSimulator({ apiKey: 'has spaces and "quotes" in it' })).rejects.toThrow(/apiKey/);
  });

  it('vouches for a minted token once, by ContactId or ContactEmail, and refuses unknown, spent and expired ones', async () => {
    const sim = await start({ contacts: { bob: { contactEmail: 'Bob@Example.com' } } });
    const alice = recordSecret(sim.mintAuthToken({ contactId: 1001 }));
    expect(await call(sim, 'LoginWithToken', alice)).toEqual({ status: 200, body: { ContactId: 1001 } });
    expect((await call(sim, 'LoginWithToken', alice)).status).toBe(401);
    expect(await call(sim, 'LoginWithToken', recordSecret(sim.mintAuthToken({ contact: 'bob' })))).toEqual({ status: 200, body: { ContactEmail: 'Bob@Example.com' } });
    expect((await call(sim, 'LoginWithToken', 'never-minted')).status).toBe(401);
    const expired = recordSecret(sim.mintAuthToken({ contactId: '7', expiresInMs: -1 }));
    expect((await call(sim, 'LoginWithToken', expired)).status).toBe(401);
    expect(() => sim.mintAuthToken({ contact: 'nobody' })).toThrow(/no contact named "nobody"/);
    expect(() => sim.mintAuthToken({ contact: 'toString' })).toThrow(/no contact named/);
    expect(() => sim.mintAuthToken({} as never)).toThrow(/contactId, a contactEmail or a contact name/);
    expect(sim.command()).toEqual(sim.command('LoginWithToken'));
  });

  it('answers only a caller presenting its key, and does not spend the token for one that does not', async () => {
    const sim = await start();
    const token = recordSecret(sim.mintAuthToken({ contactId: 1001 }));
    expect((await call(sim, 'LoginWithToken', token, 'Bearer wrong-key-0123456789')).status).toBe(403);
    expect((await call(sim, 'LoginWithToken', token)).status).toBe(200);
  });

  it('answers ValidateBearer for its bearer tokens with the contact and exp, until revoked', async () => {
    const sim = await start();
    const token = recordSecret(sim.mintBearerToken({ contactEmail: 'alice@example.com', expiresInMs: 60_000 }));
    const answer = await call(sim, 'ValidateBearer', token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ContactEmail: 'alice@example.com' });
    expect(answer.body['exp']).toBeGreaterThan(Date.now() / 1000 + 50);
    expect(answer.body['exp']).toBeLessThanOrEqual(Date.now() / 1000 + 60);
    sim.revoke(token);
    expect(await call(sim, 'ValidateBearer', token)).toEqual({ status: 401, body: { active: false } });
  });

  it('answers RFC 7662 introspection with HTTP Basic client authentication', async () => {
    const sim = await start();
    const token = recordSecret(sim.mintBearerToken({ contactId: 1001, scopes: ['invoices.read'], audience: 'portal' }));
    const command = sim.introspectionCommand();
    expect(command).toMatchObject({ kind: 'introspection', url: `${sim.origin}/introspect`, clientAuth: { clientId: expect.any(String), clientSecret: expect.any(String) } });
    const auth = command.clientAuth as { clientId: string; clientSecret: string };
    const basic = `Basic ${Buffer.from(`${auth.clientId}:${auth.clientSecret}`).toString('base64')}`;
    const introspect = async (form: string, authorization = basic) => {
      const res = await fetch(command.url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization }, body: form });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const active = await introspect(`token=${token}&token_type_hint=access_token`);
    expect(active).toMatchObject({ status: 200, body: { active: true, sub: '1001', scope: 'invoices.read', aud: 'portal', token_type: 'Bearer' } });
    expect(await introspect('token=unknown')).toEqual({ status: 200, body: { active: false } });
    expect((await introspect(`token=${token}`, 'Basic d3Jvbmc6d3Jvbmc=')).status).toBe(403);
    expect(sim.introspectionCommand({ userClaimIs: 'email', requiredScopes: ['a'] })).toMatchObject({ userClaim: 'email', userClaimIs: 'email', requiredScopes: ['a'] });
  });
});

describe('the simulator as a server', () => {
  it('accepts client_secret_post on introspection as well as HTTP Basic', async () => {
    const sim = await start();
    const token = recordSecret(sim.mintBearerToken({ contactId: 1001 }));
    const { clientId, clientSecret } = sim.introspectionCommand().clientAuth as { clientId: string; clientSecret: string };
    const res = await fetch(`${sim.origin}/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token, client_id: clientId, client_secret: clientSecret }) });
    expect(await res.json()).toMatchObject({ active: true, sub: '1001' });
    expect(sim.received[0]!.body).toBe(`token=[redacted]&client_id=${clientId}&client_secret=[redacted]`);
  });

  it('revokes a one-time token before its use', async () => {
    const sim = await start();
    const token = recordSecret(sim.mintAuthToken({ contactId: 1001 }));
    sim.revoke(token);
    expect((await call(sim, 'LoginWithToken', token)).status).toBe(401);
  });

  it('answers an oversize body 413 and records it cut at 64 KiB', async () => {
    const sim = await start();
    const res = await fetch(sim.command().url, { method: 'POST', headers: sim.command().headers, body: JSON.stringify({ token: 'x'.repeat(100_000) }) });
    expect(res.status).toBe(413);
    expect(sim.received[0]!.raw().body).toHaveLength(64 * 1024);
  });

  it('closes at once while it holds an answer back', async () => {
    const sim = await start();
    sim.failNext({ delayMs: 30_000 });
    const pending = call(sim, 'LoginWithToken', 'any').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
    partner = undefined;
  });
});

describe('a portal wired to the simulator', () => {
  it('signs a user in through the handoff with portalOptions()', async () => {
    const sim = await start();
    const { app } = createTestPortal(sim.portalOptions());
    const agent = await signInWithHandoff(request.agent(app), { token: recordSecret(sim.mintAuthToken({ contactId: 1001 })), returnTo: '/invoices/42' });
    expect((await agent.get('/whoami')).body).toMatchObject({ user: 'u-alice' });
    expect(sim.received.map((received) => received.endpoint)).toEqual(['LoginWithToken']);
    expect(sim.received[0]!.body).toContain('"ipAddress":"');
  });

  it('fails the next call on demand: a 503 or a reset keeps the token usable, so a retry signs in', async () => {
    const sim = await start();
    const { app } = createTestPortal(sim.portalOptions());
    const token = recordSecret(sim.mintAuthToken({ contactId: 1001 }));
    sim.failNext({ status: 503 });
    sim.failNext({ reset: true });
    for (let i = 0; i < 2; i++) expectLoginError(await request(app).get(`/authentication/login?authToken=${token}`), 'validator_unavailable');
    await signInWithHandoff(request.agent(app), { token });
    expect(sim.received).toHaveLength(3);
  });

  it('holds an answer back with delayMs: past the portal deadline the call fails, and the unanswered token is not spent', async () => {
    const sim = await start();
    const options = sim.portalOptions();
    const { app } = createTestPortal({ ...options, commands: { ...options.commands, LoginWithToken: { ...options.commands.LoginWithToken, timeoutMs: 200 } } });
    const token = recordSecret(sim.mintAuthToken({ contactId: 1001 }));
    sim.failNext({ delayMs: 600 });
    expectLoginError(await request(app).get(`/authentication/login?authToken=${token}`), 'validator_unavailable');
    await new Promise((resolve) => setTimeout(resolve, 700));
    await signInWithHandoff(request.agent(app), { token });
  });

  it('checks its bearer tokens for the portal, by ValidateBearer or by introspection with required scopes', async () => {
    const sim = await start();
    const plain = createTestPortal(sim.portalOptions()).app;
    const token = recordSecret(sim.mintBearerToken({ contactId: 1001, scopes: ['invoices.read'] }));
    expect((await request(plain).get('/api/me').set('authorization', `Bearer ${token}`)).body).toMatchObject({ user: 'u-alice' });
    expectBearerChallenge(await request(plain).get('/api/me').set('authorization', 'Bearer sim_bearer_unknown'), { error: 'invalid_token' });

    const introspecting = createTestPortal({ ...sim.portalOptions(), commands: { ValidateBearer: sim.introspectionCommand({ requiredScopes: ['invoices.write'] }) } }).app;
    const refused = await request(introspecting).get('/api/me').set('authorization', `Bearer ${token}`);
    expectBearerChallenge(refused, { error: 'insufficient_scope', scope: ['invoices.write'] });
    expectLoginError(refused, 'insufficient_scope');
    expect(sim.received.at(-1)!.endpoint).toBe('introspection');
  });
});

describe('what the simulator received', () => {
  it('keeps each call as sent, and prints it without its key or tokens', async () => {
    const sim = await start({ apiKey: 'partner-api-key-0123456789' });
    const { app } = createTestPortal(sim.portalOptions());
    const token = recordSecret(sim.mintAuthToken({ contactId: 1001 }));
    await signInWithHandoff(request.agent(app), { token });
    const [received] = sim.received;
    expect(received!.raw().body).toContain(token);
    expect(received!.raw().headers.authorization).toBe('Bearer partner-api-key-0123456789');
    for (const printed of [String(received), inspect(received), JSON.stringify(sim.received), sim.printReceived(), inspect(sim.received, { depth: 5 })]) {
      expect(printed).toContain('/login-with-token');
      expect(printed).not.toContain(token);
      expect(printed).not.toContain('partner-api-key-0123456789');
    }
    expect(sim.printReceived()).toBe(`POST /login-with-token {"token":"[redacted]","ipAddress":"${JSON.parse(received!.body).ipAddress}"}`);
  });
});
