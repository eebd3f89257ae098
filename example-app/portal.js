// The "existing portal": an Express app with express-session and Passport that adopts
// login-with-token by mounting one router and registering one strategy.
import { randomBytes } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { createLoginWithToken } from 'login-with-token';
import { html } from './html.js';
import { sameOriginPosts } from './same-origin-posts.js';
import { findUser, userById, verifyAccessToken, verifyCredentials } from './users.js';

/** The JWT profile id partners use as `tokenType` (a GUID, as in the vendor's example). */
export const jwtProfileId = 'BE38C39F-E32F-4EF3-AAA6-D5331624D4A6';

/**
 * @param {{
 *   partnerOrigin: string, partnerApiKey: string, senderPublicKey: string, sessionSecret?: string,
 *   log?: (line: string) => void,
 *   shared?: { store: import('login-with-token').Store | import('login-with-token').ComposedStore, sessionStore: import('express-session').Store, hashKey: string, jwtPrivateKey: string },
 * }} options  `shared` is set when several instances run on Redis, PostgreSQL or both.
 */
export function createPortal({ partnerOrigin, partnerApiKey, senderPublicKey, sessionSecret = randomBytes(32).toString('hex'), log = console.log, shared }) {
  const login = createLoginWithToken({
    tenants: { DEMO: {} },
    // The partner simulator runs on this machine; real partners live at public addresses.
    http: { allowPrivateAddresses: ['127.0.0.1'] },
    // Only the partner may frame the portal after an embedded (noChrome) handoff.
    embedding: { frameAncestors: [partnerOrigin] },
    ...(shared ? { store: shared.store, hashKey: shared.hashKey } : {}),
    logon: {
      tokenTypes: {
        // API tokens the portal issued (see POST /api/api-tokens below).
        apitoken: { kind: 'apitoken' },
        // Signed sender tokens from the partner, checked against its public key (or certificate).
        InfoShareToken: { kind: 'signed-sender', keys: [senderPublicKey], algorithms: ['ES256'] },
        // ID tokens of the partner's identity provider, keys from its JWKS.
        [jwtProfileId]: {
          kind: 'jwt',
          issuer: partnerOrigin,
          audience: 'example-portal',
          jwksUrl: `${partnerOrigin}/.well-known/jwks.json`,
          algorithms: ['ES256'],
        },
      },
      maxSessionsPerUser: 20,
      onTooManySessions: 'end-oldest',
      ...(shared ? { jwt: { privateKey: shared.jwtPrivateKey } } : {}),
    },
    commands: {
      LoginWithToken: {
        method: 'POST',
        url: `${partnerOrigin}/api/validate-token`,
        body: '{"token":"{authToken}","ipAddress":"{ipAddress}","invoice":"{InvoiceNumber}"}',
        headers: { 'cache-control': 'no-cache', authorization: `Bearer ${partnerApiKey}` },
      },
      // Bearer tokens the partner issued to its API clients are checked with the partner.
      ValidateBearer: {
        method: 'POST',
        url: `${partnerOrigin}/api/introspect`,
        body: '{"token":"{bearerToken}"}',
        headers: { 'cache-control': 'no-cache', authorization: `Bearer ${partnerApiKey}` },
      },
      // Credentials are the portal's own business: checked in process against its user table.
      VerifyCredentials: { run: verifyCredentials },
      VerifyAccessToken: { run: verifyAccessToken },
    },
    resolveUser: findUser,
    // Audit events never hold a token: only a 12-digit hash of it.
    audit: (event) => log(`[audit] ${JSON.stringify(event)}`),
  });

  const auth = new passport.Passport();
  auth.use(login.authTokenStrategy);
  auth.use(login.bearerStrategy);
  auth.serializeUser((user, done) => done(null, user.id));
  auth.deserializeUser((id, done) => done(null, userById(id) ?? false));

  const app = express();
  // Behind a TLS-terminating proxy req.secure must come from X-Forwarded-Proto; here only
  // loopback proxies are trusted.
  app.set('trust proxy', 'loopback');
  app.use(
    session({
      ...(shared ? { store: shared.sessionStore } : {}),
      name: 'portal.sid',
      secret: sessionSecret,
      resave: false,
      saveUninitialized: false,
      // Top-level sign-ins: Lax, and Secure whenever the page is served over https. Embedded
      // sign-ins switch their own session to SameSite=None; Secure; Partitioned.
      cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto' },
    }),
  );
  app.use(auth.initialize());
  app.use(auth.session());
  app.use(login.router);
  app.use(sameOriginPosts);

  app.get('/', (req, res) => res.send(page(req, res, 'Home', html`<p>Welcome to the example billing portal.</p>
    <p><a href="/invoices/42">Invoice 42</a> · <a href="/invoices/43">Invoice 43</a></p>`)));

  app.get('/invoices/:number', (req, res) => {
    const number = req.params.number;
    res.send(page(req, res, `Invoice ${number}`, html`<p>Invoice <strong data-invoice>${number}</strong>: 3 items, total 120.00 EUR.</p>
      <p><a href="/">Back home</a></p>`));
  });

  // The portal's API: every call carries a bearer token (a session token from
  // /authentication/token, or a token the partner issued).
  const api = express.Router();
  api.use(login.bearer);
  api.get('/me', (req, res) => res.json({ id: req.user.id, name: req.user.name, email: req.user.email, via: req.authInfo.tokenType }));
  // A user creates a long-lived API token for a script (LogonWithToken tokenType "apitoken").
  api.post('/api-tokens', async (req, res) => {
    const created = await login.apiTokens.create({ userId: req.user.id, contactId: req.user.contactId, name: 'created from the API' });
    res.status(201).set('cache-control', 'no-store').json({ id: created.id, token: created.token });
  });
  api.get('/invoices', (req, res) => res.json({ owner: req.user.email, invoices: [{ number: 42, total: '120.00 EUR' }, { number: 43, total: '80.00 EUR' }] }));
  api.use(login.apiErrorHandler);
  app.use('/api', api);

  app.post('/logout', (req, res, next) => req.logout((error) => (error ? next(error) : res.redirect(303, '/'))));

  return { app, login };
}

/** Renders a page with the portal's header and navigation, or without them inside an iframe. */
function page(req, res, title, body) {
  const user = req.user;
  const who = user
    ? html`<p data-signed-in-as="${user.email}">Signed in as <strong>${user.name}</strong> (${user.email})</p>`
    : html`<p data-signed-in-as="">Not signed in.</p>`;
  const chrome = res.locals.noChrome
    ? ''
    : html`<header data-chrome><strong>Example Portal</strong>
        <nav><a href="/">Home</a> · <a href="/invoices/42">Invoices</a></nav>
        ${user ? html`<form method="post" action="/logout"><button>Sign out</button></form>` : ''}</header>`;
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} – Example Portal</title>
    <style>body{font:16px/1.5 system-ui,sans-serif;margin:0}header{background:#234;color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center}
    header a{color:#cde}main{padding:1rem}form{margin:0}</style></head>
    <body>${chrome}<main><h1>${title}</h1>${who}${body}</main></body></html>`.toString();
}
