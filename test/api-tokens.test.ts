import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiTokens, type CreateApiTokenInput } from '../src/api-tokens/api-tokens.js';
import type { OptionsErrorCode } from '../src/errors/options-error.js';
import { RedisStore } from '../src/redis.js';
import { TenantResolver } from '../src/request/tenant-resolver.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { storeKeys } from '../src/store/store-keys.js';
import { expectOptionsError } from './support/options-error.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

const start = Date.parse('2026-11-28T12:00:00Z');
let clock: number;
let store: MemoryStore;
beforeEach(() => {
  clock = start;
  store = new MemoryStore({ now: () => clock });
});
afterEach(() => store.close());

function apiTokens(tenants: Record<string, unknown> = {}): ApiTokens {
  return new ApiTokens(store.apiTokens, new TenantResolver({ tenants }), () => clock);
}

async function create(tokens: ApiTokens, input: CreateApiTokenInput) {
  const created = await tokens.create(input);
  recordSecret(created.token);
  return created;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => expect.unreachable('should have been refused'), (error: unknown) => error);
}

describe('ApiTokens', () => {
  describe('create', () => {
    it('returns the secret once with the record, and stores the record under the secret’s hash', async () => {
      const created = await create(apiTokens(), { userId: 'u-1', contactId: '1001', name: 'Nightly export', expiresAt: start + 3600_000 });
      expect(created).toEqual({
        id: expect.stringMatching(/^at_/),
        tenant: 'default',
        userId: 'u-1',
        name: 'Nightly export',
        createdAt: start,
        expiresAt: start + 3600_000,
        token: expect.stringMatching(/^lwta_[A-Za-z0-9_-]{43}$/),
      });
      const stored = await store.apiTokens.find(storeKeys.apiToken(created.token));
      expect(stored).toEqual({ ...created, token: undefined, identity: { contactId: '1001', tokenType: 'apitoken' } });
      expect(JSON.stringify(stored)).not.toContain(created.token);
      expect(await store.apiTokens.find(created.token)).toBeUndefined();
    });

    it('keeps the contact e-mail lower-cased, as identities carry it', async () => {
      const created = await create(apiTokens(), { userId: 'u-2', contactEmail: ' Bob@Example.COM ' });
      expect((await store.apiTokens.find(storeKeys.apiToken(created.token)))?.identity).toEqual({ contactEmail: 'bob@example.com', tokenType: 'apitoken' });
    });

    it('mints a new secret and id every time', async () => {
      const tokens = apiTokens();
      const [a, b] = [await create(tokens, { userId: 'u-1', contactId: '1001' }), await create(tokens, { userId: 'u-1', contactId: '1001' })];
      expect(a.token).not.toBe(b.token);
      expect(a.id).not.toBe(b.id);
    });

    it.each<[string, Record<string, unknown>, OptionsErrorCode, string]>([
      ['no userId', { contactId: '1001' }, 'LWT_MISSING_OPTION', 'apiTokens.create.userId'],
      ['neither contactId nor contactEmail', { userId: 'u-1' }, 'LWT_MISSING_OPTION', 'apiTokens.create.contactId'],
      ['a misspelt field', { userId: 'u-1', contactId: '1001', contactID: '1002' }, 'LWT_UNKNOWN_OPTION', 'apiTokens.create.contactID'],
      ['an empty name', { userId: 'u-1', contactId: '1001', name: '' }, 'LWT_INVALID_OPTION', 'apiTokens.create.name'],
      ['a name with a NUL character', { userId: 'u-1', contactId: '1001', name: 'CI\u0000' }, 'LWT_INVALID_OPTION', 'apiTokens.create.name'],
      ['a contactId with a lone surrogate', { userId: 'u-1', contactId: '\ud800' }, 'LWT_INVALID_OPTION', 'apiTokens.create.contactId'],
      ['a userId over 256 characters', { userId: 'u'.repeat(257), contactId: '1001' }, 'LWT_INVALID_OPTION', 'apiTokens.create.userId'],
      ['a fractional expiry', { userId: 'u-1', contactId: '1001', expiresAt: start + 0.5 }, 'LWT_INVALID_OPTION', 'apiTokens.create.expiresAt'],
      ['an expiry given as a date string', { userId: 'u-1', contactId: '1001', expiresAt: '2027-01-01' }, 'LWT_INVALID_OPTION', 'apiTokens.create.expiresAt'],
    ])('refuses %s with a TypeError naming the field, and stores nothing', async (_name, input, code, path) => {
      const tokens = apiTokens();
      const error = await rejection(tokens.create(input as unknown as CreateApiTokenInput));
      expectOptionsError(() => {
        throw error;
      }, { code, path });
      expect(await tokens.list()).toEqual([]);
    });

    it('refuses an unknown tenant, or none among several, with tenant_not_found and stores nothing', async () => {
      const tokens = apiTokens({ acme: {}, globex: {} });
      expect(await rejection(tokens.create({ tenant: 'initech', userId: 'u-1', contactId: '1001' }))).toMatchObject({ code: 'tenant_not_found' });
      expect(await rejection(tokens.create({ userId: 'u-1', contactId: '1001' }))).toMatchObject({ code: 'tenant_not_found' });
      expect([...(await tokens.list({ tenant: 'acme' })), ...(await tokens.list({ tenant: 'globex' }))]).toEqual([]);
    });
  });

  describe('list', () => {
    it('lists a tenant’s live tokens, of one user when asked, without secrets or identities', async () => {
      const tokens = apiTokens({ acme: {}, globex: {} });
      const one = await create(tokens, { tenant: 'acme', userId: 'u-1', contactId: '1001' });
      const two = await create(tokens, { tenant: 'acme', userId: 'u-2', contactId: '1002' });
      const other = await create(tokens, { tenant: 'globex', userId: 'u-1', contactId: '1001' });
      const listed = await tokens.list({ tenant: 'acme' });
      expect(listed.map((token) => token.id).sort()).toEqual([one.id, two.id].sort());
      expect((await tokens.list({ tenant: 'acme', userId: 'u-2' })).map((token) => token.id)).toEqual([two.id]);
      expect((await tokens.list({ tenant: 'globex' })).map((token) => token.id)).toEqual([other.id]);
      for (const entry of listed) expect(Object.keys(entry).sort()).toEqual(['createdAt', 'id', 'tenant', 'userId']);
      expect(JSON.stringify(listed)).not.toContain('lwta_');
    });

    it('leaves out a token once it has expired', async () => {
      const tokens = apiTokens();
      await create(tokens, { userId: 'u-1', contactId: '1001', expiresAt: start + 1000 });
      expect(await tokens.list()).toHaveLength(1);
      clock += 1000;
      expect(await tokens.list()).toEqual([]);
    });
  });

  describe('revoke', () => {
    it('revokes a token once, after which its secret no longer finds it', async () => {
      const tokens = apiTokens();
      const created = await create(tokens, { userId: 'u-1', contactId: '1001' });
      expect(await tokens.revoke(created.id)).toBe(true);
      expect(await store.apiTokens.find(storeKeys.apiToken(created.token))).toBeUndefined();
      expect(await tokens.revoke(created.id)).toBe(false);
      expect(await tokens.revoke('at_unknown')).toBe(false);
    });

    it('cannot revoke another tenant’s token', async () => {
      const tokens = apiTokens({ acme: {}, globex: {} });
      const created = await create(tokens, { tenant: 'acme', userId: 'u-1', contactId: '1001' });
      expect(await tokens.revoke(created.id, 'globex')).toBe(false);
      expect(await store.apiTokens.find(storeKeys.apiToken(created.token))).toBeDefined();
      expect(await rejection(tokens.revoke(created.id, 'initech'))).toMatchObject({ code: 'tenant_not_found' });
      expect(await rejection(tokens.revoke(created.id))).toMatchObject({ code: 'tenant_not_found' });
    });
  });
});

describeRedis('ApiTokens on RedisStore', () => {
  let client: Redis;
  let prefix: string;
  beforeAll(async () => {
    client = await connectRedis();
  });
  beforeEach(() => {
    prefix = uniquePrefix();
  });
  afterEach(() => deleteKeys(client, prefix));
  afterAll(() => client.quit());

  it('writes no secret to Redis, in keys or values, yet finds, lists and revokes the token', async () => {
    const redis = new RedisStore({ client, prefix, now: () => clock });
    const tokens = new ApiTokens(redis.apiTokens, new TenantResolver({ tenants: {} }), () => clock);
    const created = recordSecret((await tokens.create({ userId: 'u-1', contactEmail: 'bob@example.com' })).token);
    const dump = await dumpKeys(client, prefix);
    expect(Object.keys(dump).length).toBeGreaterThan(0);
    expect(JSON.stringify(dump)).not.toContain(created);
    expect(JSON.stringify(dump)).not.toContain(created.slice('lwta_'.length));
    expect((await redis.apiTokens.find(storeKeys.apiToken(created)))?.userId).toBe('u-1');
    const [listed] = await tokens.list();
    expect(listed?.userId).toBe('u-1');
    expect(await tokens.revoke(listed!.id)).toBe(true);
    expect(await redis.apiTokens.find(storeKeys.apiToken(created))).toBeUndefined();
  });
});
