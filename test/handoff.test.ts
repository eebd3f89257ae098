import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../src/audit/audit-event.js';
import { LoginError } from '../src/errors/login-error.js';
import { Handoff, type SessionControl } from '../src/handoff/handoff.js';
import type { LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { parseOptions } from '../src/options/parse-options.js';
import { createPortalServices } from '../src/options/portal-services.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { RedisStore } from '../src/redis.js';
import type { RequestInfo } from '../src/request/request-info.js';
import { captureText } from './support/leak-capture.js';
import { json, startPartnerServer, type PartnerBehaviour, type PartnerServer } from './support/partner-server.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

interface User {
  id: string;
  contactId: string;
  disabled?: boolean;
}
const alice: User = { id: 'u-alice', contactId: '1001' };
const users: User[] = [alice, { id: 'u-carol', contactId: '1003', disabled: true }];

// The partner's own tokens: what it answers for each; anything else it rejects with 401.
const answers = new Map<string, unknown>();
let counter = 0;
function tokenFor(answer: unknown): string {
  const token = recordSecret(`handoff-${Date.now().toString(36)}-${(++counter).toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
  answers.set(token, answer);
  return token;
}
const tokenOf = (body: string) => (JSON.parse(body) as { token: string }).token;
const answerTokens: PartnerBehaviour = (received, res) => {
  const answer = answers.get(tokenOf(received.body));
  if (answer === undefined) json(res, 401, { error: 'invalid token' });
  else json(res, 200, answer);
};

let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer(answerTokens);
});
afterAll(() => partner.close());

let clock: number;
let audit: AuditEvent[];
/** The services and stores built by the test, closed after it. */
const built: { close(): Promise<void> }[] = [];
beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  audit = [];
  partner.received.length = 0;
  partner.behave(answerTokens);
});
afterEach(async () => {
  await Promise.all(built.splice(0).map((part) => part.close()));
});

const loginWithToken = () => ({ url: `${partner.origin}/validate`, body: '{"token":"{authToken}","ip":"{ipAddress}"}' });

/** The handoff wired as the factory wires it, on the test's clock and a MemoryStore unless one is given. */
function build(options: Partial<LoginWithTokenOptions<User>> = {}) {
  const parsed = parseOptions<User>({
    resolveUser: ({ contactId }) => users.find((user) => user.contactId === contactId) ?? null,
    commands: { LoginWithToken: loginWithToken() },
    // Loopback partners; a generous deadline, so a loaded machine never turns a test into a timeout.
    http: { allowPrivateAddresses: ['127.0.0.1'], timeoutMs: 10_000 },
    now: () => clock,
    audit: (event) => {
      audit.push(event);
      captureText(JSON.stringify(event));
    },
    ...options,
  });
  const services = createPortalServices(parsed);
  built.push(services);
  return { handoff: new Handoff(services, parsed), store: services.store, tokenHash: services.tokenHash };
}

/** The adapter's side: who is signed in, and how often a session was started and ended. */
function browserSession(options: { failStart?: boolean } = {}) {
  const state = { user: undefined as User | undefined, starts: 0, ends: 0 };
  const control: SessionControl<User> = {
    start: async (user) => {
      if (options.failStart) throw new Error('session store down');
      state.starts++;
      state.user = user;
    },
    end: async () => {
      state.ends++;
      state.user = undefined;
    },
  };
  return { state, control };
}

const get = (query: Record<string, unknown>, ip = '203.0.113.10', headers: Record<string, string> = {}): RequestInfo => ({ method: 'GET', headers, query, body: undefined, ip });
const postForm = (body: Record<string, unknown>, ip = '203.0.113.10'): RequestInfo => ({ method: 'POST', headers: {}, query: {}, body, ip });

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  return error as LoginError;
}
const codeOf = async (promise: Promise<unknown>) => (await failure(promise)).code;

describe('Handoff', () => {
  describe('redeem', () => {
    it('signs in the user the partner names and returns who and where', async () => {
      const { handoff } = build();
      const session = browserSession();
      const token = tokenFor({ ContactId: 1001 });
      const result = await handoff.redeem(get({ authToken: token }), session.control);
      expect(result).toEqual({ user: alice, identity: { contactId: '1001', contactEmail: undefined, tokenType: 'authToken', tenant: 'default' }, tenant: 'default' });
      expect(session.state).toEqual({ user: alice, starts: 1, ends: 0 });
      expect(partner.received).toHaveLength(1);
      expect(JSON.parse(partner.received[0]!.body)).toEqual({ token, ip: '203.0.113.10' });
    });

    it('reads authToken from the query, or from the body of a POST but never of a GET', async () => {
      const { handoff } = build();
      const fromBody = tokenFor({ ContactId: 1001 });
      expect((await handoff.redeem(postForm({ authToken: fromBody }), browserSession().control)).user).toBe(alice);
      const ignored = tokenFor({ ContactId: 1001 });
      expect(await codeOf(handoff.redeem({ ...get({}), body: { authToken: ignored } }, browserSession().control))).toBe('token_invalid');
      expect(partner.received).toHaveLength(1);
    });

    describe('single use', () => {
      it('refuses a token redeemed before with token_invalid, without asking the partner again', async () => {
        const { handoff } = build();
        const token = tokenFor({ ContactId: 1001 });
        await handoff.redeem(get({ authToken: token }), browserSession().control);
        const replay = browserSession();
        expect(await codeOf(handoff.redeem(get({ authToken: token }, '198.51.100.99'), replay.control))).toBe('token_invalid');
        expect(replay.state.starts).toBe(0);
        expect(partner.received).toHaveLength(1);
      });

      it('lets exactly one of 20 concurrent redemptions of one token win', async () => {
        const { handoff } = build();
        const token = tokenFor({ ContactId: 1001 });
        const sessions = Array.from({ length: 20 }, () => browserSession());
        const results = await Promise.allSettled(sessions.map((session) => handoff.redeem(get({ authToken: token }), session.control)));
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        const refused = results.flatMap((result) => (result.status === 'rejected' ? [(result.reason as LoginError).code] : []));
        expect(refused).toEqual(Array(19).fill('token_invalid'));
        expect(sessions.reduce((sum, session) => sum + session.state.starts, 0)).toBe(1);
        expect(partner.received).toHaveLength(1);
      });

      it('leaves the token usable when the partner is down', async () => {
        const { handoff } = build();
        const token = tokenFor({ ContactId: 1001 });
        partner.behave((_received, res) => json(res, 503, {}));
        const session = browserSession();
        expect(await codeOf(handoff.redeem(get({ authToken: token }), session.control))).toBe('validator_unavailable');
        expect(session.state.starts).toBe(0);
        partner.behave(answerTokens);
        expect((await handoff.redeem(get({ authToken: token }), session.control)).user).toBe(alice);
      });

      it('leaves the token usable when the caller gives up during the partner call', async () => {
        const { handoff } = build();
        const token = tokenFor({ ContactId: 1001 });
        const held: (() => void)[] = [];
        partner.behave((received, res) => void held.push(() => answerTokens(received, res, undefined as never)));
        const abandon = new AbortController();
        const given = codeOf(handoff.redeem(get({ authToken: token }), browserSession().control, abandon.signal));
        await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5000 });
        abandon.abort();
        expect(await given).toBe('validator_unavailable');
        held[0]!();
        partner.behave(answerTokens);
        expect((await handoff.redeem(get({ authToken: token }), browserSession().control)).user).toBe(alice);
      });

      it('answers store_unavailable and leaves the token usable when the session cannot be started', async () => {
        const { handoff } = build();
        const token = tokenFor({ ContactId: 1001 });
        const broken = browserSession({ failStart: true });
        expect(await codeOf(handoff.redeem(get({ authToken: token }), broken.control))).toBe('store_unavailable');
        expect(broken.state.ends).toBe(0);
        expect((await handoff.redeem(get({ authToken: token }), browserSession().control)).user).toBe(alice);
      });

      it('ends the session it started and leaves the token usable when marking it used fails', async () => {
        const store = new MemoryStore({ now: () => clock });
        const consume = store.ledger.consume.bind(store.ledger);
        let outages = 1;
        store.ledger.consume = async (...args) => (outages-- > 0 ? Promise.reject(new Error('ledger down')) : consume(...args));
        const { handoff } = build({ store });
        const token = tokenFor({ ContactId: 1001 });
        const first = browserSession();
        expect(await codeOf(handoff.redeem(get({ authToken: token }), first.control))).toBe('store_unavailable');
        expect(first.state).toEqual({ user: undefined, starts: 1, ends: 1 });
        const second = browserSession();
        await handoff.redeem(get({ authToken: token }), second.control);
        expect(second.state).toEqual({ user: alice, starts: 1, ends: 0 });
        expect(await codeOf(handoff.redeem(get({ authToken: token }), browserSession().control))).toBe('token_invalid');
      });

      it('ends the session of a redemption that outlived its reservation, and keeps the one that took over', async () => {
        const { handoff } = build({ handoff: { reservationMs: 1000 } });
        const token = tokenFor({ ContactId: 1001 });
        const held: (() => void)[] = [];
        partner.behave((received, res) => void held.push(() => answerTokens(received, res, undefined as never)));
        const slow = browserSession();
        const slowResult = codeOf(handoff.redeem(get({ authToken: token }), slow.control));
        await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5000 });
        clock += 1001;
        partner.behave(answerTokens);
        const fast = browserSession();
        await handoff.redeem(get({ authToken: token }), fast.control);
        held[0]!();
        expect(await slowResult).toBe('token_invalid');
        expect(slow.state).toEqual({ user: undefined, starts: 1, ends: 1 });
        expect(fast.state).toEqual({ user: alice, starts: 1, ends: 0 });
      });
    });

    describe('refusing', () => {
      it.each<[string, Record<string, unknown>]>([
        ['no authToken', {}],
        ['an authToken given twice', { authToken: ['a-token-1', 'a-token-2'] }],
        ['an authToken object', { authToken: { $ne: '' } }],
        ['a space', { authToken: 'abc def' }],
        ['a line break', { authToken: 'abc\r\nx-injected: 1' }],
        ['a NUL byte', { authToken: 'abc\u0000def' }],
        ['non-ASCII', { authToken: 'tøken-1234' }],
        ['a lone surrogate', { authToken: 'abc\ud800' }],
        ['4097 characters', { authToken: 'a'.repeat(4097) }],
      ])('answers token_invalid for %s, and asks nobody', async (_name, query) => {
        const { handoff } = build();
        if (typeof query['authToken'] === 'string') recordSecret(query['authToken']);
        const session = browserSession();
        expect(await codeOf(handoff.redeem(get(query), session.control))).toBe('token_invalid');
        expect(partner.received).toHaveLength(0);
        expect(session.state.starts).toBe(0);
      });

      it('passes a token full of JSON syntax to the partner as one value', async () => {
        const { handoff } = build();
        const injected = recordSecret('abc","ip":"10.0.0.1","x":"{ipAddress}');
        expect(await codeOf(handoff.redeem(get({ authToken: injected }), browserSession().control))).toBe('token_invalid');
        expect(JSON.parse(partner.received[0]!.body)).toEqual({ token: injected, ip: '203.0.113.10' });
      });

      it('accepts a token of 4096 printable characters', async () => {
        const { handoff } = build();
        const token = tokenFor({ ContactId: 1001 });
        const long = recordSecret(token + '~'.repeat(4096 - token.length));
        answers.set(long, { ContactId: 1001 });
        expect((await handoff.redeem(get({ authToken: long }), browserSession().control)).user).toBe(alice);
      });

      it('answers token_invalid when the partner rejects the token or names nobody', async () => {
        const { handoff } = build();
        expect(await codeOf(handoff.redeem(get({ authToken: recordSecret('unknown-to-the-partner') }), browserSession().control))).toBe('token_invalid');
        expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactId: '' }) }), browserSession().control))).toBe('token_invalid');
      });

      it('answers validator_unavailable for an answer it cannot read', async () => {
        const { handoff } = build();
        expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactEmail: 'not an address' }) }), browserSession().control))).toBe('validator_unavailable');
      });

      it('answers login_failed when no portal user matches, and user_deactivated for a disabled one', async () => {
        const { handoff } = build();
        expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactId: 4242 }) }), browserSession().control))).toBe('login_failed');
        expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactId: 1003 }) }), browserSession().control))).toBe('user_deactivated');
      });

      it('answers tenant_not_found for an unknown tenant, and token_invalid where the tenant has no LoginWithToken', async () => {
        const { handoff } = build({
          commands: {},
          tenants: { acme: { commands: { LoginWithToken: loginWithToken() } }, globex: {} },
          resolveTenant: (request) => request.headers['x-tenant'] as string | undefined,
        });
        const token = tokenFor({ ContactId: 1001 });
        expect(await codeOf(handoff.redeem(get({ authToken: token }, undefined, { 'x-tenant': 'initech' }), browserSession().control))).toBe('tenant_not_found');
        expect(await codeOf(handoff.redeem(get({ authToken: token }, undefined, { 'x-tenant': 'globex' }), browserSession().control))).toBe('token_invalid');
        expect(partner.received).toHaveLength(0);
        expect((await handoff.redeem(get({ authToken: token }, undefined, { 'x-tenant': 'acme' }), browserSession().control)).tenant).toBe('acme');
      });
    });

    describe('counting attempts per client network', () => {
      it('refuses with rate_limited once rejections reach handoffFailuresPerIp, without asking the partner', async () => {
        const { handoff } = build({ rateLimits: { handoffFailuresPerIp: 2, windowMs: 60_000 } });
        for (let i = 0; i < 2; i++) expect(await codeOf(handoff.redeem(get({ authToken: recordSecret(`guessed-token-${i}`) }), browserSession().control))).toBe('token_invalid');
        clock += 20_000;
        const good = tokenFor({ ContactId: 1001 });
        const limited = await failure(handoff.redeem(get({ authToken: good }), browserSession().control));
        expect(limited.code).toBe('rate_limited');
        expect(limited.headers['retry-after']).toBe('40');
        expect(partner.received).toHaveLength(2);
        // The refused attempt never reached the ledger: the token still works from elsewhere.
        expect((await handoff.redeem(get({ authToken: good }, '198.51.100.8'), browserSession().control)).user).toBe(alice);
        clock += 40_000;
        expect((await handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }), browserSession().control)).user).toBe(alice);
      });

      it('counts an IPv6 client by its /64', async () => {
        const { handoff } = build({ rateLimits: { handoffFailuresPerIp: 2 } });
        expect(await codeOf(handoff.redeem(get({ authToken: recordSecret('guessed-token-v6-1') }, '2001:db8:5:6::1'), browserSession().control))).toBe('token_invalid');
        expect(await codeOf(handoff.redeem(get({ authToken: recordSecret('guessed-token-v6-2') }, '2001:db8:5:6:a::2'), browserSession().control))).toBe('token_invalid');
        expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }, '2001:db8:5:6:b::3'), browserSession().control))).toBe('rate_limited');
        expect((await handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }, '2001:db8:5:7::1'), browserSession().control)).user).toBe(alice);
      });

      it('holds its limit under a burst of guesses: no more than the limit reach the partner', async () => {
        const { handoff } = build({ rateLimits: { handoffFailuresPerIp: 3, partnerCallsInFlightPerIp: 100 } });
        const held: (() => void)[] = [];
        partner.behave((received, res) => void held.push(() => answerTokens(received, res, undefined as never)));
        const burst = Array.from({ length: 30 }, (_, i) => codeOf(handoff.redeem(get({ authToken: recordSecret(`burst-guess-${i}-${counter}`) }), browserSession().control)));
        await vi.waitFor(() => expect(held).toHaveLength(3), { timeout: 5000 });
        held.forEach((release) => release());
        const codes = await Promise.all(burst);
        expect(codes.filter((code) => code === 'token_invalid')).toHaveLength(3);
        expect(codes.filter((code) => code === 'rate_limited')).toHaveLength(27);
        expect(partner.received).toHaveLength(3);
      });

      it('gives the count back for successes and outages, and keeps it for replays', async () => {
        const { handoff } = build({ rateLimits: { handoffFailuresPerIp: 1 } });
        let token = '';
        for (let i = 0; i < 3; i++) await handoff.redeem(get({ authToken: (token = tokenFor({ ContactId: 1001 })) }), browserSession().control);
        partner.behave((_received, res) => json(res, 500, {}));
        for (let i = 0; i < 3; i++) expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }), browserSession().control))).toBe('validator_unavailable');
        partner.behave(answerTokens);
        expect(await codeOf(handoff.redeem(get({ authToken: token }), browserSession().control))).toBe('token_invalid');
        expect(await codeOf(handoff.redeem(get({ authToken: token }), browserSession().control))).toBe('rate_limited');
      });

      it('answers store_unavailable without asking the partner when the counter cannot be charged', async () => {
        const store = new MemoryStore({ now: () => clock });
        store.rateLimits.add = async () => Promise.reject(new Error('counter store down'));
        const { handoff } = build({ store });
        expect(await codeOf(handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }), browserSession().control))).toBe('store_unavailable');
        expect(partner.received).toHaveLength(0);
      });

      it('signs the user in even when the counter cannot be given back afterwards', async () => {
        const store = new MemoryStore({ now: () => clock });
        const add = store.rateLimits.add.bind(store.rateLimits);
        store.rateLimits.add = async (key, delta, windowMs, limit) => (delta < 0 ? Promise.reject(new Error('counter store down')) : add(key, delta, windowMs, limit));
        const { handoff } = build({ store });
        const session = browserSession();
        expect((await handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }), session.control)).user).toBe(alice);
        expect(session.state.user).toBe(alice);
        expect(audit.map((event) => event.outcome)).toEqual(['ok']);
      });
    });

    describe('audit', () => {
      it('reports every attempt with the token’s keyed hash, never the token', async () => {
        const { handoff, tokenHash } = build();
        const good = tokenFor({ ContactId: 1001 });
        const bad = recordSecret('rejected-by-the-partner');
        await handoff.redeem(get({ authToken: good }, '198.51.100.4'), browserSession().control);
        await handoff.redeem(get({ authToken: bad }), browserSession().control).catch(() => undefined);
        await handoff.redeem(get({}), browserSession().control).catch(() => undefined);
        expect(audit[0]).toEqual({ type: 'handoff', outcome: 'ok', at: clock, latencyMs: 0, ip: '198.51.100.4', tenant: 'default', userId: 'u-alice', tokenHash: tokenHash(good) });
        expect(audit[1]).toMatchObject({ type: 'handoff', outcome: 'token_invalid', tenant: 'default', tokenHash: tokenHash(bad), reason: 'partner rejected the token' });
        expect(audit[2]).toMatchObject({ outcome: 'token_invalid', reason: 'no authToken' });
        expect(audit[2]).not.toHaveProperty('tokenHash');
        expect(tokenHash(good)).toMatch(/^[0-9a-f]{12}$/);
        expect(leakedSecrets(JSON.stringify(audit))).toEqual([]);
      });

      it('still signs the user in when userIdOf throws, leaving only the user id out of the event', async () => {
        const { handoff } = build({
          userIdOf: () => {
            throw new Error('no id');
          },
        });
        const session = browserSession();
        await handoff.redeem(get({ authToken: tokenFor({ ContactId: 1001 }) }), session.control);
        expect(session.state.user).toBe(alice);
        expect(audit[0]).toMatchObject({ outcome: 'ok', tenant: 'default' });
        expect(audit[0]).not.toHaveProperty('userId');
      });
    });

    describeRedis('on a shared Redis store', () => {
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

      const instance = () => build({ store: new RedisStore({ client, prefix, now: () => clock }), hashKey: 'shared-hash-key-of-the-portal' });

      it('lets exactly one of concurrent redemptions across instances win', async () => {
        const instances = [instance(), instance(), instance()];
        const token = tokenFor({ ContactId: 1001 });
        const sessions = Array.from({ length: 15 }, () => browserSession());
        const results = await Promise.allSettled(sessions.map((session, i) => instances[i % 3]!.handoff.redeem(get({ authToken: token }), session.control)));
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
        expect(sessions.reduce((sum, session) => sum + session.state.starts, 0)).toBe(1);
        expect(partner.received).toHaveLength(1);
        expect(await codeOf(instances[0]!.handoff.redeem(get({ authToken: token }), browserSession().control))).toBe('token_invalid');
        expect(JSON.stringify(await client.keys(`${prefix}*`))).not.toContain(token);
      });

      it('leaves the token usable on every instance after a partner outage', async () => {
        const [one, two] = [instance(), instance()];
        const token = tokenFor({ ContactId: 1001 });
        partner.behave((_received, res) => json(res, 502, {}));
        expect(await codeOf(one.handoff.redeem(get({ authToken: token }), browserSession().control))).toBe('validator_unavailable');
        partner.behave(answerTokens);
        expect((await two.handoff.redeem(get({ authToken: token }), browserSession().control)).user).toBe(alice);
      });
    });
  });

  describe('returnTo', () => {
    let handoff: Handoff<User>;
    beforeEach(() => {
      ({ handoff } = build({ handoff: { defaultReturnTo: '/home' } }));
    });

    it('returns a same-origin returnTo as given', () => {
      expect(handoff.returnTo(get({ returnTo: '/invoices/42?tab=1#lines' }))).toBe('/invoices/42?tab=1#lines');
    });

    it.each([undefined, '', 'https://evil.example/', '//evil.example/x', '/\\evil.example', '/%2F%2Fevil.example', 'javascript:alert(1)', '/\t/evil.example', '/.//evil.example'])(
      'falls back to handoff.defaultReturnTo for %j',
      (returnTo) => {
        expect(handoff.returnTo(get(returnTo === undefined ? {} : { returnTo }))).toBe('/home');
      },
    );

    it('strips the authToken from the target, and refuses one carrying the token under another name', () => {
      const token = recordSecret('return-to-token-1234');
      expect(handoff.returnTo(get({ authToken: token, returnTo: `/invoices?authToken=${token}&page=2` }))).toBe('/invoices?page=2');
      expect(handoff.returnTo(get({ authToken: token, returnTo: `/invoices?t=${token}` }))).toBe('/home');
      expect(handoff.returnTo(get({ authToken: token, returnTo: `/invoices/${encodeURIComponent(token)}` }))).toBe('/home');
    });

    it('reads returnTo from the body of a POST, not of a GET', () => {
      expect(handoff.returnTo(postForm({ returnTo: '/from-body' }))).toBe('/from-body');
      expect(handoff.returnTo({ ...get({}), body: { returnTo: '/from-body' } })).toBe('/home');
    });
  });
});
