-- login-with-token, PostgreSQL migration 0001: the tables of every store role.
-- {{ledger}}, {{sessions}}, … stand for "<schema>"."<tablePrefix><table>"; {{prefix}} for the
-- table prefix. Times are milliseconds since the epoch from the app's clock. Keys are hashes of
-- secrets (see store-keys.ts); no secret is ever written.

-- One-time ledger: reserved while `reservation` holds its holder's id, used once it is NULL;
-- either way until `until`. The sweep deletes by `until`.
CREATE TABLE IF NOT EXISTS {{ledger}} (
  key text PRIMARY KEY,
  reservation text,
  until bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS {{prefix}}ledger_until ON {{ledger}} (until);

-- Session tokens and connections. `idle_until` slides with use up to `expires_at`; `seq` is the
-- write order of each user's sessions (the maximum-sessions rule).
CREATE TABLE IF NOT EXISTS {{sessions}} (
  key text PRIMARY KEY,
  seq bigint GENERATED ALWAYS AS IDENTITY,
  tenant text NOT NULL,
  user_id text NOT NULL,
  kind text NOT NULL,
  created_at bigint NOT NULL,
  idle_until bigint NOT NULL,
  expires_at bigint NOT NULL,
  idle_ms bigint NOT NULL,
  pending boolean NOT NULL,
  session jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS {{prefix}}sessions_user ON {{sessions}} (tenant, user_id, seq);
CREATE INDEX IF NOT EXISTS {{prefix}}sessions_idle_until ON {{sessions}} (idle_until);

-- API tokens by the hash of their secret; revoking deletes the row.
CREATE TABLE IF NOT EXISTS {{apiTokens}} (
  key text PRIMARY KEY,
  id text NOT NULL,
  tenant text NOT NULL,
  user_id text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint,
  token jsonb NOT NULL,
  UNIQUE (tenant, id)
);
CREATE INDEX IF NOT EXISTS {{prefix}}api_tokens_user ON {{apiTokens}} (tenant, user_id, created_at);
CREATE INDEX IF NOT EXISTS {{prefix}}api_tokens_expires_at ON {{apiTokens}} (expires_at) WHERE expires_at IS NOT NULL;

-- Fixed-window rate-limit counters.
CREATE TABLE IF NOT EXISTS {{rateLimits}} (
  key text PRIMARY KEY,
  count integer NOT NULL,
  reset_at bigint NOT NULL
);
CREATE INDEX IF NOT EXISTS {{prefix}}rate_limits_reset_at ON {{rateLimits}} (reset_at);
