// "Your app", as the README's testing example imports it: a portal whose factory takes the
// login options that differ between production and tests (the partner's commands, token types).
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { createLoginWithToken } from 'login-with-token';

const users = [
  { id: 'u-alice', name: 'Alice', contactId: '1001', email: 'alice@example.com' },
  { id: 'u-bob', name: 'Bob', contactId: '1002', email: 'bob@example.com', disabled: true },
];

/** @param {Partial<import('login-with-token').LoginWithTokenOptions>} loginOptions */
export function createPortal(loginOptions) {
  const login = createLoginWithToken({
    ...loginOptions,
    resolveUser: ({ contactId, contactEmail }) => users.find((user) => (contactId ? user.contactId === contactId : user.email === contactEmail)) ?? null,
  });
  const auth = new passport.Passport();
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id, done) => done(null, users.find((user) => user.id === id) ?? false));
  auth.use(login.bearerStrategy);

  const app = express();
  app.use(session({ secret: 'portal-test-session-secret', resave: false, saveUninitialized: false }));
  app.use(auth.initialize());
  app.use(auth.session());
  app.use(login.router);
  app.get('/invoices/:number', (req, res) => (req.user ? res.send(`Invoice ${req.params.number} for ${req.user.name}`) : res.redirect('/')));
  app.get('/api/me', login.bearer, (req, res) => res.json({ id: req.user.id }));
  app.get('/api/passport/me', auth.authenticate('login-with-token-bearer', { session: false }), (req, res) => res.json({ id: req.user.id }));
  app.use(login.apiErrorHandler);
  return app;
}
