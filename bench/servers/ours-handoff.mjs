// The handoff: a one-time token in the URL, validated by the partner, a fresh session, a 303.
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { createLoginForLocalPartner, resolveUser } from './common.mjs';

export function start({ validatorOrigin }) {
  const login = createLoginForLocalPartner({
    commands: { LoginWithToken: { method: 'POST', url: `${validatorOrigin}/validate`, body: '{"token":"{authToken}"}' } },
    resolveUser,
  });
  passport.serializeUser((user, done) => done(null, user.id));
  passport.use(login.authTokenStrategy);
  const app = express();
  // express-session's default MemoryStore: the handoff's own cost, not a session database's.
  app.use(session({ secret: 'bench-only-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(login.router);
  return { app };
}
