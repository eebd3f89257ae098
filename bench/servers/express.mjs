// Baseline: what an unauthenticated Express 5 route costs.
import express from 'express';
import { ok, tokenLikeOurs } from './common.mjs';

export function start() {
  const app = express();
  app.get('/api/x', ok);
  // Clients still send an Authorization header of our token's size, so requests weigh the same.
  return { app, ready: async () => ({ token: tokenLikeOurs() }) };
}
