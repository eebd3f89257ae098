import type { ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditEvent } from '../src/audit/audit-event.js';
import { SessionTokens } from '../src/credentials/session-tokens.js';
import { LoginError } from '../src/errors/login-error.js';
import type { LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { parseOptions } from '../src/options/parse-options.js';
import { createPortalServices } from '../src/options/portal-services.js';
import { MemoryStore } from '../src/store/memory-store.js';
import { RedisStore } from '../src/redis.js';
import type { RequestInfo } from '../src/request/request-info.js';
import { storeKeys } from '../src/store/store-keys.js';
import { captureText } from './support/leak-capture.js';
import { json, startPartnerServer, type PartnerServer, type ReceivedRequest } from './support/partner-server.js';
import { connectRedis, deleteKeys, describeRedis, uniquePrefix } from './support/redis.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

interface User {
  id: string;
  contactId: string;
  disabled?: boolean;
}
const users: User[] = [
  { id: 'u-alice', contactId: '1001' },
  { id: 'u-bob', contactId: '1002' },
  { id: 'u-carol', contactId: '1003', disabled: true },
];

const password = recordSecret('session-tokens-password-1');
const wrongPassword = recordSecret('session-tokens-wrong-password');
const variantPassword = recordSecret('session-tokens-variant-password');
const passCode = recordSecret('session-tokens-pass-code-1');
const authenticationCode = recordSecret('session-tokens-auth-code-1');

// The partner's accounts behind VerifyCredentials. "ALICE" is a different account whose name
// counts like "alice"; "ghost" is unknown to the portal; "nobody" is vouched for without a contact.
const accounts = new Map<string, { password: string; answer: unknown }>([
  ['alice', { password, answer: { ContactId: 1001 } }],
  ['ALICE', { password: variantPassword, answer: { ContactId: 1002 } }],
  ['bob', { password, answer: { ContactId: '1002' } }],
  ['carol', { password, answer: { ContactId: 1003 } }],
  ['ghost', { password, answer: { ContactId: 9999 } }],
  ['nobody', { password, answer: { ContactId: null } }],
  ['garbled', { password, answer: { ContactId: { id: 1 } } }],
]);

function answerPartner(received: ReceivedRequest, res: ServerResponse): void {
  const body = JSON.parse(received.body) as Record<string, string>;
  if (received.url.startsWith('/access')) {
    const ok = body['code'] === authenticationCode || (body['identifier'] === 'device-7' && body['passCode'] === passCode);
    return ok ? json(res, 200, { ContactId: body['code'] === '' ? 1002 : 1001 }) : json(res, 401, { error: 'invalid' });
  }
  if (received.url.startsWith('/down')) return json(res, 500, {});
  const account = accounts.get(body['username'] ?? '');
  if (account === undefined || account.password !== body['password']) return json(res, 401, { error: 'invalid credentials' });
  json(res, 200, account.answer);
}

let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer(answerPartner);
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
  partner.behave(answerPartner);
});
afterEach(async () => {
  await Promise.all(built.splice(0).map((part) => part.close()));
});

const credentialCommands = () => ({
  VerifyCredentials: {
    url: `${partner.origin}/verify`,
    body: '{"username":"{username}","password":"{password}","organisation":"{organisation}","unit":"{unit}"}',
  },
  VerifyAccessToken: { url: `${partner.origin}/access`, body: '{"code":"{authenticationCode}","identifier":"{identifier}","passCode":"{passCode}"}' },
});

/** The session-token flow wired as the factory wires it, on the test's clock and a MemoryStore unless one is given. */
function build(options: Partial<LoginWithTokenOptions<User>> = {}) {
  const parsed = parseOptions<User>({
    resolveUser: ({ contactId }) => users.find((user) => user.contactId === contactId) ?? null,
    commands: credentialCommands(),
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
  return { flow: new SessionTokens(services, parsed), store: services.store };
}

const post = (body: unknown, ip = '203.0.113.10'): RequestInfo => ({ method: 'POST', headers: {}, query: {}, body, ip });
const login = (username: string, secret = password, organisation = 'CRMDEMO') => ({ username, password: secret, organisation });

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(LoginError);
  return error as LoginError;
}
const codeOf = async (promise: Promise<unknown>) => (await failure(promise)).code;

describe('SessionTokens', () => {
  describe('issue', () => {
    describe('with username and password', () => {
      it('opens a session token for the user that lives sessionTokens.ttlMs', async () => {
        const { flow, store } = build({ sessionTokens: { ttlMs: 120_000 } });
        const issued = await flow.issue(post(login('alice')));
        recordSecret(issued.token);
        expect(issued.token).toMatch(/^lwts_[A-Za-z0-9_-]{43}$/);
        expect(issued.expiresAt).toBe(clock + 120_000);
        expect(await store.sessions.use(storeKeys.sessionToken(issued.token), 'default')).toEqual({
          kind: 'session-token',
          tenant: 'default',
          userId: 'u-alice',
          identity: { contactId: '1001', contactEmail: undefined, tokenType: 'credentials' },
          createdAt: clock,
          expiresAt: clock + 120_000,
        });
        clock += 120_000;
        expect(await store.sessions.use(storeKeys.sessionToken(issued.token), 'default')).toBeUndefined();
      });

      it('sends the credentials to VerifyCredentials exactly as given', async () => {
        const { flow } = build();
        await flow.issue(post({ ...login('alice'), unit: 'EE63A82C' }));
        expect(partner.received).toHaveLength(1);
        expect(JSON.parse(partner.received[0]!.body)).toEqual({ username: 'alice', password, organisation: 'CRMDEMO', unit: 'EE63A82C' });
      });

      it('passes a password full of JSON and placeholders to the partner as one value', async () => {
        const { flow } = build();
        const injected = recordSecret('x","username":"alice","password":"{password}');
        expect(await codeOf(flow.issue(post(login('mallory', injected))))).toBe('login_failed');
        expect(JSON.parse(partner.received[0]!.body)).toEqual({ username: 'mallory', password: injected, organisation: 'CRMDEMO', unit: '' });
      });

      it('answers a wrong password, an unknown name and a user unknown to the portal alike, with login_failed', async () => {
        const { flow } = build();
        const errors = [await failure(flow.issue(post(login('alice', wrongPassword)))), await failure(flow.issue(post(login('mallory')))), await failure(flow.issue(post(login('ghost'))))];
        for (const error of errors) expect({ code: error.code, status: error.status, message: error.message, description: error.description }).toEqual({
          code: 'login_failed',
          status: 401,
          message: 'Can not login.',
          description: undefined,
        });
      });

      it('answers login_failed when the partner vouches for nobody', async () => {
        const { flow } = build();
        expect(await codeOf(flow.issue(post(login('nobody'))))).toBe('login_failed');
      });

      it('answers user_deactivated for a disabled user and opens nothing', async () => {
        const { flow, store } = build();
        expect(await codeOf(flow.issue(post(login('carol'))))).toBe('user_deactivated');
        expect(await store.sessions.listForUser('default', 'u-carol')).toEqual([]);
      });

      it('answers validator_unavailable when the partner is down or answers garbage', async () => {
        const { flow } = build({ commands: { ...credentialCommands(), VerifyCredentials: { url: `${partner.origin}/down`, body: '{"username":"{username}"}' } } });
        expect(await codeOf(flow.issue(post(login('alice'))))).toBe('validator_unavailable');
        const { flow: garbled } = build();
        expect(await codeOf(garbled.issue(post(login('garbled'))))).toBe('validator_unavailable');
      });
    });

    describe('with an access_token_identifier', () => {
      it('verifies an authentication_code through VerifyAccessToken', async () => {
        const { flow, store } = build();
        const { token } = await flow.issue(post({ access_token_identifier: { authentication_code: authenticationCode }, organisation: 'CRMDEMO' }));
        recordSecret(token);
        expect(partner.received[0]!.url).toBe('/access');
        expect(JSON.parse(partner.received[0]!.body)).toEqual({ code: authenticationCode, identifier: '', passCode: '' });
        expect((await store.sessions.use(storeKeys.sessionToken(token), 'default'))?.identity).toMatchObject({ contactId: '1001', tokenType: 'access-token' });
      });

      it('verifies an identifier with its pass_code', async () => {
        const { flow } = build();
        recordSecret((await flow.issue(post({ access_token_identifier: { identifier: 'device-7', pass_code: passCode }, organisation: 'CRMDEMO' }))).token);
        expect(JSON.parse(partner.received[0]!.body)).toEqual({ code: '', identifier: 'device-7', passCode });
      });

      it('fails with login_failed where the tenant has no VerifyAccessToken', async () => {
        const { flow } = build({ commands: { VerifyCredentials: credentialCommands().VerifyCredentials } });
        expect(await codeOf(flow.issue(post({ access_token_identifier: { authentication_code: authenticationCode }, organisation: 'CRMDEMO' })))).toBe('login_failed');
        expect(partner.received).toHaveLength(0);
      });
    });

    describe('with a malformed body', () => {
      it('answers invalid_request naming the fields, never their values, and asks nobody', async () => {
        const { flow } = build();
        const overlong = recordSecret(`overlong-${'p'.repeat(1100)}`);
        const error = await failure(flow.issue(post({ username: 'alice', password: overlong })));
        expect(error.code).toBe('invalid_request');
        expect(error.description).toBe('password: must be at most 1024 characters; organisation: is required');
        expect(partner.received).toHaveLength(0);
      });

      it('treats a missing body as an empty one', async () => {
        const { flow } = build();
        expect(await failure(flow.issue(post(undefined)))).toMatchObject({ code: 'invalid_request', description: 'organisation: is required' });
      });

      it('charges no counter for a body it refused', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerIp: 1 } });
        for (let i = 0; i < 3; i++) expect(await codeOf(flow.issue(post({ username: 'alice' })))).toBe('invalid_request');
        recordSecret((await flow.issue(post(login('alice')))).token);
      });
    });

    describe('counting attempts', () => {
      it('charges every attempt before the partner is asked, so a parallel burst cannot outrun the limit', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 3 } });
        const held: (() => void)[] = [];
        partner.behave((_received, res) => void held.push(() => json(res, 401, { error: 'invalid credentials' })));
        const settled: string[] = [];
        const burst = Array.from({ length: 10 }, () =>
          codeOf(flow.issue(post(login('alice', wrongPassword)))).then((code) => {
            settled.push(code);
            return code;
          }),
        );
        await vi.waitFor(() => {
          expect(settled).toHaveLength(7);
          expect(held).toHaveLength(3);
        }, { timeout: 5000 });
        expect(settled.every((code) => code === 'rate_limited')).toBe(true);
        held.forEach((release) => release());
        expect((await Promise.all(burst)).filter((code) => code === 'login_failed')).toHaveLength(3);
        expect(partner.received).toHaveLength(3);
      });

      it('refuses with rate_limited and a Retry-After until the window ends, on the injected clock', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 1, windowMs: 60_000 } });
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
        clock += 15_000;
        const limited = await failure(flow.issue(post(login('alice'))));
        expect(limited.code).toBe('rate_limited');
        expect(limited.headers['retry-after']).toBe('45');
        expect(partner.received).toHaveLength(1);
        clock += 45_000;
        recordSecret((await flow.issue(post(login('alice')))).token);
      });

      it('resets the name’s own counter on success, so its owner starts afresh', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 2 } });
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
        recordSecret((await flow.issue(post(login('alice')))).token);
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('rate_limited');
      });

      it('does not let the owner of a spelling variant reset the name’s counter', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 2 } });
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
        // "ALICE" counts as "alice" but is another account: its success gives back only its own attempt.
        recordSecret((await flow.issue(post(login('ALICE', variantPassword)))).token);
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('rate_limited');
      });

      it('counts spelling variants of a name as one, while the partner gets the name as sent', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 2 } });
        expect(await codeOf(flow.issue(post(login('Alice', wrongPassword))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login(' ＡＬＩＣＥ\u200b', wrongPassword))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword))))).toBe('rate_limited');
        expect(partner.received.map((received) => (JSON.parse(received.body) as { username: string }).username)).toEqual(['Alice', ' ＡＬＩＣＥ\u200b']);
      });

      it('counts a name per client network, and in total across networks', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 1, tokenFailuresPerUsernameTotal: 2 } });
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword), '198.51.100.1')))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword), '198.51.100.1')))).toBe('rate_limited');
        // Another network is not locked out by the first one's failures…
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword), '198.51.100.2')))).toBe('login_failed');
        // …until the name's total is spent, which locks it everywhere.
        expect(await codeOf(flow.issue(post(login('alice'), '198.51.100.3')))).toBe('rate_limited');
      });

      it('counts an IPv6 client by its /64, whatever address inside it is used', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerIp: 2 } });
        expect(await codeOf(flow.issue(post(login('u1', wrongPassword), '2001:db8:1:2::1')))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('u2', wrongPassword), '2001:db8:1:2:ffff::9')))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('alice'), '2001:db8:1:2:abcd::1')))).toBe('rate_limited');
        recordSecret((await flow.issue(post(login('alice'), '2001:db8:1:3::1'))).token);
      });

      it('counts authentication-code guesses of a tenant from all networks together, and leaves passwords alone', async () => {
        const { flow } = build({ rateLimits: { authenticationCodeFailuresPerTenant: 2 } });
        const guess = (code: string, ip: string) => flow.issue(post({ access_token_identifier: { authentication_code: recordSecret(code) }, organisation: 'CRMDEMO' }, ip));
        expect(await codeOf(guess('guessed-code-0001', '198.51.100.1'))).toBe('login_failed');
        expect(await codeOf(guess('guessed-code-0002', '198.51.100.2'))).toBe('login_failed');
        expect(await codeOf(guess(authenticationCode, '198.51.100.3'))).toBe('rate_limited');
        recordSecret((await flow.issue(post(login('alice'), '198.51.100.3'))).token);
      });

      it('gives the count back for a deactivated user, so it never locks the name', async () => {
        const { flow } = build({ rateLimits: { tokenFailuresPerUsername: 1 } });
        for (let i = 0; i < 3; i++) expect(await codeOf(flow.issue(post(login('carol'))))).toBe('user_deactivated');
      });

      it('gives the count back on a partner outage, so an outage never locks anybody out', async () => {
        const { flow } = build({
          rateLimits: { tokenFailuresPerIp: 1, tokenFailuresPerUsername: 1 },
          commands: { VerifyCredentials: { url: `${partner.origin}/down`, body: '{"username":"{username}"}' } },
        });
        for (let i = 0; i < 3; i++) expect(await codeOf(flow.issue(post(login('alice'))))).toBe('validator_unavailable');
      });

      it('gives the count back when the partner calls of the network are all under way', async () => {
        const { flow } = build({ rateLimits: { partnerCallsInFlightPerIp: 1, tokenFailuresPerIp: 2 } });
        const held: (() => void)[] = [];
        partner.behave((received, res) => {
          if ((JSON.parse(received.body) as { username: string }).username === 'u1') held.push(() => json(res, 401, {}));
          else answerPartner(received, res);
        });
        const first = codeOf(flow.issue(post(login('u1', wrongPassword))));
        await vi.waitFor(() => expect(held).toHaveLength(1), { timeout: 5000 });
        expect(await codeOf(flow.issue(post(login('u2', wrongPassword))))).toBe('rate_limited');
        recordSecret((await flow.issue(post(login('alice'), '198.51.100.9'))).token);
        held[0]!();
        expect(await first).toBe('login_failed');
        // Two failures fit the network's limit only if the refused call was given back.
        expect(await codeOf(flow.issue(post(login('u3', wrongPassword))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('u4', wrongPassword))))).toBe('rate_limited');
      });
    });

    describe('with tenants configured', () => {
      const tenantOptions = () => ({
        tenants: {
          acme: { commands: { VerifyCredentials: { url: `${partner.origin}/verify?tenant=acme`, body: '{"username":"{username}","password":"{password}"}' } } },
          globex: {},
        },
        resolveTenant: () => 'acme',
      });

      it('opens the session in the tenant the organisation names, with that tenant’s command', async () => {
        const { flow, store } = build(tenantOptions());
        const { token } = await flow.issue(post(login('alice', password, 'globex')));
        recordSecret(token);
        expect(partner.received[0]!.url).toBe('/verify');
        expect((await store.sessions.use(storeKeys.sessionToken(token), 'globex'))?.tenant).toBe('globex');
        recordSecret((await flow.issue(post(login('alice', password, 'acme')))).token);
        expect(partner.received[1]!.url).toBe('/verify?tenant=acme');
      });

      it('answers an unknown organisation like a wrong password without asking any partner', async () => {
        const { flow } = build(tenantOptions());
        // A real failure first: the cover then waits as long as that took, not its initial 100 ms.
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword, 'acme'))))).toBe('login_failed');
        const error = await failure(flow.issue(post(login('alice', password, 'initech'))));
        expect({ code: error.code, description: error.description }).toEqual({ code: 'login_failed', description: undefined });
        expect(partner.received).toHaveLength(1);
      });

      it('counts an unknown organisation under its own name, as a tenant would be counted', async () => {
        const { flow } = build({ ...tenantOptions(), rateLimits: { tokenFailuresPerUsername: 1 } });
        expect(await codeOf(flow.issue(post(login('alice', wrongPassword, 'acme'))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('probe', password, 'initech'))))).toBe('login_failed');
        expect(await codeOf(flow.issue(post(login('probe', password, 'initech'))))).toBe('rate_limited');
        expect(await codeOf(flow.issue(post(login('probe', password, 'umbrella'))))).toBe('login_failed');
      });
    });

    it('passes any organisation on and opens the session in the only tenant when none are configured', async () => {
      const { flow, store } = build();
      const { token } = await flow.issue(post(login('alice', password, 'whatever-org')));
      recordSecret(token);
      expect(JSON.parse(partner.received[0]!.body)).toMatchObject({ organisation: 'whatever-org' });
      expect((await store.sessions.use(storeKeys.sessionToken(token), 'default'))?.tenant).toBe('default');
    });

    describe('sessionTokens.maxPerUser', () => {
      it('ends the user’s oldest session tokens, and nobody else’s nor the user’s connections', async () => {
        const { flow, store } = build({ sessionTokens: { maxPerUser: 2 } });
        await store.sessions.create('connection-key', {
          kind: 'connection',
          tenant: 'default',
          userId: 'u-alice',
          identity: { contactId: '1001', tokenType: 'credentials' },
          createdAt: clock,
          expiresAt: clock + 3600_000,
        });
        const bob = recordSecret((await flow.issue(post(login('bob')))).token);
        const tokens: string[] = [];
        for (let i = 0; i < 3; i++) {
          clock += 1000;
          tokens.push(recordSecret((await flow.issue(post(login('alice')))).token));
        }
        const live = async (token: string) => (await store.sessions.use(storeKeys.sessionToken(token), 'default')) !== undefined;
        expect(await Promise.all(tokens.map(live))).toEqual([false, true, true]);
        expect(await live(bob)).toBe(true);
        expect(await store.sessions.exists('connection-key')).toBe(true);
      });

      it('keeps a user’s tokens of each tenant apart', async () => {
        const { flow, store } = build({ tenants: { acme: {}, globex: {} }, resolveTenant: () => 'acme', sessionTokens: { maxPerUser: 1 } });
        const acme = recordSecret((await flow.issue(post(login('alice', password, 'acme')))).token);
        const globex = recordSecret((await flow.issue(post(login('alice', password, 'globex')))).token);
        expect(await store.sessions.use(storeKeys.sessionToken(acme), 'acme')).toBeDefined();
        expect(await store.sessions.use(storeKeys.sessionToken(globex), 'globex')).toBeDefined();
      });
    });

    describe('when a store role fails', () => {
      it('answers store_unavailable without asking the partner when the counters cannot be charged', async () => {
        const store = new MemoryStore({ now: () => clock });
        store.rateLimits.add = async () => Promise.reject(new Error('counter store down'));
        const { flow } = build({ store });
        expect(await codeOf(flow.issue(post(login('alice'))))).toBe('store_unavailable');
        expect(partner.received).toHaveLength(0);
      });

      it('answers store_unavailable and hands out no token when the session cannot be stored', async () => {
        const store = new MemoryStore({ now: () => clock });
        store.sessions.create = async () => Promise.reject(new Error('session store down'));
        const { flow } = build({ store });
        expect(await codeOf(flow.issue(post(login('alice'))))).toBe('store_unavailable');
        expect(await store.sessions.listForUser('default', 'u-alice')).toEqual([]);
      });

      it('answers store_unavailable when resolveUser throws, and gives the count back', async () => {
        const { flow } = build({
          resolveUser: () => {
            throw new Error('user database down');
          },
          rateLimits: { tokenFailuresPerUsername: 1 },
        });
        for (let i = 0; i < 2; i++) expect(await codeOf(flow.issue(post(login('alice'))))).toBe('store_unavailable');
      });
    });

    describe('audit', () => {
      it('reports one event per attempt with tenant, user and outcome, never a credential', async () => {
        const { flow } = build();
        recordSecret((await flow.issue(post(login('alice'), '198.51.100.4'))).token);
        await flow.issue(post(login('alice', wrongPassword))).catch(() => undefined);
        await flow.issue(post({ username: 'alice', password: wrongPassword })).catch(() => undefined);
        expect(audit).toHaveLength(3);
        expect(audit[0]).toEqual({ type: 'session-token', outcome: 'ok', at: clock, latencyMs: 0, ip: '198.51.100.4', tenant: 'default', userId: 'u-alice' });
        expect(audit[1]).toMatchObject({ type: 'session-token', outcome: 'login_failed', tenant: 'default', reason: 'VerifyCredentials rejected the credentials' });
        expect(audit[1]).not.toHaveProperty('userId');
        expect(audit[2]).toMatchObject({ outcome: 'invalid_request' });
        expect(audit[2]).not.toHaveProperty('tenant');
        expect(leakedSecrets(JSON.stringify(audit))).toEqual([]);
      });
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

    const instance = () => {
      const store = new RedisStore({ client, prefix, now: () => clock });
      return build({ store, hashKey: 'shared-hash-key-of-the-portal', rateLimits: { tokenFailuresPerUsername: 2 } });
    };

    it('counts a name’s failures across instances that share the hash key', async () => {
      const [one, two] = [instance(), instance()];
      expect(await codeOf(one.flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
      expect(await codeOf(two.flow.issue(post(login('alice', wrongPassword))))).toBe('login_failed');
      expect(await codeOf(one.flow.issue(post(login('alice'))))).toBe('rate_limited');
      expect(JSON.stringify(await client.keys(`${prefix}*`))).not.toContain('alice');
    });

    it('opens a session every instance finds, and ends the oldest across instances', async () => {
      const [one, two] = [instance(), instance()];
      const first = recordSecret((await one.flow.issue(post(login('alice')))).token);
      expect(await two.store.sessions.use(storeKeys.sessionToken(first), 'default')).toMatchObject({ userId: 'u-alice' });
      const { flow: limited } = build({ store: new RedisStore({ client, prefix, now: () => clock }), hashKey: 'shared-hash-key-of-the-portal', sessionTokens: { maxPerUser: 1 } });
      clock += 1000;
      recordSecret((await limited.issue(post(login('alice')))).token);
      expect(await two.store.sessions.use(storeKeys.sessionToken(first), 'default')).toBeUndefined();
    });
  });
});
