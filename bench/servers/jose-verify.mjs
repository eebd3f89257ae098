// Baseline: verifying an RS256 JWT with jose directly, nothing else.
import { createPublicKey } from 'node:crypto';
import express from 'express';
import { jwtVerify } from 'jose';

export function start({ jwt }) {
  const publicKey = createPublicKey(jwt.publicKeyPem);
  const options = { issuer: jwt.issuer, audience: jwt.audience, algorithms: ['RS256'] };
  const app = express();
  app.get('/api/x', async (req, res) => {
    try {
      await jwtVerify((req.headers.authorization ?? '').slice('Bearer '.length), publicKey, options);
      res.json({ ok: true });
    } catch {
      res.status(401).json({ ok: false });
    }
  });
  return { app };
}
