// The variants, in the order each round runs them, with their baseline and target ratio.
// `load(ready, ctx)` gives the autocannon options: `ready` is what the server reported at
// start-up (e.g. the session token it obtained), `ctx` what the parent made (the JWT, …).
// `store: 'postgres'` runs the server on PostgresStore instead of the default MemoryStore.
// `onDemand` variants run only when named (`--only`): `npm run bench:store` runs them, so that
// `npm run bench` needs no database and keeps its duration.

// One counter for the whole run, so a one-time token is never sent twice — also not across
// rounds or the warm-up.
let counter = 0;
const freshToken = () => `t-${++counter}`;

const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
const bearerFromServer = (ready) => ({ path: '/api/x', ...bearer(ready.token) });
const freshQuery = (path) => ({
  path,
  requests: [{ setupRequest: (request) => ({ ...request, path: `${path}?authToken=${freshToken()}` }) }],
});

export const variants = [
  { name: 'express', server: 'express', load: bearerFromServer },
  // The same server as `express`, measured as if it were a contender: its ratio shows how much of
  // any ratio here is the machine's noise rather than the code (an A/A test).
  { name: 'express-again', server: 'express', baseline: 'express', load: bearerFromServer },
  // No target: it shows what the smallest middleware that sets req.user costs on this machine.
  { name: 'hand-written-bearer', server: 'hand-written-bearer', baseline: 'express', load: bearerFromServer },
  { name: 'passport-http-bearer', server: 'passport-http-bearer', load: bearerFromServer },
  { name: 'ours-middleware', server: 'ours-middleware', baseline: 'express', target: 0.95, load: bearerFromServer },
  // The same server on PostgresStore, against its memory twin: a lookup per request in PostgreSQL.
  { name: 'ours-middleware-postgres', server: 'ours-middleware', store: 'postgres', onDemand: true, baseline: 'ours-middleware', load: bearerFromServer },
  { name: 'ours-passport', server: 'ours-passport', baseline: 'passport-http-bearer', target: 1.0, load: bearerFromServer },
  {
    name: 'ours-remote-hit',
    server: 'ours-remote',
    baseline: 'express',
    target: 0.9,
    load: (_ready, ctx) => ({ path: '/api/x', ...bearer(ctx.partnerToken) }),
  },
  {
    name: 'ours-remote-miss',
    server: 'ours-remote',
    baseline: 'express',
    target: 0.55,
    load: () => ({
      path: '/api/x',
      requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${freshToken()}` } }) }],
    }),
  },
  { name: 'jose-verify', server: 'jose-verify', load: (_ready, ctx) => ({ path: '/api/x', ...bearer(ctx.jwt.token) }) },
  {
    name: 'ours-logon-jwt',
    server: 'ours-logon-jwt',
    baseline: 'jose-verify',
    target: 0.9,
    load: (_ready, ctx) => ({
      path: '/Authentication/LogonWithToken',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: ctx.jwt.token, tokenType: 'profile-1' }),
    }),
  },
  // The baseline gets fresh tokens too, so the load generator does the same work for both.
  { name: 'validator-pool', server: 'validator-pool', load: () => freshQuery('/x') },
  { name: 'ours-handoff', server: 'ours-handoff', baseline: 'validator-pool', target: 0.8, load: () => freshQuery('/authentication/login') },
  // The same server on PostgresStore, against its memory twin: the ledger and the rate-limit counters in PostgreSQL.
  {
    name: 'ours-handoff-postgres',
    server: 'ours-handoff',
    store: 'postgres',
    onDemand: true,
    baseline: 'ours-handoff',
    load: () => freshQuery('/authentication/login'),
  },
];

/** Servers that call the local partner validator. */
export const needsValidator = new Set(['ours-remote', 'validator-pool', 'ours-handoff']);
