// Baseline for the handoff: only the partner call, over an undici Pool sized like our executor.
import express from 'express';
import { Pool } from 'undici';

export function start({ validatorOrigin }) {
  const pool = new Pool(validatorOrigin, { connections: 64 });
  const app = express();
  app.get('/x', async (req, res) => {
    try {
      const { statusCode, body } = await pool.request({
        method: 'POST',
        path: '/validate',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: String(req.query.authToken) }),
      });
      const answer = await body.json();
      res.status(statusCode === 200 && answer.ContactId ? 200 : 502).json({ ok: true });
    } catch {
      res.status(503).json({ ok: false });
    }
  });
  return { app };
}
