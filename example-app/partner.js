// The partner simulator: another application whose users open the portal without typing
// credentials. It mints one-time tokens and validates them when the portal asks.
import { generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { SignJWT } from 'jose';
import { signSenderToken } from 'login-with-token';
import { html } from './html.js';

/** Who the partner can send, and how it names them in its answer. */
const people = {
  alice: { label: 'Alice (answered by ContactId)', answer: { ContactId: 1001 }, upn: 'alice@example.com' },
  bob: { label: 'Bob (answered by ContactEmail, other case)', answer: { ContactEmail: 'BOB@example.COM' }, upn: 'bob@example.com' },
  carol: { label: 'Carol (deactivated in the portal)', answer: { ContactId: '1003' }, upn: 'carol@example.com' },
};

const tokenLifetimeMs = 2 * 60_000;

/**
 * @param {{ portalOrigin: string, portalEmbedOrigin?: string, partnerOrigin: string, partnerApiKey: string, senderPrivateKey: string }} options
 *   `portalEmbedOrigin`: the portal's https origin for the iframe (embedded sessions need https).
 */
export function createPartner({ portalOrigin, portalEmbedOrigin = portalOrigin, partnerOrigin, partnerApiKey, senderPrivateKey }) {
  // The partner's identity provider signs ID tokens with this key and publishes it as a JWKS.
  const idp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const idpKeyId = randomUUID();
  /** token → { person, expires }. Deliberately not single-use: the portal's own ledger refuses replays. */
  const tokens = new Map();
  const mint = (person) => {
    const token = randomBytes(24).toString('base64url');
    tokens.set(token, { person, expires: Date.now() + tokenLifetimeMs });
    return token;
  };
  /** `framed`: for an iframe, on the portal's https origin (an embedded session needs https). */
  const handoffUrl = (person, { returnTo, noChrome, framed } = {}) => {
    const url = new URL('/authentication/login', framed ? portalEmbedOrigin : portalOrigin);
    url.searchParams.set('authToken', mint(person));
    if (returnTo) url.searchParams.set('returnTo', returnTo);
    if (noChrome) url.searchParams.set('noChrome', 'true');
    return url.href;
  };

  const app = express();
  const authorized = (req) => {
    const presented = Buffer.from(req.get('authorization') ?? '');
    const expected = Buffer.from(`Bearer ${partnerApiKey}`);
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  };

  app.get('/', (_req, res) => {
    const links = Object.entries(people).map(
      ([id, person]) => html`<li><a data-person="${id}" href="/go/${id}?returnTo=/invoices/42">Open the portal as ${person.label}</a></li>`,
    );
    res.send(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner app</title>
      <style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem}</style></head><body>
      <h1>Partner app (simulator)</h1>
      <ul>${links}</ul>
      <p><a data-chromeless="alice" href="/chromeless/alice">Open the portal without its chrome, as a mobile app's webview would (as Alice)</a></p>
      <p><a href="/embedded/alice">Show the portal inside an iframe (as Alice)</a></p></body></html>`.toString());
  });

  // A fresh token per click, so a link never carries a stale one.
  app.get('/go/:person', (req, res) => {
    if (!people[req.params.person]) return res.status(404).send('unknown person');
    res.set('referrer-policy', 'no-referrer').redirect(302, handoffUrl(req.params.person, { returnTo: req.query.returnTo }));
  });

  // A top-level handoff without the portal's chrome (noChrome=true in a new tab or a webview).
  app.get('/chromeless/:person', (req, res) => {
    if (!people[req.params.person]) return res.status(404).send('unknown person');
    res.set('referrer-policy', 'no-referrer').redirect(302, handoffUrl(req.params.person, { returnTo: '/invoices/42', noChrome: true }));
  });

  // A bare embedded handoff link (what a partner would put in an iframe's src).
  app.get('/embedded-link/:person', (req, res) => {
    if (!people[req.params.person]) return res.status(404).send('unknown person');
    res.set('referrer-policy', 'no-referrer').redirect(302, handoffUrl(req.params.person, { returnTo: '/invoices/42', noChrome: true, framed: true }));
  });

  app.get('/embedded/:person', (req, res) => {
    if (!people[req.params.person]) return res.status(404).send('unknown person');
    const src = handoffUrl(req.params.person, { returnTo: '/invoices/42', noChrome: true, framed: true });
    res.set('referrer-policy', 'no-referrer').send(html`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner app – embedded portal</title>
      <style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem}iframe{width:100%;height:24rem;border:2px solid #888}</style></head><body>
      <h1>Partner app with the portal embedded</h1>
      <iframe title="portal" src="${src}"></iframe></body></html>`.toString());
  });

  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json({ keys: [{ ...idp.publicKey.export({ format: 'jwk' }), kid: idpKeyId, alg: 'ES256', use: 'sig' }] });
  });

  // An ID token for LogonWithToken with the JWT profile (tokenType = the profile id).
  app.post('/id-token/:person', async (req, res) => {
    const person = people[req.params.person];
    if (!person) return res.status(404).json({ error: 'unknown person' });
    const idToken = await new SignJWT({ upn: person.upn })
      .setProtectedHeader({ alg: 'ES256', kid: idpKeyId })
      .setIssuer(partnerOrigin)
      .setAudience('example-portal')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(idp.privateKey);
    res.json({ id_token: idToken });
  });

  // A signed sender token for LogonWithToken with tokenType "InfoShareToken".
  app.post('/signed-token/:person', async (req, res) => {
    const person = people[req.params.person];
    if (!person) return res.status(404).json({ error: 'unknown person' });
    res.json({ token: await signSenderToken({ privateKey: senderPrivateKey, contactEmail: person.upn }) });
  });

  /** API bearer tokens the partner issued: token → person. */
  const apiTokens = new Map();
  // A partner API client gets a bearer token here (a real partner would use OAuth or the like).
  app.post('/api-token/:person', (req, res) => {
    if (!people[req.params.person]) return res.status(404).json({ error: 'unknown person' });
    const token = `partner_${randomBytes(24).toString('base64url')}`;
    apiTokens.set(token, req.params.person);
    res.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
  });

  // What the portal's ValidateBearer command calls.
  app.post('/api/introspect', express.json({ limit: '4kb' }), (req, res) => {
    if (!authorized(req)) return res.status(403).json({ error: 'forbidden' });
    const person = typeof req.body?.token === 'string' ? apiTokens.get(req.body.token) : undefined;
    if (!person) return res.status(401).json({ active: false });
    res.json({ ...people[person].answer, exp: Math.floor(Date.now() / 1000) + 3600 });
  });

  // What the portal's LoginWithToken command calls.
  app.post('/api/validate-token', express.json({ limit: '4kb' }), (req, res) => {
    if (!authorized(req)) return res.status(403).json({ error: 'forbidden' });
    const entry = typeof req.body?.token === 'string' ? tokens.get(req.body.token) : undefined;
    if (!entry || entry.expires < Date.now()) return res.status(401).json({ error: 'invalid token' });
    res.json(people[entry.person].answer);
  });

  return { app, mint, handoffUrl };
}
