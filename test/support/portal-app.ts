import express, { type Express } from 'express';
import session from 'express-session';
import passport from 'passport';
import {
  bearerStrategyName,
  createLoginWithToken,
  MemoryStore,
  type AuditEvent,
  type LoginWithToken,
  type LoginWithTokenOptions,
} from '../../src/index.js';
import { captureText } from './leak-capture.js';
import { recordSecret } from './secrets.js';

/** A user of the test portal. */
export interface TestUser {
  id: string;
  email: string;
  contactId: string;
  disabled?: boolean;
}

/** The portal's users: ContactId 1001 is Alice, Bob is matched by e-mail. */
export const testUsers: TestUser[] = [
  { id: 'u-alice', email: 'alice@example.com', contactId: '1001' },
  { id: 'u-bob', email: 'Bob@Example.com', contactId: '1002' },
  { id: 'u-carol', email: 'carol@example.com', contactId: '1003', disabled: true },
];

/** resolveUser of the test portal. */
export function findTestUser(identity: { contactId?: string; contactEmail?: string }): TestUser | null {
  if (identity.contactId !== undefined) return testUsers.find((user) => user.contactId === identity.contactId) ?? null;
  return testUsers.find((user) => user.email.toLowerCase() === identity.contactEmail) ?? null;
}

/** A test portal and what it recorded. */
export interface TestPortal {
  app: Express;
  login: LoginWithToken;
  audit: AuditEvent[];
}

/**
 * An Express portal as an app developer would build it: express-session, passport, our router,
 * a `/whoami` page (JSON) showing the signed-in user, session id and noChrome flag, and two API
 * routes guarded by bearer tokens — `/api/me` with the plain middleware and `/api/passport/me`
 * with `passport.authenticate(bearerStrategyName, { session: false })`.
 */
export function createTestPortal(options: Partial<LoginWithTokenOptions<TestUser>>): TestPortal {
  const audit: AuditEvent[] = [];
  const login = createLoginWithToken<TestUser>({
    resolveUser: findTestUser,
    ...options,
    // The partner servers of the tests live on loopback, which the destination check refuses by default.
    http: { allowPrivateAddresses: ['127.0.0.0/8', '::1'], ...options.http },
    audit: (event) => {
      audit.push(event);
      captureText(JSON.stringify(event));
      options.audit?.(event);
    },
  });
  const auth = new passport.Passport();
  auth.use(login.authTokenStrategy);
  auth.use(login.bearerStrategy);
  auth.serializeUser((user: Express.User, done) => done(null, (user as TestUser).id));
  auth.deserializeUser((id: string, done) => done(null, testUsers.find((user) => user.id === id) ?? false));

  const app = express();
  // Tests speak for other clients through X-Forwarded-For, as a reverse proxy would.
  app.set('trust proxy', 'loopback');
  app.use(captureResponses);
  app.use(session({ secret: 'test-session-secret', resave: false, saveUninitialized: true, name: 'sid' }));
  app.use(auth.initialize());
  app.use(auth.session());
  app.use(login.router);
  app.get('/whoami', (req, res) => {
    res.json({ user: (req.user as TestUser | undefined)?.id ?? null, sessionId: req.sessionID, noChrome: res.locals['noChrome'] });
  });
  const api = express.Router();
  api.use(express.urlencoded({ extended: false }));
  api.all('/me', login.bearer, (req, res) => {
    res.json({ user: (req.user as TestUser).id, authInfo: req.authInfo });
  });
  api.all('/passport/me', auth.authenticate(bearerStrategyName, { session: false }), (req, res) => {
    res.json({ user: (req.user as TestUser).id, authInfo: req.authInfo });
  });
  api.use(login.apiErrorHandler);
  app.use('/api', api);
  app.get('/invoices/:n', (req, res) => {
    res.json({ invoice: req.params.n, user: (req.user as TestUser | undefined)?.id ?? null });
  });
  return { app, login, audit };
}

/** A test portal whose package and MemoryStore both run on the test's own clock. */
export function createClockedPortal(now: () => number, options: Partial<LoginWithTokenOptions<TestUser>>): TestPortal & { store: MemoryStore } {
  const store = new MemoryStore({ now });
  return { ...createTestPortal({ now, store, ...options }), store };
}

let counter = 0;

/** A fresh, realistic one-time token; recorded so the leak check can look for it. */
export function newToken(prefix = 'tok'): string {
  return recordSecret(`${prefix}-${Date.now().toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 12)}`);
}

/** Hands redirect targets and error bodies to the suite-wide leak check. */
export const captureResponses: express.RequestHandler = (_req, res, next) => {
  const end = res.end.bind(res) as (...args: unknown[]) => express.Response;
  res.end = ((...args: unknown[]) => {
    const location = res.getHeader('location');
    if (location !== undefined) captureText(String(location));
    const chunk = args[0];
    if (res.statusCode >= 400 && (typeof chunk === 'string' || Buffer.isBuffer(chunk))) captureText(chunk.toString());
    return end(...args);
  }) as typeof res.end;
  next();
};
