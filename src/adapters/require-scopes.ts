import type { RequestHandler } from 'express';
import { z } from 'zod';
import { bearerChallenge, insufficientScope } from '../bearer/bearer-challenge.js';
import type { BearerInfo } from '../bearer/bearer-authentication.js';
import { scopeSchema } from '../config/scope-schema.js';
import { validateOptions } from '../config/validate-options.js';
import { LoginError } from '../errors/login-error.js';
import { missingScopes } from '../oauth/scopes.js';

const requiredScopesSchema = z.array(scopeSchema).min(1, 'needs at least one scope');

/**
 * `requireScopes(...scopes)` for routes behind `login.bearer` or the bearer strategy: passes
 * when the token grants every scope (`req.authInfo.scopes`), else hands 403
 * `insufficient_scope` with RFC 6750's `WWW-Authenticate: Bearer error="insufficient_scope",
 * scope="…"` to `next(err)`; without `req.authInfo` (no bearer authentication ran) 401
 * `token_missing`. Our own session and connection tokens grant no scopes, so such a route takes
 * only identity providers' tokens that do. Scopes are checked when the route is defined.
 */
export function createRequireScopes(realm: string): (...scopes: string[]) => RequestHandler {
  return (...scopes) => {
    const required = validateOptions(requiredScopesSchema, scopes, 'requireScopes');
    return (req, _res, next) => {
      const info = (req as { authInfo?: BearerInfo }).authInfo;
      if (info === undefined) {
        next(new LoginError('token_missing', { reason: 'no bearer authentication before requireScopes', headers: { 'www-authenticate': bearerChallenge(realm) } }));
        return;
      }
      const missing = missingScopes(info.scopes, required);
      next(missing.length === 0 ? undefined : insufficientScope(realm, required, missing));
    };
  };
}
