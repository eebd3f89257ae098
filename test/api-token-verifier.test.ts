import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokens } from '../src/api-tokens/api-tokens.js';
import type { LoginError } from '../src/errors/login-error.js';
import { createApiTokenVerifier } from '../src/logon/api-token-verifier.js';
import { TenantResolver } from '../src/request/tenant-resolver.js';
import type { ApiTokenStore } from '../src/store/api-token-store.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { storeKeys } from '../src/store/store-keys.js';
import { recordSecret } from './support/secrets.js';

let clock: number;
let store: MemoryStore;
let apiTokens: ApiTokens;

beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  store = new MemoryStore({ now: () => clock });
  apiTokens = new ApiTokens(store.apiTokens, new TenantResolver({ tenants: { acme: {}, globex: {} } }), () => clock);
});
afterEach(() => store.close());

/** A real API token of `tenant`, as `login.apiTokens.create` hands it out. */
async function created(tenant = 'acme', expiresAt?: number) {
  const made = await apiTokens.create({ tenant, userId: 'u-1', contactEmail: 'Alice@Example.com', ...(expiresAt === undefined ? {} : { expiresAt }) });
  recordSecret(made.token);
  return made;
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'accepted', (error: unknown) => (error as LoginError).code);

describe('createApiTokenVerifier', () => {
  it('accepts a token of the tenant with the identity it was created for, reusable', async () => {
    const { token } = await created();
    const verifier = createApiTokenVerifier(store.apiTokens);
    const verified = await verifier.verify(token, 'acme');
    expect(verified).toEqual({ identity: { contactEmail: 'alice@example.com', tokenType: 'apitoken' } });
    // No oneTime: an API token signs in again and again until revoked.
    expect(verified.oneTime).toBeUndefined();
    expect((await verifier.verify(token, 'acme')).identity.contactEmail).toBe('alice@example.com');
  });

  it('refuses a token of another tenant with 10268', async () => {
    const { token } = await created('globex');
    await expect(createApiTokenVerifier(store.apiTokens).verify(token, 'acme')).rejects.toMatchObject({ code: 'api_token_invalid', number: 10268, status: 401 });
  });

  it('refuses an unknown, a revoked and an expired token alike', async () => {
    const verifier = createApiTokenVerifier(store.apiTokens);
    const revoked = await created();
    await apiTokens.revoke(revoked.id, 'acme');
    const expiring = await created('acme', clock + 60_000);
    expect(await codeOf(verifier.verify(expiring.token, 'acme'))).toBe('accepted');
    clock += 60_000;
    expect(await codeOf(verifier.verify(recordSecret('lwta_never-issued-0123456789'), 'acme'))).toBe('api_token_invalid');
    expect(await codeOf(verifier.verify(revoked.token, 'acme'))).toBe('api_token_invalid');
    expect(await codeOf(verifier.verify(expiring.token, 'acme'))).toBe('api_token_invalid');
  });

  it('looks tokens up by their hash, so neither a stored hash nor a near miss signs in', async () => {
    const { token } = await created();
    const verifier = createApiTokenVerifier(store.apiTokens);
    // Someone who read the store holds only hashes: presenting one must not work.
    expect(await codeOf(verifier.verify(storeKeys.apiToken(token), 'acme'))).toBe('api_token_invalid');
    expect(await codeOf(verifier.verify(token.toUpperCase(), 'acme'))).toBe('api_token_invalid');
    expect(await codeOf(verifier.verify(`${token} `, 'acme'))).toBe('api_token_invalid');
    expect(await codeOf(verifier.verify(token.slice(0, -1), 'acme'))).toBe('api_token_invalid');
  });

  it('passes a store outage on as it is, not as a rejected token', async () => {
    const outage = new Error('connection reset');
    const real = store.apiTokens;
    const broken: ApiTokenStore = {
      create: (key, token) => real.create(key, token),
      find: () => Promise.reject(outage),
      list: (tenant, userId) => real.list(tenant, userId),
      revoke: (tenant, id) => real.revoke(tenant, id),
    };
    const { token } = await created();
    // A rejected token counts against the client's network; a fault of ours must not.
    await expect(createApiTokenVerifier(broken).verify(token, 'acme')).rejects.toBe(outage);
  });
});
