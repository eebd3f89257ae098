// Our session token checked by the plain `login.bearer` middleware: on the default MemoryStore,
// or on PostgresStore with `store: 'postgres'` (ours-middleware-postgres); with an OpenTelemetry
// SDK registered first when `telemetry` is set (ours-middleware-otel).
import express from 'express';
import { createLoginWithToken } from 'login-with-token';
import { benchStore, fetchSessionToken, ok, registerTelemetry, resolveUser } from './common.mjs';

export async function start({ store, telemetry }) {
  if (telemetry) await registerTelemetry();
  const { options, close, databaseCpu } = await benchStore(store);
  const login = createLoginWithToken({
    ...options,
    commands: { VerifyCredentials: { run: () => ({ ContactId: '1' }) } },
    resolveUser,
  });
  const app = express();
  // Route-level, like the baselines: a nested express.Router() would add cost that is Express's.
  app.get('/api/x', login.bearer, ok);
  app.use('/api', login.apiErrorHandler);
  // After the API route, so API requests measure the bearer check, not the router's route matching.
  app.use(login.router);
  return { app, databaseCpu, close: () => login.close().then(close), ready: async (origin) => ({ token: await fetchSessionToken(origin) }) };
}
