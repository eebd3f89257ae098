// Baseline: the usual Passport bearer setup with an in-memory token map.
import express from 'express';
import passport from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { ok, tokenLikeOurs } from './common.mjs';

export function start() {
  const token = tokenLikeOurs();
  const map = new Map([[token, { id: 'u-1', name: 'Bench User' }]]);
  passport.use(new BearerStrategy((presented, done) => done(null, map.get(presented) ?? false)));
  const app = express();
  app.use(passport.initialize());
  app.get('/api/x', passport.authenticate('bearer', { session: false }), ok);
  return { app, ready: async () => ({ token }) };
}
