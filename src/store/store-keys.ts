import { secretHash } from '../crypto/secret-hash.js';

/**
 * Every key the package stores under, in one place. A secret is only ever a key as its SHA-256
 * (see `secretHash`), salted with its role so a value can never be taken for another kind; names
 * (usernames, codes) arrive as keyed hashes (`hashKey`). Each function documents its own key.
 */
export const storeKeys = {
  /**
   * Ledger: a handoff `authToken`, in every tenant — tenants that share a partner would otherwise
   * each accept the same token once.
   */
  authToken: (token: string): string => secretHash('authToken', token),
  /** Ledger: a signed sender token, by what its signature covers (header and payload), in every tenant. */
  signedSender: (signingInput: string): string => secretHash('signed-sender', signingInput),
  /** Sessions: a session token (`lwts_…`). */
  sessionToken: (token: string): string => secretHash('session', token),
  /** Sessions: a LogonWithToken connection id, in any letter case. */
  connection: (connectionId: string): string => secretHash('connection', connectionId.toLowerCase()),
  /** API tokens: an API token secret (`lwta_…`). */
  apiToken: (secret: string): string => secretHash('apitoken', secret),
} as const;

/** The rate-limit counters, by what they count. `network` is a client network (see `clientNetwork`). */
export const rateLimitKeys = {
  /** Handoff tokens the partner rejected, per client network. */
  handoffIp: (network: string): string => `handoff-ip:${network}`,
  /** Failed bearer lookups, per client network. */
  bearerIp: (network: string): string => `bearer-ip:${network}`,
  /** Failed LogonWithToken calls, per client network. */
  logonIp: (network: string): string => `logon-ip:${network}`,
  /** Failed `authentication/token` calls, per client network. */
  tokenIp: (network: string): string => `token-ip:${network}`,
  /** Failed guesses at one name (its keyed hash) from one client network. */
  tokenNameIp: (name: string, network: string): string => `token-name-ip:${name}:${network}`,
  /** Failed guesses at one name (its keyed hash) from all networks. */
  tokenName: (name: string): string => `token-name:${name}`,
  /** Failed authentication-code sign-ins of one tenant (its keyed hash), from all networks. */
  tokenCode: (tenant: string): string => `token-code:${tenant}`,
} as const;

/** Where each store role keeps its records in Redis (see {@link redisKeys}). */
export interface RedisKeys {
  /** A one-time ledger entry. */
  ledger(key: string): string;
  /** A session token or connection. */
  session(key: string): string;
  /** The sorted set of a user's sessions, in write order. */
  userSessions(tenant: string, userId: string): string;
  /** An API token's record. */
  apiToken(key: string): string;
  /** An API token's id → its key. */
  apiTokenId(tenant: string, id: string): string;
  /** The set of a tenant's API token ids. */
  apiTokens(tenant: string): string;
  /** A rate-limit counter (a key of {@link rateLimitKeys}). */
  rate(key: string): string;
}

/** The Redis keys of every role under `prefix` (the README's key map shows them). */
export function redisKeys(prefix: string): RedisKeys {
  return {
    ledger: (key) => `${prefix}ledger:${key}`,
    session: (key) => `${prefix}session:${key}`,
    userSessions: (tenant, userId) => `${prefix}user-sessions:${tenant}:${userId}`,
    apiToken: (key) => `${prefix}api-token:${key}`,
    apiTokenId: (tenant, id) => `${prefix}api-token-id:${tenant}:${id}`,
    apiTokens: (tenant) => `${prefix}api-tokens:${tenant}`,
    rate: (key) => `${prefix}rate:${key}`,
  };
}
