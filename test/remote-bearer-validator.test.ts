import type { ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLoginError, type LoginError } from '../src/errors/login-error.js';
import { createFunctionExecutor } from '../src/executor/function-executor.js';
import type { LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { bearerParts, bearerRequest, type BearerParts, type BearerUser } from './support/bearer-services.js';
import { json, startPartnerServer, type PartnerServer, type ReceivedRequest } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

/** What the partner says about each token it issued; any other token gets 401. */
const issued = new Map<string, unknown>();
let partner: PartnerServer;
let parts: BearerParts;

const tokenOf = (received: ReceivedRequest) => /^Bearer (.+)$/.exec(String(received.headers['x-partner-token'] ?? ''))?.[1] ?? '';
const answer = (received: ReceivedRequest, res: ServerResponse) => {
  const known = issued.get(tokenOf(received));
  if (known === undefined) json(res, 401, { active: false });
  else json(res, 200, known);
};

/** Holds every answer until `release()`, so concurrent lookups are really concurrent. */
function holdAnswers() {
  const held: (() => void)[] = [];
  partner.behave((received, res) => {
    held.push(() => answer(received, res));
  });
  return () => held.splice(0).forEach((send) => send());
}

function issue(body: unknown): string {
  const token = recordSecret(`partner.${Math.random().toString(36).slice(2)}.${issued.size}`);
  issued.set(token, body);
  return token;
}

function validator(url = '/introspect', options: Partial<LoginWithTokenOptions<BearerUser>> = {}) {
  parts = bearerParts({
    commands: { ValidateBearer: { method: 'GET', url: `${partner.origin}${url}`, headers: { 'x-partner-token': 'Bearer {bearerToken}' } } },
    ...options,
  });
  return parts.services.remoteBearer;
}

/** Validates `token` in the default tenant from `ip`. */
const check = async (token: string, ip = '203.0.113.5') => (await parts.services.remoteBearer.validate(bearerRequest({ ip }), 'default', token))?.identity ?? null;
const keyOf = (token: string, ip = '203.0.113.5') => parts.services.remoteBearer.key(bearerRequest({ ip }), 'default', token);

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(isLoginError(error)).toBe(true);
  return error as LoginError;
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
afterEach(() => parts.close());

describe('RemoteBearerValidator', () => {
  describe('handles', () => {
    it('is true only for tenants with a ValidateBearer command', () => {
      parts = bearerParts({
        tenants: { acme: { commands: { ValidateBearer: { method: 'GET', url: `${partner.origin}/introspect` } } }, globex: {} },
        resolveTenant: () => 'acme',
      });
      expect(parts.services.remoteBearer.handles('acme')).toBe(true);
      expect(parts.services.remoteBearer.handles('globex')).toBe(false);
    });
  });

  describe('validate', () => {
    it('gives the identity the partner vouches for, sending the token only where the template puts it', async () => {
      validator();
      const token = issue({ ContactEmail: ' Alice@Example.com ' });
      expect(await check(token)).toEqual({ contactId: undefined, contactEmail: 'alice@example.com', tokenType: 'bearer' });
      expect(partner.received).toHaveLength(1);
      expect(partner.received[0]!.url).toBe('/introspect');
      expect(partner.received[0]!.headers['x-partner-token']).toBe(`Bearer ${token}`);
    });

    it('gives null when the partner rejects the token or vouches for nobody', async () => {
      validator();
      expect(await check(recordSecret('never-issued-token'))).toBeNull();
      expect(await check(issue({ active: false }))).toBeNull();
      expect(await check(issue({ ContactId: '' }))).toBeNull();
    });

    it('makes one upstream call for concurrent lookups of one token, and shares its answer', async () => {
      validator();
      const release = holdAnswers();
      const token = issue({ ContactId: 1001 });
      const lookups = Array.from({ length: 20 }, () => check(token));
      await vi.waitFor(() => expect(partner.received).toHaveLength(1));
      release();
      const answers = await Promise.all(lookups);
      expect(answers.every((identity) => identity?.contactId === '1001')).toBe(true);
      expect(partner.received).toHaveLength(1);
    });

    it('makes one upstream call for concurrent lookups of one unknown token', async () => {
      validator();
      const release = holdAnswers();
      const token = recordSecret('unknown-token-in-parallel');
      const lookups = Array.from({ length: 20 }, () => check(token));
      await vi.waitFor(() => expect(partner.received).toHaveLength(1));
      release();
      expect(await Promise.all(lookups)).toEqual(Array.from({ length: 20 }, () => null));
      expect(partner.received).toHaveLength(1);
    });

    it('asks once per token when different tokens are looked up at once', async () => {
      validator();
      const release = holdAnswers();
      const tokens = [issue({ ContactId: 1 }), issue({ ContactId: 2 }), issue({ ContactId: 3 })];
      const lookups = tokens.map((token) => check(token));
      await vi.waitFor(() => expect(partner.received).toHaveLength(3));
      release();
      expect((await Promise.all(lookups)).map((identity) => identity?.contactId)).toEqual(['1', '2', '3']);
    });
  });

  describe('cacheTtlMs and the answer’s expiry', () => {
    it('reuses a positive answer for cacheTtlMs, then asks again', async () => {
      validator('/introspect', { bearer: { cacheTtlMs: 10_000 } });
      const token = issue({ ContactId: 1001 });
      await check(token);
      parts.advance(9_999);
      expect(parts.services.remoteBearer.cached(keyOf(token))?.identity).toMatchObject({ contactId: '1001' });
      expect(await check(token)).toMatchObject({ contactId: '1001' });
      expect(partner.received).toHaveLength(1);
      parts.advance(1);
      expect(parts.services.remoteBearer.cached(keyOf(token))).toBeUndefined();
      expect(parts.services.remoteBearer.size).toBe(0);
      await check(token);
      expect(partner.received).toHaveLength(2);
    });

    it('never reuses an answer past the exp it states', async () => {
      validator();
      const token = issue({ ContactId: 1001, exp: Math.floor(parts.now() / 1000) + 5 });
      await check(token);
      parts.advance(4_999);
      expect(parts.services.remoteBearer.cached(keyOf(token))).not.toBeUndefined();
      parts.advance(1);
      expect(parts.services.remoteBearer.cached(keyOf(token))).toBeUndefined();
    });

    it('never reuses an answer past the expires_in it states', async () => {
      validator();
      const token = issue({ ContactId: 1001, expires_in: 2 });
      await check(token);
      parts.advance(1_999);
      expect(parts.services.remoteBearer.cached(keyOf(token))).not.toBeUndefined();
      parts.advance(1);
      expect(parts.services.remoteBearer.cached(keyOf(token))).toBeUndefined();
    });

    it('keeps to cacheTtlMs when the answer expires later', async () => {
      validator('/introspect', { bearer: { cacheTtlMs: 1_000 } });
      const token = issue({ ContactId: 1001, exp: Math.floor(parts.now() / 1000) + 3600 });
      await check(token);
      parts.advance(1_000);
      expect(parts.services.remoteBearer.cached(keyOf(token))).toBeUndefined();
    });

    it('refuses an answer whose expiry has already passed, and caches nothing', async () => {
      validator();
      expect(await check(issue({ ContactId: 1001, exp: Math.floor(parts.now() / 1000) - 1 }))).toBeNull();
      expect(await check(issue({ ContactId: 1001, expires_in: 0 }))).toBeNull();
      expect(parts.services.remoteBearer.size).toBe(0);
    });
  });

  describe('cacheMaxEntries', () => {
    it('holds at most cacheMaxEntries answers, dropping the oldest first', async () => {
      validator('/introspect', { bearer: { cacheMaxEntries: 2 } });
      const [first, second, third] = [issue({ ContactId: 1 }), issue({ ContactId: 2 }), issue({ ContactId: 3 })] as [string, string, string];
      for (const token of [first, second, third]) await check(token);
      expect(parts.services.remoteBearer.size).toBe(2);
      expect(parts.services.remoteBearer.cached(keyOf(first))).toBeUndefined();
      expect(parts.services.remoteBearer.cached(keyOf(second))?.identity).toMatchObject({ contactId: '2' });
      expect(parts.services.remoteBearer.cached(keyOf(third))?.identity).toMatchObject({ contactId: '3' });
      await check(first);
      expect(partner.received).toHaveLength(4);
    });
  });

  describe('negativeCacheTtlMs', () => {
    it('does not cache rejections by default', async () => {
      validator();
      const token = recordSecret('not-issued-yet-token');
      expect(await check(token)).toBeNull();
      expect(parts.services.remoteBearer.size).toBe(0);
      issued.set(token, { ContactId: 1001 });
      expect(await check(token)).toMatchObject({ contactId: '1001' });
    });

    it('reuses a rejection for negativeCacheTtlMs, then asks again', async () => {
      validator('/introspect', { bearer: { negativeCacheTtlMs: 2_000 } });
      const token = recordSecret('rejected-for-a-while');
      expect(await check(token)).toBeNull();
      expect(parts.services.remoteBearer.cached(keyOf(token))).toBeNull();
      parts.advance(1_999);
      expect(await check(token)).toBeNull();
      expect(partner.received).toHaveLength(1);
      parts.advance(1);
      issued.set(token, { ContactId: 1001 });
      expect(await check(token)).toMatchObject({ contactId: '1001' });
      expect(partner.received).toHaveLength(2);
    });
  });

  describe('key', () => {
    it('never reuses an answer given for one client address for another, when the template sends {ipAddress}', async () => {
      validator('/introspect?ip={ipAddress}');
      // The partner binds this token to one address.
      const token = recordSecret('address-bound-token');
      partner.behave((received, res) => (received.url === '/introspect?ip=203.0.113.1' && tokenOf(received) === token ? json(res, 200, { ContactId: 1001 }) : json(res, 401, {})));
      expect(await check(token, '203.0.113.1')).toMatchObject({ contactId: '1001' });
      expect(await check(token, '198.51.100.7')).toBeNull();
      expect(await check(token, '203.0.113.1')).toMatchObject({ contactId: '1001' });
      expect(partner.received.map((received) => received.url)).toEqual(['/introspect?ip=203.0.113.1', '/introspect?ip=198.51.100.7']);
      expect(keyOf(token, '203.0.113.1')).not.toBe(keyOf(token, '198.51.100.7'));
    });

    it('shares no flight between client addresses either', async () => {
      validator('/introspect?ip={ipAddress}');
      const release = holdAnswers();
      const token = issue({ ContactId: 1001 });
      const lookups = [check(token, '203.0.113.1'), check(token, '203.0.113.1'), check(token, '198.51.100.7')];
      await vi.waitFor(() => expect(partner.received).toHaveLength(2));
      release();
      await Promise.all(lookups);
      expect(partner.received.map((received) => received.url).sort()).toEqual(['/introspect?ip=198.51.100.7', '/introspect?ip=203.0.113.1']);
    });

    it("covers the app's own placeholders and InvoiceNumber when the template sends them", () => {
      validator('/introspect?customer={customer}&invoice={InvoiceNumber}', { placeholders: { customer: (request) => String(request.headers['x-customer'] ?? '') } });
      const token = recordSecret('token-for-placeholder-keys');
      const key = (customer: string, invoice: string) =>
        parts.services.remoteBearer.key(bearerRequest({ headers: { 'x-customer': customer }, query: { InvoiceNumber: invoice } }), 'default', token);
      expect(key('c-1', 'inv-1')).toBe(key('c-1', 'inv-1'));
      expect(key('c-1', 'inv-1')).not.toBe(key('c-2', 'inv-1'));
      expect(key('c-1', 'inv-1')).not.toBe(key('c-1', 'inv-2'));
    });

    it('ignores what does not come from the request (tenant, requestId), so their answers are shared', () => {
      validator('/introspect?tenant={tenant}&id={requestId}');
      const token = recordSecret('token-for-shared-keys');
      expect(keyOf(token, '203.0.113.1')).toBe(keyOf(token, '198.51.100.7'));
    });

    it('tells tenants and tokens apart, and never holds the token itself', () => {
      parts = bearerParts({
        commands: { ValidateBearer: { method: 'GET', url: `${partner.origin}/introspect` } },
        tenants: { acme: {}, acmex: {} },
        resolveTenant: () => 'acme',
      });
      const remote = parts.services.remoteBearer;
      const request = bearerRequest();
      const token = recordSecret('token-for-tenant-keys');
      expect(remote.key(request, 'acme', token)).not.toBe(remote.key(request, 'acmex', token));
      // The separator keeps a tenant name from sliding into the token.
      expect(remote.key(request, 'acme', `x${token}`)).not.toBe(remote.key(request, 'acmex', token));
      expect(remote.key(request, 'acme', token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(remote.key(request, 'acme', token)).not.toContain(token);
    });

    it('is keyed by a per-process secret, so another instance derives other keys', async () => {
      const token = recordSecret('token-for-process-keys');
      validator();
      const mine = keyOf(token);
      await parts.close();
      validator();
      expect(keyOf(token)).not.toBe(mine);
    });

    it('keys function commands by tenant and token only', async () => {
      let calls = 0;
      parts = bearerParts(
        { commands: { ValidateBearer: { run: async () => (calls++, { ContactId: 1001 }) } } },
        { executor: createFunctionExecutor() },
      );
      const token = recordSecret('token-for-function-command');
      expect(keyOf(token, '203.0.113.1')).toBe(keyOf(token, '198.51.100.7'));
      await check(token, '203.0.113.1');
      await check(token, '198.51.100.7');
      expect(calls).toBe(1);
    });
  });

  describe('outages', () => {
    it('are never cached: the next lookup asks again', async () => {
      validator();
      const token = issue({ ContactId: 1001 });
      partner.behave((_received, res) => json(res, 502, {}));
      expect((await failure(check(token))).code).toBe('validator_unavailable');
      expect(parts.services.remoteBearer.size).toBe(0);
      partner.behave(answer);
      expect(await check(token)).toMatchObject({ contactId: '1001' });
      expect(partner.received).toHaveLength(2);
    });

    it('reach every caller sharing the flight, and the flight ends with them', async () => {
      validator();
      const token = issue({ ContactId: 1001 });
      const held: ServerResponse[] = [];
      partner.behave((_received, res) => void held.push(res));
      const lookups = Array.from({ length: 5 }, () => failure(check(token)));
      await vi.waitFor(() => expect(held).toHaveLength(1));
      json(held[0]!, 503, {});
      expect((await Promise.all(lookups)).map((error) => error.code)).toEqual(Array.from({ length: 5 }, () => 'validator_unavailable'));
      partner.behave(answer);
      expect(await check(token)).toMatchObject({ contactId: '1001' });
    });

    it('count a malformed answer as an outage, not a rejection', async () => {
      validator('/introspect', { bearer: { negativeCacheTtlMs: 5_000 } });
      const token = issue({ ContactId: { id: 1001 } });
      expect((await failure(check(token))).code).toBe('validator_unavailable');
      expect(parts.services.remoteBearer.size).toBe(0);
    });
  });

  describe('partner calls in flight', () => {
    it("take one of the client network's slots, which concurrent lookups of one token share", async () => {
      validator('/introspect', { rateLimits: { partnerCallsInFlightPerIp: 1 } });
      const release = holdAnswers();
      const token = issue({ ContactId: 1001 });
      const first = check(token, '203.0.113.1');
      await vi.waitFor(() => expect(partner.received).toHaveLength(1));
      const sharing = check(token, '203.0.113.1');
      const other = await failure(check(issue({ ContactId: 1002 }), '203.0.113.1'));
      expect(other.code).toBe('rate_limited');
      const elsewhere = check(issue({ ContactId: 1003 }), '198.51.100.7');
      await vi.waitFor(() => expect(partner.received).toHaveLength(2));
      release();
      expect((await Promise.all([first, sharing, elsewhere])).map((identity) => identity?.contactId)).toEqual(['1001', '1001', '1003']);
    });

    it('refuse a request over its network’s bound before it makes a flight, so another network’s request for that token is not refused with it', async () => {
      validator('/introspect', { rateLimits: { partnerCallsInFlightPerIp: 1 } });
      const release = holdAnswers();
      try {
        // Network A's one slot is taken by a call for another token.
        const busy = check(issue({ ContactId: 1002 }), '203.0.113.1');
        await vi.waitFor(() => expect(partner.received).toHaveLength(1));
        const token = issue({ ContactId: 1001 });
        const lookups = Promise.allSettled([check(token, '203.0.113.1'), check(token, '198.51.100.7')]);
        await vi.waitFor(() => expect(partner.received).toHaveLength(2));
        expect(tokenOf(partner.received[1]!)).toBe(token);
        release();
        const [fromA, fromB] = await lookups;
        expect(fromA).toMatchObject({ status: 'rejected', reason: { code: 'rate_limited' } });
        expect(fromB).toMatchObject({ status: 'fulfilled', value: { contactId: '1001' } });
        expect((await busy)?.contactId).toBe('1002');
      } finally {
        release();
      }
    });
  });

  describe('forget', () => {
    it('drops the cached answer, so the partner is asked again', async () => {
      validator();
      const token = issue({ ContactId: 1001 });
      await check(token);
      parts.services.remoteBearer.forget(bearerRequest(), 'default', token);
      expect(parts.services.remoteBearer.size).toBe(0);
      issued.delete(token);
      expect(await check(token)).toBeNull();
      expect(partner.received).toHaveLength(2);
    });

    it('keeps an answer that arrives after the token was forgotten out of the cache', async () => {
      validator();
      const release = holdAnswers();
      const token = issue({ ContactId: 1001 });
      const lookup = check(token);
      await vi.waitFor(() => expect(partner.received).toHaveLength(1));
      parts.services.remoteBearer.forget(bearerRequest(), 'default', token);
      release();
      // The request that asked still gets its answer; only the cache forgets it.
      expect(await lookup).toMatchObject({ contactId: '1001' });
      expect(parts.services.remoteBearer.cached(keyOf(token))).toBeUndefined();
      partner.behave(answer);
      issued.delete(token);
      expect(await check(token)).toBeNull();
      expect(partner.received).toHaveLength(2);
    });

    it('drops only the answer for that request’s placeholder values', async () => {
      validator('/introspect?ip={ipAddress}');
      const token = issue({ ContactId: 1001 });
      await check(token, '203.0.113.1');
      await check(token, '198.51.100.7');
      parts.services.remoteBearer.forget(bearerRequest({ ip: '203.0.113.1' }), 'default', token);
      expect(parts.services.remoteBearer.cached(keyOf(token, '203.0.113.1'))).toBeUndefined();
      expect(parts.services.remoteBearer.cached(keyOf(token, '198.51.100.7'))?.identity).toMatchObject({ contactId: '1001' });
    });
  });

  describe('an introspection call that never settles', () => {
    it('frees its slot and lets a later request for the token call again once the longest deadline has passed', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        let requests = 0;
        // The app's own dispatcher ignores the deadline's signal and never answers (as undici does
        // with a request still waiting for a connection, or for the app's DNS lookup).
        const stuck = { request: () => ((requests += 1), new Promise<never>(() => undefined)) } as unknown as Dispatcher;
        parts = bearerParts({
          commands: { ValidateBearer: { kind: 'introspection', url: 'https://idp.portal.test/introspect', clientAuth: { clientId: 'portal', clientSecret: recordSecret('introspection-client-secret-stuck') } } },
          rateLimits: { partnerCallsInFlightPerIp: 1 },
          http: { dispatcher: stuck },
        });
        const token = recordSecret('idp-access-token-never-answered');
        void check(token).catch(() => undefined);
        await vi.advanceTimersByTimeAsync(10);
        expect(requests).toBe(1);
        // Same network, another token: the one slot is taken.
        expect((await failure(parts.services.remoteBearer.validate(bearerRequest({ ip: '203.0.113.5' }), 'default', recordSecret('another-idp-token-x')))).code).toBe('rate_limited');
        await vi.advanceTimersByTimeAsync(121_001);
        void check(token).catch(() => undefined);
        await vi.advanceTimersByTimeAsync(10);
        expect(requests).toBe(2);
      } finally {
        vi.useRealTimers();
      }
    });
  });

  describe('an executor that ignores its deadline', () => {
    it('holds later requests for the token only until the longest deadline has passed', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        let calls = 0;
        // A custom executor that never settles: the package cannot cancel it.
        const stuck = { run: () => ((calls += 1), new Promise<never>(() => undefined)) };
        parts = bearerParts({ commands: { ValidateBearer: { url: `${partner.origin}/introspect` } } }, { executor: stuck });
        const token = recordSecret('partner-token-of-a-stuck-executor');
        void check(token).catch(() => undefined);
        void check(token, '198.51.100.9').catch(() => undefined);
        expect(calls).toBe(1);
        await vi.advanceTimersByTimeAsync(121_001);
        void check(token, '198.51.100.9').catch(() => undefined);
        expect(calls).toBe(2);
      } finally {
        vi.useRealTimers();
      }
    });
  });
});
