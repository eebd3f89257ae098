// Reference: the smallest bearer check one would write by hand — header, Map lookup, req.user.
// What any middleware that sets req.user costs on top of a bare route.
import express from 'express';
import { ok, tokenLikeOurs } from './common.mjs';

export function start() {
  const token = tokenLikeOurs();
  const users = new Map([[token, { id: 'u-1' }]]);
  const app = express();
  app.get(
    '/api/x',
    (req, res, next) => {
      const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
      const user = match && users.get(match[1]);
      if (!user) return res.status(401).end();
      req.user = user;
      next();
    },
    ok,
  );
  return { app, ready: async () => ({ token }) };
}
