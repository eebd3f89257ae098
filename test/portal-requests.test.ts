import { AssertionError } from 'node:assert';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { getGlobalDispatcher, MockAgent, setGlobalDispatcher } from 'undici';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSessionToken, logonWithToken, signInWithHandoff, startPartnerSimulator, testTokenTypes, type PartnerSimulator } from '../src/testing.js';
import { createTestPortal, type TestPortal } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

let partner: PartnerSimulator;
let portal: TestPortal;
const types = testTokenTypes();
const credentials = { organisation: 'ACME', username: 'alice', password: recordSecret('alice-password-123') };
beforeAll(async () => {
  partner = await startPartnerSimulator();
  const options = partner.portalOptions();
  portal = createTestPortal({
    ...options,
    commands: { ...options.commands, VerifyCredentials: { run: ({ username, password }) => (username === 'alice' && password === credentials.password ? { ContactId: 1001 } : null) } },
    logon: { tokenTypes: types.tokenTypes },
  });
});
afterAll(() => partner.close());

describe('signInWithHandoff', () => {
  it('signs in, follows the 303 and returns the agent holding the session', async () => {
    const agent = request.agent(portal.app);
    const returned = await signInWithHandoff(agent, { token: recordSecret(partner.mintAuthToken({ contactId: 1001 })), returnTo: '/invoices/42', noChrome: true, headers: { 'sec-fetch-dest': 'document' } });
    expect(returned).toBe(agent);
    expect((await agent.get('/whoami')).body).toMatchObject({ user: 'u-alice', noChrome: true });
  });

  it('finds the router under a mount point', async () => {
    const app = express();
    app.use('/portal', portal.app);
    const agent = await signInWithHandoff(request.agent(app), { token: recordSecret(partner.mintAuthToken({ contactId: 1001 })), mount: '/portal' });
    expect((await agent.get('/portal/whoami')).body).toMatchObject({ user: 'u-alice' });
  });

  it('fails when the session cookie is Secure, which it could not send back over http', async () => {
    const token = recordSecret(partner.mintAuthToken({ contactId: 1001 }));
    const error = await signInWithHandoff(request.agent(portal.app), { token, noChrome: true, headers: { 'x-forwarded-proto': 'https' } }).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/^the handoff set a Secure session cookie/);
  });

  it('fails with what the portal answered, never the token', async () => {
    const token = recordSecret(partner.mintAuthToken({ contactId: 1003 }));
    const error = await signInWithHandoff(request.agent(portal.app), { token }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AssertionError);
    expect((error as Error).message).toBe('expected the handoff to sign the user in (303), but the portal answered 403 user_deactivated (19001)');
  });
});

describe('where the helpers send a request', () => {
  it('refuses a mount point that names another host', async () => {
    for (const mount of ['//127.0.0.2:1', '/\\\\evil', 'http://127.0.0.2', 'portal', '/portal/', '/a?b']) {
      await expect(issueSessionToken(portal.app, credentials, { mount })).rejects.toThrow(TypeError);
      await expect(signInWithHandoff(request.agent(portal.app), { token: 'unused', mount })).rejects.toThrow(TypeError);
    }
  });

  it("keeps a base URL's path", async () => {
    const app = express();
    app.use('/base', portal.app);
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/base/`;
      expect(recordSecret(await issueSessionToken(base, credentials))).toMatch(/^lwts_/);
    } finally {
      server.close();
    }
  });

  it("uses a connection of its own, never the test's global dispatcher", async () => {
    const previous = getGlobalDispatcher();
    const mock = new MockAgent();
    mock.disableNetConnect();
    setGlobalDispatcher(mock);
    try {
      expect(recordSecret(await issueSessionToken(portal.app, credentials))).toMatch(/^lwts_/);
    } finally {
      setGlobalDispatcher(previous);
      await mock.close();
    }
  });
});

describe('issueSessionToken', () => {
  it('returns a session token from the app, from a server listening or not, and from a URL', async () => {
    const server = createServer(portal.app);
    const listening = createServer(portal.app);
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
      for (const target of [portal.app, server, listening, url]) {
        const token = recordSecret(await issueSessionToken(target, credentials));
        expect(token).toMatch(/^lwts_/);
        expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`)).body).toMatchObject({ user: 'u-alice' });
      }
      expect(server.listening).toBe(false);
      expect(listening.listening).toBe(true);
    } finally {
      listening.close();
    }
  });

  it('fails with the refusal', async () => {
    await expect(issueSessionToken(portal.app, { ...credentials, password: 'wrong-password' })).rejects.toThrow(
      new AssertionError({ message: 'expected a session token, but the portal answered 401 login_failed (10006)' }),
    );
  });
});

describe('logonWithToken', () => {
  it('returns the connection for a signed sender token and for a JWT of the profile', async () => {
    const bySender = await logonWithToken(portal.app, { token: recordSecret(await types.senderToken({ contactId: '1001' })), tokenType: types.senderTokenType });
    expect(bySender.ConnectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await request(portal.app).get('/api/me').set('authorization', `Bearer ${bySender.JWTToken}`)).body).toMatchObject({ user: 'u-alice' });
    const byJwt = await logonWithToken(portal.app, { token: recordSecret(await types.jwt({ contactEmail: 'alice@example.com' })), tokenType: types.jwtProfile });
    expect(byJwt.ConnectionId).not.toBe(bySender.ConnectionId);
  });

  it('fails with the refusal', async () => {
    await expect(logonWithToken(portal.app, { token: 'x', tokenType: 'unknown-type' })).rejects.toThrow(/^expected a connection, but the portal answered 400 token_type_unknown \(10060\)$/);
  });
});
