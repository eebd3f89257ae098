import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mintApiTokenSecret } from '../src/api-tokens/api-token-secret.js';
import { isPromise, type MaybePromise } from '../src/async/maybe-promise.js';
import { BearerAuthentication, type BearerResult } from '../src/bearer/bearer-authentication.js';
import { mintSessionToken } from '../src/credentials/session-token.js';
import { isLoginError, type LoginError } from '../src/errors/login-error.js';
import { ConnectionJwt } from '../src/logon/connection-jwt.js';
import type { LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { RedisStore } from '../src/store/redis/redis-store.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { SessionStore, StoredSession } from '../src/store/session-store.js';
import type { Store } from '../src/store/store.js';
import { rateLimitKeys, storeKeys } from '../src/store/store-keys.js';
import { bearerParts, bearerRequest, bearerUsers, findBearerUser, type BearerParts, type BearerUser } from './support/bearer-services.js';
import { json, startPartnerServer, type PartnerServer, type ReceivedRequest } from './support/partner-server.js';
import { connectRedis, deleteKeys, describeRedis, dumpKeys, uniquePrefix } from './support/redis.js';
import { recordSecret } from './support/secrets.js';

const alice = bearerUsers[0]!;

/** What the partner says about each token it issued; any other token gets 401. */
const issued = new Map<string, unknown>();
let partner: PartnerServer;
const tokenOf = (received: ReceivedRequest) => /^Bearer (.+)$/.exec(String(received.headers['x-partner-token'] ?? ''))?.[1] ?? '';
const answer = (received: ReceivedRequest, res: ServerResponse) => {
  const known = issued.get(tokenOf(received));
  if (known === undefined) json(res, 401, {});
  else json(res, 200, known);
};
function issue(body: unknown = { ContactId: 1001 }): string {
  const token = recordSecret(`partner.${Math.random().toString(36).slice(2)}.${issued.size}`);
  issued.set(token, body);
  return token;
}

beforeAll(async () => {
  partner = await startPartnerServer();
});
afterAll(() => partner.close());
beforeEach(() => {
  issued.clear();
  partner.received.length = 0;
  partner.behave(answer);
});

let parts: BearerParts;
let subject: BearerAuthentication<BearerUser>;
afterEach(() => parts.close());

function build(options: Partial<LoginWithTokenOptions<BearerUser>> = {}, store?: Store): BearerAuthentication<BearerUser> {
  parts = bearerParts(
    {
      commands: { ValidateBearer: { method: 'GET', url: `${partner.origin}/introspect`, headers: { 'x-partner-token': 'Bearer {bearerToken}' } } },
      ...options,
    },
    store === undefined ? {} : { store },
  );
  subject = new BearerAuthentication(parts.services, parts.parsed);
  return subject;
}

const authenticate = (token: string, ip?: string) => subject.authenticate(bearerRequest({ token, ...(ip === undefined ? {} : { ip }) }));

async function failure(outcome: MaybePromise<unknown>): Promise<LoginError> {
  // Failures must always come as a rejected promise, never as a value or a throw.
  expect(isPromise(outcome)).toBe(true);
  const error = await (outcome as Promise<unknown>).then(() => undefined, (caught: unknown) => caught);
  expect(isLoginError(error)).toBe(true);
  return error as LoginError;
}

function session(overrides: Partial<StoredSession> = {}): StoredSession {
  const now = parts.now();
  return {
    kind: 'session-token',
    tenant: 'default',
    userId: 'u-alice',
    identity: { contactId: '1001', contactEmail: undefined, tokenType: 'credentials' },
    createdAt: now,
    expiresAt: now + 3_600_000,
    ...overrides,
  };
}

async function sessionToken(overrides: Partial<StoredSession> = {}): Promise<string> {
  const token = recordSecret(mintSessionToken());
  await parts.store.sessions.create(storeKeys.sessionToken(token), session(overrides));
  return token;
}

/** A LogonWithToken connection as openConnection writes it, with its id, key and JWT. */
async function connection(overrides: Partial<StoredSession> = {}) {
  const id = recordSecret(randomUUID());
  const key = storeKeys.connection(id);
  const stored = session({ kind: 'connection', idleTimeoutMs: 600_000, identity: { contactId: '1001', contactEmail: undefined, tokenType: 'apitoken' }, ...overrides });
  await parts.store.sessions.create(key, stored);
  const jwt = recordSecret(await parts.services.connectionJwt.sign({ sid: key, tenant: stored.tenant, userId: stored.userId }, stored.expiresAt));
  return { id, key, jwt };
}

/** Failed bearer lookups counted for `ip`'s network so far. */
async function failures(ip = '203.0.113.5'): Promise<number> {
  const { windowMs, bearerFailuresPerIp } = parts.parsed.rateLimits;
  return (await parts.store.rateLimits.add(rateLimitKeys.bearerIp(ip), 0, windowMs, bearerFailuresPerIp)).count;
}

describe('BearerAuthentication', () => {
  describe('authenticate', () => {
    it('answers synchronously for a session token with the memory store and a synchronous resolveUser', async () => {
      build();
      const token = await sessionToken();
      const result = authenticate(token);
      expect(isPromise(result)).toBe(false);
      expect(result).toEqual({ user: alice, info: { tenant: 'default', tokenType: 'session-token', expiresAt: parts.now() + 3_600_000 } });
    });

    it('answers with a promise when resolveUser is asynchronous', async () => {
      build({ resolveUser: async (identity) => findBearerUser(identity) });
      const result = authenticate(await sessionToken());
      expect(isPromise(result)).toBe(true);
      expect((await result).user).toBe(alice);
    });

    it('answers with a promise for a connection JWT and for a partner token', async () => {
      build();
      const jwtResult = authenticate((await connection()).jwt);
      const partnerResult = authenticate(issue());
      expect(isPromise(jwtResult) && isPromise(partnerResult)).toBe(true);
      expect((await jwtResult).info.tokenType).toBe('connection-jwt');
      expect(await partnerResult).toEqual({ user: alice, info: { tenant: 'default', tokenType: 'bearer' } });
    });

    describe('when no token or a malformed one is sent', () => {
      it('rejects with token_missing and a challenge without an error, naming the realm', async () => {
        build({ bearer: { realm: 'billing' } });
        const error = await failure(subject.authenticate(bearerRequest()));
        expect(error).toMatchObject({ code: 'token_missing', status: 401, headers: { 'www-authenticate': 'Bearer realm="billing"' } });
      });

      it('rejects with invalid_request and its challenge, without counting a failure', async () => {
        build();
        const error = await failure(subject.authenticate(bearerRequest({ headers: { authorization: 'Bearer a b' } })));
        expect(error).toMatchObject({ code: 'invalid_request', status: 400, headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_request"' } });
        expect(await failures()).toBe(0);
        expect(partner.received).toHaveLength(0);
      });

      it('takes a query token only when allowQueryToken is set', async () => {
        build({ bearer: { allowQueryToken: true } });
        const token = await sessionToken();
        expect(subject.authenticate(bearerRequest({ query: { access_token: token } }))).toMatchObject({ user: alice });
      });
    });

    describe('our own tokens', () => {
      it('refuses an unknown, expired or revoked session token with token_invalid and its challenge', async () => {
        build();
        const unknown = recordSecret(mintSessionToken());
        const revoked = await sessionToken();
        await parts.store.sessions.revoke(storeKeys.sessionToken(revoked));
        const expiring = await sessionToken({ expiresAt: parts.now() + 1_000 });
        parts.advance(1_000);
        for (const token of [unknown, revoked, expiring]) {
          expect(await failure(authenticate(token))).toMatchObject({ code: 'token_invalid', status: 401, headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' } });
        }
      });

      it('refuses a session of another tenant', async () => {
        build({ tenants: { acme: {}, globex: {} }, resolveTenant: (request) => String(request.headers['x-tenant']) });
        const token = await sessionToken({ tenant: 'globex' });
        const at = (tenant: string) => subject.authenticate(bearerRequest({ token, headers: { 'x-tenant': tenant } }));
        expect((await failure(at('acme'))).code).toBe('token_invalid');
        expect(at('globex')).toMatchObject({ user: alice, info: { tenant: 'globex' } });
      });

      it('accepts a connection id, and each use slides its idle timeout', async () => {
        build();
        const { id } = await connection({ idleTimeoutMs: 1_000 });
        for (let i = 0; i < 3; i++) {
          parts.advance(800);
          expect(authenticate(id)).toMatchObject({ user: alice, info: { tokenType: 'connection-id' } });
        }
        parts.advance(1_000);
        expect((await failure(authenticate(id))).code).toBe('token_invalid');
      });

      it('accepts a connection JWT while its connection lives, and refuses it once the connection ends', async () => {
        build();
        const { key, jwt } = await connection();
        expect(await authenticate(jwt)).toMatchObject({ user: alice, info: { tenant: 'default', tokenType: 'connection-jwt' } });
        await parts.store.sessions.revoke(key);
        expect((await failure(authenticate(jwt))).code).toBe('token_invalid');
      });

      it('refuses a connection JWT presented in another tenant or naming another user', async () => {
        build({ tenants: { acme: {}, globex: {} }, resolveTenant: (request) => String(request.headers['x-tenant']) });
        const { key, jwt } = await connection({ tenant: 'globex' });
        const at = (token: string, tenant: string) => subject.authenticate(bearerRequest({ token, headers: { 'x-tenant': tenant } }));
        expect((await failure(at(jwt, 'acme'))).code).toBe('token_invalid');
        const otherUser = recordSecret(await parts.services.connectionJwt.sign({ sid: key, tenant: 'globex', userId: 'u-mallory' }, parts.now() + 3_600_000));
        expect((await failure(at(otherUser, 'globex'))).code).toBe('token_invalid');
        expect(await at(jwt, 'globex')).toMatchObject({ user: alice });
      });

      it('refuses a connection whose second factor is pending, by its id and by a JWT, until it is confirmed', async () => {
        build();
        const { id, key, jwt } = await connection({ pendingSecondFactor: true });
        expect((await failure(authenticate(id))).code).toBe('token_invalid');
        expect((await failure(authenticate(jwt))).code).toBe('token_invalid');
        await parts.store.sessions.confirm(key);
        expect(authenticate(id)).toMatchObject({ user: alice });
        expect(await authenticate(jwt)).toMatchObject({ user: alice });
      });

      it('never sends a token of ours to the partner, whatever its spelling', async () => {
        build();
        // This partner would vouch for anything it is shown.
        partner.behave((_received, res) => json(res, 200, { ContactId: 1001 }));
        const live = await connection();
        const otherInstance = new ConnectionJwt(parts.parsed.logon.jwt, parts.now);
        const ours = [
          recordSecret(mintSessionToken()),
          recordSecret(`LWTS_${mintSessionToken().slice(5)}`),
          recordSecret(mintApiTokenSecret()),
          recordSecret(`Lwta_${mintApiTokenSecret().slice(5)}`),
          recordSecret(randomUUID()),
          recordSecret(`${randomUUID().toUpperCase()}==`),
          recordSecret(await otherInstance.sign({ sid: live.key, tenant: 'default', userId: 'u-alice' }, parts.now() + 60_000)),
          recordSecret(`${live.jwt.slice(0, live.jwt.lastIndexOf('.'))}.AAAA`),
        ];
        for (const token of ours) expect((await failure(authenticate(token))).code).toBe('token_invalid');
        expect(partner.received).toHaveLength(0);
      });

      it("forwards an unknown UUID only with forwardUnknownUuids, and never another tenant's live connection id", async () => {
        build({ tenants: { acme: {}, globex: {} }, resolveTenant: (request) => String(request.headers['x-tenant']), bearer: { forwardUnknownUuids: true } });
        const { id } = await connection({ tenant: 'globex' });
        issued.set(id, { ContactId: 1001 });
        const at = (token: string, tenant: string) => subject.authenticate(bearerRequest({ token, headers: { 'x-tenant': tenant } }));
        expect((await failure(at(id, 'acme'))).code).toBe('token_invalid');
        expect((await failure(at(`${id.toUpperCase()}=`, 'acme'))).code).toBe('token_invalid');
        expect(partner.received).toHaveLength(0);
        const uuid = recordSecret(randomUUID());
        issued.set(uuid, { ContactId: 1001 });
        expect(await at(uuid, 'acme')).toEqual({ user: alice, info: { tenant: 'acme', tokenType: 'bearer' } });
        expect(partner.received).toHaveLength(1);
      });

      it('keeps an unknown UUID from the partner by default', async () => {
        build();
        const uuid = recordSecret(randomUUID());
        issued.set(uuid, { ContactId: 1001 });
        expect((await failure(authenticate(uuid))).code).toBe('token_invalid');
        expect(partner.received).toHaveLength(0);
      });
    });

    describe("the token's user", () => {
      it('refuses the token of a deactivated or vanished user as an invalid token, and counts it', async () => {
        build();
        const carol = await sessionToken({ userId: 'u-carol', identity: { contactId: '1003', contactEmail: undefined, tokenType: 'credentials' } });
        const gone = await sessionToken({ userId: 'u-gone', identity: { contactId: '9999', contactEmail: undefined, tokenType: 'credentials' } });
        expect(await failure(authenticate(carol))).toMatchObject({ code: 'token_invalid', headers: { 'www-authenticate': 'Bearer realm="api", error="invalid_token"' } });
        expect((await failure(authenticate(gone))).code).toBe('token_invalid');
        expect(await failures()).toBe(2);
      });

      it('refuses a deactivated user resolved asynchronously, and a partner token of one', async () => {
        build({ resolveUser: async (identity) => findBearerUser(identity) });
        expect((await failure(authenticate(issue({ ContactId: 1003 })))).code).toBe('token_invalid');
        const carol = await sessionToken({ identity: { contactId: '1003', contactEmail: undefined, tokenType: 'credentials' } });
        expect((await failure(authenticate(carol))).code).toBe('token_invalid');
      });

      it('reports a failing resolveUser as store_unavailable, not as a bad token, and counts nothing', async () => {
        build({
          resolveUser: () => {
            throw new Error('user database down');
          },
        });
        expect(await failure(authenticate(await sessionToken()))).toMatchObject({ code: 'store_unavailable', status: 503 });
        expect(await failures()).toBe(0);
      });
    });

    describe('partner tokens', () => {
      it('refuses every foreign token when the tenant has no ValidateBearer, without a call', async () => {
        build({ commands: {} });
        expect((await failure(authenticate(issue()))).code).toBe('token_invalid');
        expect(partner.received).toHaveLength(0);
      });

      it('answers validator_unavailable when the partner is down, never token_invalid', async () => {
        build();
        partner.behave((_received, res) => json(res, 502, {}));
        expect(await failure(authenticate(issue()))).toMatchObject({ code: 'validator_unavailable', status: 503 });
      });
    });

    describe('counters', () => {
      it('counts each failure once per client network and answers rate_limited past bearerFailuresPerIp, without asking the partner', async () => {
        build({ rateLimits: { bearerFailuresPerIp: 2, windowMs: 60_000 } });
        expect((await failure(authenticate(recordSecret('guess-number-one')))).code).toBe('token_invalid');
        expect((await failure(authenticate(recordSecret('guess-number-two')))).code).toBe('token_invalid');
        expect(partner.received).toHaveLength(2);
        const limited = await failure(authenticate(recordSecret('guess-number-three')));
        expect(limited).toMatchObject({ code: 'rate_limited', status: 429, headers: { 'retry-after': '60' } });
        expect(partner.received).toHaveLength(2);
        expect((await failure(authenticate(recordSecret(mintSessionToken())))).code).toBe('rate_limited');
      });

      it('counts IPv6 clients by their /64 and leaves other networks alone', async () => {
        build({ rateLimits: { bearerFailuresPerIp: 2 } });
        for (const ip of ['2001:db8:1:2::1', '2001:db8:1:2::2']) await failure(authenticate(recordSecret(mintSessionToken()), ip));
        expect((await failure(authenticate(recordSecret(mintSessionToken()), '2001:db8:1:2:ffff::9'))).code).toBe('rate_limited');
        expect((await failure(authenticate(recordSecret(mintSessionToken()), '2001:db8:1:3::1'))).code).toBe('token_invalid');
        expect((await failure(authenticate(recordSecret(mintSessionToken()), '203.0.113.9'))).code).toBe('token_invalid');
      });

      it('gives the count back for a valid partner token and for an outage', async () => {
        build({ rateLimits: { bearerFailuresPerIp: 2 } });
        for (let i = 0; i < 4; i++) await authenticate(issue());
        partner.behave((_received, res) => json(res, 503, {}));
        for (let i = 0; i < 4; i++) expect((await failure(authenticate(issue()))).code).toBe('validator_unavailable');
        expect(await failures()).toBe(0);
      });

      it('still accepts session tokens and cached partner tokens from a network it has blocked', async () => {
        build({ rateLimits: { bearerFailuresPerIp: 1 } });
        const cachedPartnerToken = issue();
        await authenticate(cachedPartnerToken);
        const token = await sessionToken();
        await failure(authenticate(recordSecret('a-bad-guess-token')));
        expect((await failure(authenticate(recordSecret('another-bad-guess')))).code).toBe('rate_limited');
        expect(authenticate(token)).toMatchObject({ user: alice });
        expect(await authenticate(cachedPartnerToken)).toMatchObject({ user: alice, info: { tokenType: 'bearer' } });
        expect(partner.received).toHaveLength(2);
      });

      it('counts uncached lookups before asking the partner, so parallel guesses cannot outrun the limit', async () => {
        build({ rateLimits: { bearerFailuresPerIp: 3, partnerCallsInFlightPerIp: 100 } });
        const held: ServerResponse[] = [];
        partner.behave((_received, res) => void held.push(res));
        const guesses = Array.from({ length: 10 }, (_, i) => failure(authenticate(recordSecret(`parallel-guess-${i}-token`))));
        await vi.waitFor(() => expect(held).toHaveLength(3));
        held.forEach((res) => json(res, 401, {}));
        const codes = (await Promise.all(guesses)).map((error) => error.code);
        expect(codes.filter((code) => code === 'rate_limited')).toHaveLength(7);
        expect(codes.filter((code) => code === 'token_invalid')).toHaveLength(3);
        expect(partner.received).toHaveLength(3);
      });
    });

    describe('audit', () => {
      it('records failures with the tenant and a keyed hash of the token, never the token, and successes not at all', async () => {
        build();
        const token = await sessionToken();
        authenticate(token);
        expect(parts.audit).toHaveLength(0);
        const bad = recordSecret('rejected-bearer-token-for-audit');
        await failure(authenticate(bad, '198.51.100.7'));
        expect(parts.audit).toEqual([
          expect.objectContaining({ type: 'bearer', outcome: 'token_invalid', tenant: 'default', ip: '198.51.100.7', tokenHash: parts.services.tokenHash(bad) }),
        ]);
        expect(JSON.stringify(parts.audit)).not.toContain(bad);
      });
    });

    describe('faults', () => {
      it('rejects, never throws, when the tenant cannot be resolved', async () => {
        build({ tenants: { acme: {}, globex: {} }, resolveTenant: () => 'initech' });
        let outcome: MaybePromise<BearerResult<BearerUser>> | undefined;
        expect(() => (outcome = authenticate(recordSecret(mintSessionToken())))).not.toThrow();
        expect(await failure(outcome)).toMatchObject({ code: 'tenant_not_found', status: 404 });
        expect(parts.audit.at(-1)).toMatchObject({ type: 'bearer', outcome: 'tenant_not_found' });
        expect(parts.audit.at(-1)).not.toHaveProperty('tenant');
      });

      it('answers store_unavailable when the session store fails, and counts nothing', async () => {
        const memory = new MemoryStore();
        const down = () => Promise.reject(new Error('ECONNRESET'));
        const sessions: SessionStore = {
          create: (key, stored) => memory.sessions.create(key, stored),
          use: down,
          confirm: down,
          exists: down,
          revoke: down,
          listForUser: down,
        };
        build({}, { ledger: memory.ledger, apiTokens: memory.apiTokens, rateLimits: memory.rateLimits, sessions, close: () => memory.close() });
        try {
          expect(await failure(authenticate(await sessionToken()))).toMatchObject({ code: 'store_unavailable', status: 503 });
          expect(await failure(authenticate((await connection()).id))).toMatchObject({ code: 'store_unavailable' });
          expect(await failures()).toBe(0);
        } finally {
          await memory.close();
        }
      });
    });
  });

  describeRedis('with a Redis store', () => {
    let client: Redis;
    let prefix: string;
    beforeAll(async () => {
      client = await connectRedis();
    });
    afterAll(() => client.quit());
    beforeEach(() => {
      prefix = uniquePrefix();
    });
    afterEach(() => deleteKeys(client, prefix));

    it('answers a session token with a promise, and counts failures in Redis', async () => {
      // A shared store asks for the hash key every instance must agree on.
      build({ hashKey: 'bearer-suite-hash-key-32-characters' }, new RedisStore({ client, prefix, now: () => parts.now() }));
      const result = authenticate(await sessionToken());
      expect(isPromise(result)).toBe(true);
      expect(await result).toMatchObject({ user: alice, info: { tokenType: 'session-token' } });
      await failure(authenticate(recordSecret(mintSessionToken())));
      expect(Object.keys(await dumpKeys(client, `${prefix}rate:`))).toEqual([`${prefix}rate:${rateLimitKeys.bearerIp('203.0.113.5')}`]);
      expect(await failures()).toBe(1);
    });
  });
});
