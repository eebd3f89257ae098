import express from 'express';
import session from 'express-session';
import passport from 'passport';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { authTokenStrategyName, createLoginWithToken, type LoginWithToken, type LoginWithTokenOptions } from '../src/index.js';
import { findTestUser, newToken, type TestUser } from './support/portal-app.js';

let login: LoginWithToken;
afterEach(() => login.close());

/** An app that uses the strategy on its own route instead of the router. */
function appWithOwnRoute(validate: (token: string) => unknown, options: Partial<LoginWithTokenOptions<TestUser>> = {}) {
  login = createLoginWithToken<TestUser>({
    commands: { LoginWithToken: { run: async ({ authToken }) => validate(authToken ?? '') } },
    resolveUser: findTestUser,
    ...options,
  });
  const auth = new passport.Passport();
  auth.use(login.authTokenStrategy);
  auth.serializeUser((user: Express.User, done) => done(null, (user as TestUser).id));
  const app = express();
  app.use(session({ secret: 's', resave: false, saveUninitialized: false }));
  app.use(auth.initialize());
  app.get('/sso', auth.authenticate(authTokenStrategyName, { failWithError: false }), (req, res) => {
    res.json({ user: (req.user as TestUser).id });
  });
  app.get('/sso-with-messages', auth.authenticate(authTokenStrategyName, { failureRedirect: '/failed', failureMessage: true }), (_req, res) => {
    res.end();
  });
  app.get('/sso-with-callback', (req, res, next) => {
    auth.authenticate(authTokenStrategyName, (error: unknown, user: unknown) => {
      if (error) return next(error);
      if (user) throw new Error('the app’s callback failed');
      res.status(401).end();
    })(req, res, next);
  });
  app.get('/failed', (req, res) => {
    res.json({ messages: (req.session as unknown as { messages?: string[] }).messages ?? [] });
  });
  app.use((error: { status?: number; code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    res.status(error.status ?? 500).json({ code: error.code });
  });
  return app;
}

describe('authTokenStrategy', () => {
  it('has the fixed name', () => {
    appWithOwnRoute(() => null);
    expect(login.authTokenStrategy.name).toBe('login-with-token');
  });

  it('signs in once and fails a replay with 401', async () => {
    const token = newToken();
    const app = appWithOwnRoute((presented) => (presented === token ? { ContactId: 1001 } : null));
    const ok = await request(app).get('/sso').query({ authToken: token });
    expect(ok.status).toBe(200);
    expect(ok.body.user).toBe('u-alice');
    expect((await request(app).get('/sso').query({ authToken: token })).status).toBe(401);
  });

  describe('when the token is refused for another reason than being invalid', () => {
    it("keeps the catalogue's status: a deactivated user gets 403", async () => {
      const app = appWithOwnRoute(() => ({ ContactId: 1003 }));
      const res = await request(app).get('/sso').query({ authToken: newToken() });
      expect(res.status).toBe(403);
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    it('keeps it for an unknown tenant too (404)', async () => {
      const app = appWithOwnRoute(() => ({ ContactId: 1001 }), { tenants: { acme: {}, globex: {} }, resolveTenant: () => 'initech' });
      expect((await request(app).get('/sso').query({ authToken: newToken() })).status).toBe(404);
    });

    it("hands Passport the catalogue message for failureMessage", async () => {
      const agent = request.agent(appWithOwnRoute(() => ({ ContactId: 1003 })));
      const failed = await agent.get('/sso-with-messages').query({ authToken: newToken() });
      expect(failed.status).toBe(302);
      expect((await agent.get('/failed')).body.messages).toEqual(['User is deactivated.']);
    });
  });

  it('hands what the app’s own callback throws to it as the error, instead of leaving the request hanging', async () => {
    const app = appWithOwnRoute(() => ({ ContactId: 1001 }));
    const res = await request(app).get('/sso-with-callback').query({ authToken: newToken() }).timeout(5_000);
    expect(res.status).toBe(500);
  });

  it('hands a validator outage to the error handler as 503', async () => {
    const app = appWithOwnRoute(() => {
      throw new Error('down');
    });
    const res = await request(app).get('/sso').query({ authToken: newToken() });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('validator_unavailable');
  });
});
