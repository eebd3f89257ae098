// Partner tokens validated through a ValidateBearer HTTP command against the local validator.
// Serves both ours-remote-hit (one token: cache hits) and ours-remote-miss (a new token each time).
import express from 'express';
import { createLoginForLocalPartner, ok, resolveUser } from './common.mjs';

export function start({ validatorOrigin }) {
  const login = createLoginForLocalPartner({
    commands: { ValidateBearer: { method: 'POST', url: `${validatorOrigin}/introspect`, body: '{"token":"{bearerToken}"}' } },
    resolveUser,
  });
  const app = express();
  app.get('/api/x', login.bearer, ok);
  app.use('/api', login.apiErrorHandler);
  return { app };
}
