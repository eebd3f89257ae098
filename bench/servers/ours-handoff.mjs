// The handoff: a one-time token in the URL, validated by the partner, a fresh session, a 303.
// On the default MemoryStore, on PostgresStore with `store: 'postgres'` (ours-handoff-postgres), or
// on RedisStore with `store: 'redis'` (instances side by side: npm run bench:scale).
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { benchStore, createLoginForLocalPartner, resolveUser } from './common.mjs';

export async function start(config) {
  const { validatorOrigin, store } = config;
  const { options, close, databaseCpu } = await benchStore(store, config);
  const login = createLoginForLocalPartner({
    ...options,
    commands: { LoginWithToken: { method: 'POST', url: `${validatorOrigin}/validate`, body: '{"token":"{authToken}"}' } },
    resolveUser,
  });
  passport.serializeUser((user, done) => done(null, user.id));
  passport.use(login.authTokenStrategy);
  const app = express();
  // express-session's default MemoryStore, on either store: the handoff's own cost, not a session database's.
  app.use(session({ secret: 'bench-only-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.use(login.router);
  return { app, databaseCpu, close: () => login.close().then(close) };
}
