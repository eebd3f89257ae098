// npm run bench:micro — the in-process cost of each bearer check, without HTTP: the share of a
// request that is ours, measured far below the ±20 % noise of the HTTP runs. Each check runs
// 200,000 times after a warm-up; the table gives nanoseconds per check (median of 5 rounds).
// `--quick` (CI's smoke run): one round of 20,000.
import passport from 'passport';
import { Strategy as BearerStrategy } from 'passport-http-bearer';
import { bearerStrategyName, createLoginWithToken } from 'login-with-token';

const user = { id: 'u-1' };
const users = new Map([['1', user]]);
const login = createLoginWithToken({
  commands: {
    VerifyCredentials: { run: () => ({ ContactId: '1' }) },
    ValidateBearer: { run: () => ({ ContactId: '1' }) },
  },
  resolveUser: ({ contactId }) => users.get(contactId),
});

// A session token through the package's own endpoint logic, without a server.
const token = await new Promise((resolve, reject) => {
  const req = fakeRequest({ method: 'POST', url: '/authentication/token', body: { username: 'u', password: 'p', organisation: 'X' } });
  req.is = () => 'application/json';
  const res = fakeResponse((body) => resolve(body.data.token));
  login.router(req, res, reject);
});

const ecosystem = new passport.Passport();
const map = new Map([[token, user]]);
ecosystem.use(new BearerStrategy((presented, done) => done(null, map.get(presented) ?? false)));
const ours = new passport.Passport();
ours.use(login.bearerStrategy);

const checks = {
  'login.bearer (session token)': middlewareCheck(login.bearer, token),
  'login.bearer (partner token, cache hit)': middlewareCheck(login.bearer, 'partner-token-1'),
  'passport + passport-http-bearer (Map)': middlewareCheck(ecosystem.authenticate('bearer', { session: false }), token),
  'passport + login-with-token-bearer': middlewareCheck(ours.authenticate(bearerStrategyName, { session: false }), token),
};

const rows = [];
const quick = process.argv.includes('--quick');
const [roundCount, perRound] = quick ? [1, 20_000] : [5, 200_000];
for (const [name, check] of Object.entries(checks)) {
  await check(20_000);
  const rounds = [];
  for (let round = 0; round < roundCount; round++) {
    const started = process.hrtime.bigint();
    await check(perRound);
    rounds.push(Number(process.hrtime.bigint() - started) / perRound);
  }
  rows.push([name, rounds.sort((a, b) => a - b)[Math.floor(roundCount / 2)]]);
}
console.log('| check | ns per request |\n|---|---:|');
for (const [name, ns] of rows) console.log(`| ${name} | ${Math.round(ns)} |`);
await login.close();

function middlewareCheck(middleware, bearer) {
  const req = fakeRequest({ method: 'GET', url: '/api/x', authorization: `Bearer ${bearer}` });
  const res = fakeResponse();
  return async (times) => {
    for (let i = 0; i < times; i++) {
      await new Promise((resolve, reject) => middleware(req, res, (error) => (error ? reject(error) : resolve())));
      if (req.user !== user) throw new Error('not authenticated');
      req.user = undefined;
    }
  };
}

function fakeRequest({ method, url, authorization, body }) {
  const headers = { host: 'bench', ...(authorization ? { authorization } : {}), ...(body ? { 'content-type': 'application/json' } : {}) };
  return {
    method,
    url,
    originalUrl: url,
    headers,
    rawHeaders: Object.entries(headers).flat(),
    query: {},
    body,
    ip: '127.0.0.1',
    socket: { remoteAddress: '127.0.0.1' },
    get: (name) => headers[name.toLowerCase()],
    header: (name) => headers[name.toLowerCase()],
  };
}

function fakeResponse(onJson = () => undefined) {
  const res = {
    statusCode: 200,
    locals: {},
    headers: {},
    set(fields) {
      Object.assign(res.headers, fields);
      return res;
    },
    setHeader: (name, value) => void (res.headers[name] = value),
    getHeader: (name) => res.headers[name],
    status(code) {
      res.statusCode = code;
      return res;
    },
    json(body) {
      onJson(body);
      return res;
    },
    end: () => res,
  };
  return res;
}
