/** The quoted, schema-qualified name of each table the PostgreSQL store uses. */
export interface PostgresTables {
  /** One-time ledger: `key`, `reservation` (the holder while reserved, NULL once used), `until`. */
  readonly ledger: string;
  /** Session tokens and connections, with `seq` giving each user's sessions in write order. */
  readonly sessions: string;
  /** API tokens by the hash of their secret. */
  readonly apiTokens: string;
  /** Rate-limit counters. */
  readonly rateLimits: string;
  /** Which migrations ran. */
  readonly migrations: string;
}

/**
 * Every table name, in one place: `"<schema>"."<prefix><table>"`. Both parts are validated
 * identifiers (lower-case letters, digits, `_`), so quoting them is all that is needed.
 */
export function postgresTables(schema: string, prefix: string): PostgresTables {
  const table = (name: string) => `"${schema}"."${prefix}${name}"`;
  return {
    ledger: table('ledger'),
    sessions: table('sessions'),
    apiTokens: table('api_tokens'),
    rateLimits: table('rate_limits'),
    migrations: table('migrations'),
  };
}
