// An identity provider's JWT access token on an API route: `login.bearer` with
// `bearer.jwtProfiles: ['idp']`, the profile's static RS256 key (the key jose-verify and
// hand-written-jwt-bearer use), requiring the scope `portal.read`; the user is found by `upn`.
import express from 'express';
import { createLoginWithToken } from 'login-with-token';
import { requiredScope } from '../keys.mjs';
import { ok, resolveUser } from './common.mjs';

export function start({ jwt }) {
  const login = createLoginWithToken({
    logon: {
      tokenTypes: {
        idp: { kind: 'jwt', issuer: jwt.issuer, audience: jwt.audience, keys: [jwt.publicKeyPem], algorithms: ['RS256'], requiredScopes: [requiredScope] },
      },
    },
    bearer: { jwtProfiles: ['idp'] },
    resolveUser,
  });
  const app = express();
  app.get('/api/x', login.bearer, ok);
  app.use('/api', login.apiErrorHandler);
  return { app, close: () => login.close() };
}
