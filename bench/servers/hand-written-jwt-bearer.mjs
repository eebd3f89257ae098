// Reference for ours-jwt-bearer: the smallest correct Express code a competent developer would
// write for an identity provider's JWT access token with jose, doing the checks ours does —
// signature by the provider's key (RS256 only), issuer, audience, `exp`/`nbf`/`iat` with 30 s
// leeway, `iat` at most a day old and a lifetime (`exp - iat`) of at most a day, the required
// scope in `scope`, the user found by `upn` in a Map, `req.user`, and 401/403 with RFC 6750's
// WWW-Authenticate.
import { createPublicKey } from 'node:crypto';
import express from 'express';
import { jwtVerify } from 'jose';
import { requiredScope } from '../keys.mjs';
import { bearerTokenOf, ok, refuseBearer, resolveUser } from './common.mjs';

const maxTokenAgeSeconds = 86_400;

export function start({ jwt }) {
  const publicKey = createPublicKey(jwt.publicKeyPem);
  const options = {
    issuer: jwt.issuer,
    audience: jwt.audience,
    algorithms: ['RS256'],
    clockTolerance: 30,
    maxTokenAge: maxTokenAgeSeconds,
    requiredClaims: ['exp', 'iat'],
  };
  const challenge = (res, status, error) => refuseBearer(res, status, error, requiredScope);

  const app = express();
  app.get(
    '/api/x',
    async (req, res, next) => {
      const token = bearerTokenOf(req);
      if (token === undefined) return challenge(res, 401);
      let payload;
      try {
        ({ payload } = await jwtVerify(token, publicKey, options));
      } catch {
        return challenge(res, 401, 'invalid_token');
      }
      if (payload.exp - payload.iat > maxTokenAgeSeconds) return challenge(res, 401, 'invalid_token');
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
      if (!scopes.includes(requiredScope)) return challenge(res, 403, 'insufficient_scope');
      const user = typeof payload.upn === 'string' ? resolveUser({ contactEmail: payload.upn }) : undefined;
      if (user === undefined) return challenge(res, 401, 'invalid_token');
      req.user = user;
      next();
    },
    ok,
  );
  return { app };
}
