// Reference for ours-remote-hit and -miss: the smallest correct Express code a competent
// developer would write for the same remote bearer check — the bearer token POSTed to the
// partner over an undici Pool (sized like our partner pool) with a timeout, its ContactId mapped
// to the user, a Map cache keyed by the token's SHA-256 (at most 10,000 entries, each kept 30 s),
// `req.user`, and 401/503 with RFC 6750's WWW-Authenticate.
import { createHash } from 'node:crypto';
import express from 'express';
import { Pool } from 'undici';
import { askPartner, bearerTokenOf, ok, refuseBearer, resolveUser } from './common.mjs';

const cacheTtlMs = 30_000;
const cacheMaxEntries = 10_000;

export function start({ validatorOrigin }) {
  const pool = new Pool(validatorOrigin, { connections: 64 });
  /** SHA-256 of the token → { contactId, until }. */
  const cache = new Map();


  const app = express();
  app.get(
    '/api/x',
    async (req, res, next) => {
      const token = bearerTokenOf(req);
      if (token === undefined) return refuseBearer(res, 401);
      const key = createHash('sha256').update(token).digest('base64url');
      const now = Date.now();
      let entry = cache.get(key);
      if (entry === undefined || entry.until <= now) {
        let answer;
        try {
          answer = await askPartner(pool, '/introspect', token);
        } catch {
          return res.status(503).json({ error: 'validator_unavailable' });
        }
        if (typeof answer?.ContactId !== 'string') return refuseBearer(res, 401, 'invalid_token');
        entry = { contactId: answer.ContactId, until: now + cacheTtlMs };
        if (cache.size >= cacheMaxEntries) cache.delete(cache.keys().next().value);
        cache.set(key, entry);
      }
      const user = resolveUser({ contactId: entry.contactId });
      if (user === undefined) return refuseBearer(res, 401, 'invalid_token');
      req.user = user;
      next();
    },
    ok,
  );
  return { app, close: () => pool.close() };
}
