// The same session token as ours-middleware, through Passport and our bearer strategy.
import express from 'express';
import passport from 'passport';
import { bearerStrategyName, createLoginWithToken } from 'login-with-token';
import { fetchSessionToken, ok, resolveUser } from './common.mjs';

export function start() {
  const login = createLoginWithToken({
    commands: { VerifyCredentials: { run: () => ({ ContactId: '1' }) } },
    resolveUser,
  });
  passport.use(login.bearerStrategy);
  const app = express();
  app.use(passport.initialize()); // as in the passport-http-bearer baseline
  app.get('/api/x', passport.authenticate(bearerStrategyName, { session: false }), ok);
  app.use(login.router);
  return { app, ready: async (origin) => ({ token: await fetchSessionToken(origin) }) };
}
