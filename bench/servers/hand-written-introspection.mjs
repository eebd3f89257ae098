// Reference for ours-introspection-*: the smallest correct Express code a competent developer
// would write for RFC 7662 introspection — an undici Pool (sized like our partner pool) POSTing
// the form `token=…&token_type_hint=access_token` with HTTP Basic client authentication, the
// JSON answer checked (`active`, `exp`, `nbf` with 30 s leeway, `iss`, `sub`, the required
// scope), a Map cache keyed by the token's SHA-256, bounded in size and kept 30 s at most and
// never past `exp`, the user looked up per request, `req.user`, and 401/403/503 with RFC 6750's
// WWW-Authenticate. Serves hand-written-introspection-hit and -miss.
import { createHash } from 'node:crypto';
import express from 'express';
import { Pool } from 'undici';
import { requiredScope } from '../keys.mjs';
import { bearerTokenOf, ok, refuseBearer, resolveUser } from './common.mjs';

const cacheTtlMs = 30_000;
const cacheMaxEntries = 10_000;
const leewayMs = 30_000;
const timeoutMs = 5_000;

export function start({ introspectionOrigin, introspection }) {
  const pool = new Pool(introspectionOrigin, { connections: 64 });
  const form = (value) => encodeURIComponent(value).replaceAll('%20', '+');
  const authorization = `Basic ${Buffer.from(`${form(introspection.clientId)}:${form(introspection.clientSecret)}`).toString('base64')}`;
  /** SHA-256 of the token → { sub, scopes, until }, or null for a token the server called inactive. */
  const cache = new Map();

  async function introspect(token) {
    const { statusCode, body } = await pool.request({
      method: 'POST',
      path: '/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', authorization },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    if (statusCode !== 200) {
      await body.dump();
      throw new Error(`introspection answered ${statusCode}`);
    }
    return body.json();
  }

  const challenge = (res, status, error) => refuseBearer(res, status, error, requiredScope);

  const app = express();
  app.get(
    '/api/x',
    async (req, res, next) => {
      const token = bearerTokenOf(req);
      if (token === undefined) return challenge(res, 401);
      const key = createHash('sha256').update(token).digest('base64url');
      const now = Date.now();
      let entry = cache.get(key);
      if (entry === undefined || entry.until <= now) {
        let claims;
        try {
          claims = await introspect(token);
        } catch {
          return res.status(503).json({ error: 'introspection unavailable' });
        }
        const exp = typeof claims?.exp === 'number' ? claims.exp * 1000 : undefined;
        const active =
          claims?.active === true &&
          (exp === undefined || exp > now) &&
          (typeof claims.nbf !== 'number' || claims.nbf * 1000 - leewayMs <= now) &&
          (claims.iss === undefined || claims.iss === introspection.issuer) &&
          typeof claims.sub === 'string';
        entry = active ? { sub: claims.sub, scopes: typeof claims.scope === 'string' ? claims.scope.split(' ') : [], until: Math.min(now + cacheTtlMs, exp ?? Infinity) } : null;
        if (entry !== null) {
          if (cache.size >= cacheMaxEntries) cache.delete(cache.keys().next().value);
          cache.set(key, entry);
        }
      }
      if (entry === null) return challenge(res, 401, 'invalid_token');
      if (!entry.scopes.includes(requiredScope)) return challenge(res, 403, 'insufficient_scope');
      const user = resolveUser({ contactId: entry.sub });
      if (user === undefined) return challenge(res, 401, 'invalid_token');
      req.user = user;
      next();
    },
    ok,
  );
  return { app, close: () => pool.close() };
}
