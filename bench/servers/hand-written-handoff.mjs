// Reference for ours-handoff: the smallest correct Express code a competent developer would write
// for the same handoff — the one-time token from the query string, single use through a Map keyed
// by its SHA-256 (marked before the partner call, so two concurrent uses cannot both pass; freed
// again when the partner could not be asked), the partner asked over an undici Pool (sized like
// our partner pool) with a timeout, its answer's ContactId mapped to the user, Passport's
// `req.logIn` (which regenerates and saves the express-session session) and a 303. Same
// session and Passport set-up as ours-handoff.
import { createHash } from 'node:crypto';
import express from 'express';
import session from 'express-session';
import passport from 'passport';
import { Pool } from 'undici';
import { askPartner, resolveUser } from './common.mjs';

const rememberMs = 600_000; // handoff.maxTokenAgeMs
const maxUsed = 1_000_000;

export function start({ validatorOrigin }) {
  const pool = new Pool(validatorOrigin, { connections: 64 });
  /** SHA-256 of each token used → when it may be forgotten. */
  const used = new Map();
  setInterval(() => {
    const now = Date.now();
    for (const [key, until] of used) if (until <= now) used.delete(key);
  }, 30_000).unref();


  passport.serializeUser((user, done) => done(null, user.id));
  const app = express();
  app.use(session({ secret: 'bench-only-session-secret', resave: false, saveUninitialized: false }));
  app.use(passport.initialize());
  app.get('/authentication/login', async (req, res, next) => {
    const token = req.query.authToken;
    if (typeof token !== 'string' || token.length === 0 || token.length > 4096) return res.status(400).json({ error: 'token_missing' });
    const key = createHash('sha256').update(token).digest('base64url');
    if (used.has(key)) return res.status(401).json({ error: 'token_used' });
    if (used.size >= maxUsed) return res.status(503).json({ error: 'store_unavailable' });
    used.set(key, Date.now() + rememberMs);
    let answer;
    try {
      answer = await askPartner(pool, '/validate', token);
    } catch {
      used.delete(key);
      return res.status(503).json({ error: 'validator_unavailable' });
    }
    const user = typeof answer?.ContactId === 'string' ? resolveUser({ contactId: answer.ContactId }) : undefined;
    if (user === undefined) return res.status(401).json({ error: 'token_invalid' });
    req.logIn(user, (error) => (error ? next(error) : res.redirect(303, '/')));
  });
  return { app, close: () => pool.close() };
}
