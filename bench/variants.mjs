// The variants, in the order each round runs them, with their baseline and target ratio.
// `load(ready, ctx)` gives the autocannon options: `ready` is what the server reported at
// start-up (e.g. the session token it obtained), `ctx` what the parent made (the JWT, …).
// `store: 'postgres'` runs the server on PostgresStore instead of the default MemoryStore.
// `onDemand` variants run only when named (`--only`): `npm run bench:store` runs them, so that
// `npm run bench` needs no database and keeps its duration. `cpuTarget` holds the CPU ratio
// (baseline's CPU µs/req ÷ this one's) to a target too; `alsoVs` names further variants the
// runner compares this one with, below the table. `telemetry: true` registers an OpenTelemetry SDK
// in the server before it builds the portal.

// One counter for the whole run, so a one-time token is never sent twice — also not across
// rounds or the warm-up.
let counter = 0;
const freshToken = () => `t-${++counter}`;

const bearer = (token) => ({ headers: { authorization: `Bearer ${token}` } });
const bearerFromServer = (ready) => ({ path: '/api/x', ...bearer(ready.token) });
const freshBearer = () => ({
  path: '/api/x',
  requests: [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${freshToken()}` } }) }],
});
const jwtBearer = (_ready, ctx) => ({ path: '/api/x', ...bearer(ctx.jwt.token) });
const accessTokenBearer = (_ready, ctx) => ({ path: '/api/x', ...bearer(ctx.accessToken) });
const partnerBearer = (_ready, ctx) => ({ path: '/api/x', ...bearer(ctx.partnerToken) });
const logonWithJwt = (_ready, ctx) => ({
  path: '/Authentication/LogonWithToken',
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ token: ctx.jwt.token, tokenType: 'profile-1' }),
});
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
  // Against the smallest middleware that sets req.user, doing less than ours (no hashing, no
  // tenant, no expiry); against a bare route below the table.
  { name: 'ours-middleware', server: 'ours-middleware', baseline: 'hand-written-bearer', target: 0.97, cpuTarget: 0.97, alsoVs: ['express'], load: bearerFromServer },
  // The same server on PostgresStore, against its memory twin: a lookup per request in PostgreSQL.
  // The same server with an OpenTelemetry SDK registered (spans recorded, metrics aggregated, nothing
  // exported): what turning observability on costs a bearer check. Without an SDK the package does
  // not touch OpenTelemetry on this path at all.
  { name: 'ours-middleware-otel', server: 'ours-middleware', telemetry: true, onDemand: true, baseline: 'ours-middleware', load: bearerFromServer },
  { name: 'ours-middleware-postgres', server: 'ours-middleware', store: 'postgres', onDemand: true, baseline: 'ours-middleware', load: bearerFromServer },
  { name: 'ours-passport', server: 'ours-passport', baseline: 'passport-http-bearer', target: 1.0, cpuTarget: 1.0, load: bearerFromServer },
  // Partner tokens checked by a ValidateBearer command, against the same written by hand with
  // undici and a SHA-256-keyed Map: one token (cache hits), and a new token per request.
  { name: 'hand-written-remote-hit', server: 'hand-written-remote', load: partnerBearer },
  { name: 'ours-remote-hit', server: 'ours-remote', baseline: 'hand-written-remote-hit', target: 0.9, cpuTarget: 0.9, alsoVs: ['express'], load: partnerBearer },
  { name: 'hand-written-remote-miss', server: 'hand-written-remote', load: freshBearer },
  { name: 'ours-remote-miss', server: 'ours-remote', baseline: 'hand-written-remote-miss', target: 0.9, cpuTarget: 0.9, load: freshBearer },
  { name: 'jose-verify', server: 'jose-verify', load: jwtBearer },
  // LogonWithToken with a JWT profile, against the same written by hand with jose.
  { name: 'hand-written-logon-jwt', server: 'hand-written-logon-jwt', baseline: 'jose-verify', load: logonWithJwt },
  { name: 'ours-logon-jwt', server: 'ours-logon-jwt', baseline: 'hand-written-logon-jwt', target: 0.9, cpuTarget: 0.9, alsoVs: ['jose-verify'], load: logonWithJwt },
  // An identity provider's JWT on an API route, against the same checks written by hand with
  // jose (itself against jose-verify, which verifies only: what the checks around it cost).
  { name: 'hand-written-jwt-bearer', server: 'hand-written-jwt-bearer', baseline: 'jose-verify', load: jwtBearer },
  { name: 'ours-jwt-bearer', server: 'ours-jwt-bearer', baseline: 'hand-written-jwt-bearer', target: 0.9, cpuTarget: 0.9, alsoVs: ['jose-verify'], load: jwtBearer },
  // RFC 7662 introspection against the same done by hand with undici: one token (cache hits), and
  // a new token per request (an introspection call each).
  { name: 'hand-written-introspection-hit', server: 'hand-written-introspection', load: accessTokenBearer },
  { name: 'ours-introspection-hit', server: 'ours-introspection', baseline: 'hand-written-introspection-hit', target: 0.9, cpuTarget: 0.9, load: accessTokenBearer },
  { name: 'hand-written-introspection-miss', server: 'hand-written-introspection', load: freshBearer },
  { name: 'ours-introspection-miss', server: 'ours-introspection', baseline: 'hand-written-introspection-miss', target: 0.9, cpuTarget: 0.9, load: freshBearer },
  // The baseline gets fresh tokens too, so the load generator does the same work for both.
  { name: 'validator-pool', server: 'validator-pool', load: () => freshQuery('/x') },
  // The handoff, against the same written by hand with express-session, Passport and undici
  // (validator-pool, only the partner call, below the table).
  { name: 'hand-written-handoff', server: 'hand-written-handoff', baseline: 'validator-pool', load: () => freshQuery('/authentication/login') },
  { name: 'ours-handoff', server: 'ours-handoff', baseline: 'hand-written-handoff', target: 0.9, cpuTarget: 0.9, alsoVs: ['validator-pool'], load: () => freshQuery('/authentication/login') },
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
export const needsValidator = new Set(['ours-remote', 'hand-written-remote', 'validator-pool', 'ours-handoff', 'hand-written-handoff']);
/** Servers that call the local introspection endpoint. */
export const needsIntrospection = new Set(['ours-introspection', 'hand-written-introspection']);
