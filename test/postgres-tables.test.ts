import { describe, expect, it } from 'vitest';
import { postgresTables } from '../src/store/postgres/postgres-tables.js';

describe('postgresTables', () => {
  it('quotes every table and qualifies it by the schema, the prefix before each name', () => {
    expect(postgresTables('portal', 'auth_')).toEqual({
      ledger: '"portal"."auth_ledger"',
      sessions: '"portal"."auth_sessions"',
      apiTokens: '"portal"."auth_api_tokens"',
      rateLimits: '"portal"."auth_rate_limits"',
      migrations: '"portal"."auth_migrations"',
    });
  });

  it('takes an empty prefix', () => {
    expect(postgresTables('public', '')).toMatchObject({ ledger: '"public"."ledger"', migrations: '"public"."migrations"' });
  });
});
