// Type-checked in each scratch consumer against the @types/express (4 or 5) and ioredis it
// installed: the package's declarations must fit either, with no type of one major leaking into
// projects on the other.
import express, { type NextFunction, type Request, type Response } from 'express';
import session from 'express-session';
import passport from 'passport';
import { Redis } from 'ioredis';
import { createLoginWithToken, isLoginError, LoginError, type ErrorCode, type Identity } from 'login-with-token';
import { RedisStore } from 'login-with-token/redis';

interface User {
  id: string;
}

const login = createLoginWithToken<User>({
  store: new RedisStore({ client: new Redis({ lazyConnect: true }), prefix: 'portal:' }),
  hashKey: 'a-hash-key-for-every-instance',
  commands: { LoginWithToken: { url: 'https://partner.example/validate', body: '{"token":"{authToken}"}' } },
  resolveUser: (identity: Identity) => ({ id: identity.contactId ?? '' }),
});
passport.use(login.bearerStrategy);
passport.use(login.authTokenStrategy);

const app = express();
app.use(session({ secret: 'session-secret', resave: false, saveUninitialized: false }));
app.use(passport.initialize());
app.use(passport.session());
app.use(login.embedding);
app.use(login.router);
app.use('/portal', login.router);
app.get('/api/me', login.bearer, (req: Request, res: Response) => {
  res.json(req.user);
});
app.get('/api/passport', passport.authenticate(login.bearerStrategy.name, { session: false }), (_req: Request, res: Response) => {
  res.end();
});
app.use('/api', login.apiErrorHandler);
app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
  if (!isLoginError(error)) return next(error);
  const code: ErrorCode = error.code;
  res.status(error.status).set(error.headers).json({ code });
});

export const failure: ErrorCode = new LoginError('token_invalid').code;
export { app };
