// LogonWithToken with a JWT profile (static RS256 key): verify, resolve, open a connection, sign its JWT.
import express from 'express';
import { createLoginWithToken } from 'login-with-token';
import { resolveUser } from './common.mjs';

export function start({ jwt }) {
  const login = createLoginWithToken({
    logon: {
      tokenTypes: {
        'profile-1': { kind: 'jwt', issuer: jwt.issuer, audience: jwt.audience, keys: [jwt.publicKeyPem], algorithms: ['RS256'] },
      },
      // One user logs on thousands of times: past the 100 connections a user may hold, the
      // oldest ends (the default, 'refuse', would answer 10055).
      onTooManySessions: 'end-oldest',
    },
    // Every request comes from 127.0.0.1; the default limit would turn the run into 429s.
    rateLimits: { tokenFailuresPerIp: 1e9 },
    resolveUser,
  });
  const app = express();
  app.use(login.router);
  return { app };
}
