// Tokens checked by RFC 7662 introspection: `ValidateBearer` of kind 'introspection' against the
// local authorization server (client_secret_basic), requiring the scope `portal.read`. Serves
// both ours-introspection-hit (one token: cache hits) and ours-introspection-miss (a new token
// each time: an introspection call per request).
import express from 'express';
import { requiredScope } from '../keys.mjs';
import { createLoginForLocalPartner, ok, resolveUser } from './common.mjs';

export function start({ introspectionOrigin, introspection }) {
  const login = createLoginForLocalPartner({
    commands: {
      ValidateBearer: {
        kind: 'introspection',
        url: `${introspectionOrigin}/introspect`,
        issuer: introspection.issuer,
        clientAuth: { clientId: introspection.clientId, clientSecret: introspection.clientSecret },
        requiredScopes: [requiredScope],
      },
    },
    resolveUser,
  });
  const app = express();
  app.get('/api/x', login.bearer, ok);
  app.use('/api', login.apiErrorHandler);
  return { app, close: () => login.close() };
}
