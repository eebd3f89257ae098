import express, { type Request, type RequestHandler, type Response } from 'express';
import passport from 'passport';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createRequireScopes } from '../src/adapters/require-scopes.js';
import type { BearerInfo } from '../src/bearer/bearer-authentication.js';
import { bearerStrategyName, isLoginError, OptionsError, type LoginError } from '../src/index.js';
import { createTestPortal, type TestPortal, type TestUser } from './support/portal-app.js';
import { recordSecret } from './support/secrets.js';

const requireScopes = createRequireScopes('orders');

/** What the middleware handed to `next`: 'next' for a plain call, else the error. */
function run(handler: RequestHandler, authInfo?: BearerInfo): 'next' | LoginError {
  const calls: unknown[] = [];
  const req = (authInfo === undefined ? {} : { authInfo }) as Request;
  handler(req, {} as Response, (error?: unknown) => calls.push(error));
  expect(calls).toHaveLength(1);
  const [outcome] = calls;
  if (outcome === undefined) return 'next';
  expect(isLoginError(outcome), String(outcome)).toBe(true);
  return outcome as LoginError;
}

const granted = (scopes: readonly string[] | undefined, tokenType = 'idp'): BearerInfo => ({ tenant: 'default', tokenType, ...(scopes === undefined ? {} : { scopes }) });

describe('createRequireScopes', () => {
  describe('when the route is defined', () => {
    it.each([
      ['a space', ['orders read']],
      ['a quote', ['orders"read']],
      ['a backslash', ['orders\\read']],
      ['nothing', ['']],
      ['a non-ASCII letter', ['bestellungen.lesen-ä']],
      ['one good and one bad', ['orders.read', 'orders write']],
    ])('throws an OptionsError naming requireScopes for a scope with %s', (_name, scopes) => {
      let thrown: unknown;
      try {
        requireScopes(...scopes);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(TypeError);
      expect(thrown).toBeInstanceOf(OptionsError);
      expect((thrown as OptionsError).code).toBe('LWT_INVALID_OPTION');
      expect((thrown as OptionsError).message).toMatch(/^requireScopes: /);
      expect((thrown as OptionsError).path).toBe(`[${scopes.findIndex((scope) => !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope))}]`);
    });

    it('throws naming requireScopes when no scope is given', () => {
      expect(() => requireScopes()).toThrow(OptionsError);
      expect(() => requireScopes()).toThrow(/^requireScopes: .*needs at least one scope/);
    });

    it('accepts RFC 6749 scope tokens: URLs, dotted and colon-separated names', () => {
      expect(() => requireScopes('https://graph.microsoft.com/User.Read', 'orders.read', 'api://portal/Portal.Read', 'read:orders')).not.toThrow();
    });
  });

  describe('when a request comes', () => {
    it('calls next() when the token grants every required scope, in any order, with more besides', () => {
      expect(run(requireScopes('orders.read'), granted(['orders.read']))).toBe('next');
      expect(run(requireScopes('orders.read', 'orders.write'), granted(['admin', 'orders.write', 'orders.read']))).toBe('next');
    });

    it('answers 401 token_missing with a bare challenge when no bearer authentication ran (no req.authInfo)', () => {
      const error = run(requireScopes('orders.read'));
      expect(error).not.toBe('next');
      expect(error).toMatchObject({ code: 'token_missing', status: 401, headers: { 'www-authenticate': 'Bearer realm="orders"' } });
    });

    it('answers 403 insufficient_scope listing every required scope when one is missing', () => {
      const error = run(requireScopes('orders.read', 'orders.write'), granted(['orders.read']));
      expect(error).toMatchObject({
        code: 'insufficient_scope',
        status: 403,
        headers: { 'www-authenticate': 'Bearer realm="orders", error="insufficient_scope", scope="orders.read orders.write"' },
      });
      expect((error as LoginError).reason).toBe('token lacks scope orders.write');
    });

    it('compares scopes exactly: case and prefixes count', () => {
      for (const scopes of [['Orders.Read'], ['orders'], ['orders.read.all'], ['orders.read orders.write']]) {
        expect(run(requireScopes('orders.read'), granted(scopes)), scopes.join(',')).toMatchObject({ code: 'insufficient_scope' });
      }
    });

    it.each(['session-token', 'connection-id', 'connection-jwt', 'bearer'])('refuses a %s token, which grants no scopes', (tokenType) => {
      expect(run(requireScopes('orders.read'), granted(undefined, tokenType))).toMatchObject({ code: 'insufficient_scope', status: 403 });
    });

    it('refuses a token granting an empty list', () => {
      expect(run(requireScopes('orders.read'), granted([]))).toMatchObject({ code: 'insufficient_scope' });
    });

    it('keeps no state between requests', () => {
      const handler = requireScopes('orders.read');
      expect(run(handler, granted(['orders.read']))).toBe('next');
      expect(run(handler, granted(['other']))).toMatchObject({ code: 'insufficient_scope' });
      expect(run(handler, granted(['orders.read']))).toBe('next');
    });
  });
});

describe('login.requireScopes in a portal', () => {
  let portal: TestPortal | undefined;
  afterEach(async () => {
    await portal?.login.close();
    portal = undefined;
  });

  /** The test portal (our session tokens) plus an app of its own: `/orders` behind the middleware, the strategy, or neither. */
  function createPortal(): { app: express.Express; sessionToken: () => Promise<string> } {
    portal = createTestPortal({
      bearer: { realm: 'orders' },
      commands: { VerifyCredentials: { run: ({ username, password }) => (username === 'alice' && password === 'pw' ? { ContactId: 1001 } : null) } },
    });
    const { login } = portal;
    const auth = new passport.Passport();
    auth.use(login.bearerStrategy);
    const app = express();
    app.use(auth.initialize());
    const show: RequestHandler = (req, res) => {
      res.json({ user: (req.user as TestUser).id });
    };
    app.get('/orders/plain', login.bearer, login.requireScopes('orders.read'), show);
    app.get('/orders/passport', auth.authenticate(bearerStrategyName, { session: false }), login.requireScopes('orders.read'), show);
    app.get('/orders/unguarded', login.requireScopes('orders.read'), show);
    app.get('/me', login.bearer, show);
    app.use(login.apiErrorHandler);
    const sessionToken = async () => {
      const res = await request(portal!.app).post('/authentication/token').send({ username: 'alice', password: 'pw', organisation: 'X' });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return recordSecret(res.body.data.token as string);
    };
    return { app, sessionToken };
  }

  it.each(['/orders/plain', '/orders/passport'])('refuses our own session token on %s with 403 and the route’s scope, though the token is valid', async (path) => {
    const { app, sessionToken } = createPortal();
    const token = await sessionToken();
    expect((await request(app).get('/me').set('authorization', `Bearer ${token}`)).body).toEqual({ user: 'u-alice' });
    const res = await request(app).get(path).set('authorization', `Bearer ${token}`);
    expect(res.status).toBe(403);
    expect(res.body.status).toMatchObject({ code: 'insufficient_scope', number: 19006 });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="orders", error="insufficient_scope", scope="orders.read"');
  });

  it('answers 401 token_missing, in the API envelope, on a route without bearer authentication before it', async () => {
    const { app } = createPortal();
    const res = await request(app).get('/orders/unguarded');
    expect(res.status).toBe(401);
    expect(res.body.status).toMatchObject({ code: 'token_missing', number: 19005 });
    expect(res.headers['www-authenticate']).toBe('Bearer realm="orders"');
  });

  it('uses bearer.realm in its challenges', async () => {
    const { app } = createPortal();
    const res = await request(app).get('/orders/plain');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="orders"');
  });
});
