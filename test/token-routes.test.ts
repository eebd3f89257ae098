import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryStore, type LoginWithTokenOptions } from '../src/index.js';
import { createClockedPortal, testUsers, type TestPortal, type TestUser } from './support/portal-app.js';
import type { ServerResponse } from 'node:http';
import { json, startPartnerServer, type PartnerServer, type ReceivedRequest } from './support/partner-server.js';
import { leakedSecrets, recordSecret } from './support/secrets.js';

// The partner's user database behind VerifyCredentials: usernames, passwords and contact ids.
const password = recordSecret('correct horse battery staple');
const accounts = new Map([
  ['mpadministrator', { password: '1234', ContactId: 1001 }],
  ['bob', { password, ContactEmail: 'bob@example.com' }],
  ['ghost', { password, ContactId: 9999 }], // known to the partner, unknown to the portal
  ['carol', { password, ContactId: 1003 }], // deactivated in the portal
]);
const passCode = recordSecret('pass-code-0042');
const authenticationCode = recordSecret('auth-code-77');

let partner: PartnerServer;
const verifyAccounts = (received: ReceivedRequest, res: ServerResponse) => {
  const { username, password: given } = JSON.parse(received.body) as { username: string; password: string };
  const account = accounts.get(username);
  if (account === undefined || account.password !== given) return json(res, 401, { error: 'invalid credentials' });
  const { password: _omit, ...answer } = account;
  json(res, 200, answer);
};
beforeAll(async () => {
  partner = await startPartnerServer(verifyAccounts);
});
afterAll(() => partner.close());

let portal: TestPortal;
let store: MemoryStore;
let clock: number;
function createPortal(options: Partial<LoginWithTokenOptions<TestUser>> = {}) {
  ({ store, ...portal } = createClockedPortal(() => clock, {
    commands: {
      VerifyCredentials: {
        url: `${partner.origin}/verify`,
        body: '{"username":"{username}","password":"{password}","organisation":"{organisation}","unit":"{unit}"}',
      },
      VerifyAccessToken: {
        run: ({ authenticationCode: code, identifier, passCode: pass }) =>
          code === authenticationCode ? { ContactId: 1001 } : identifier === 'device-7' && pass === passCode ? { ContactId: '1002' } : null,
      },
    },
    ...options,
  }));
}
beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  createPortal();
});
afterEach(async () => {
  await portal.login.close();
  await store.close();
});

const seedRequest = { username: 'mpadministrator', password: '1234', organisation: 'CRMDEMO', unit: 'EE63A82C4FEBE02FF34E90DD1EBA5ABE' };
const issue = (body: unknown) => request(portal.app).post('/authentication/token').send(body as object);
const me = (token: string) => request(portal.app).get('/api/me').set('authorization', `Bearer ${token}`);

describe('POST /authentication/token', () => {
  describe('with the seed example request', () => {
    it('answers the seed envelope with a token', async () => {
      const res = await issue(seedRequest);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(Object.keys(res.body)).toEqual(['status', 'data']);
      expect(res.body.status).toEqual({ code: 'OK', message: null, description: null });
      expect(Object.keys(res.body.data)).toEqual(['token']);
      expect(res.body.data.token).toMatch(/^lwts_[A-Za-z0-9_-]{43}$/);
      recordSecret(res.body.data.token);
    });

    it('sends the credentials to the VerifyCredentials command', async () => {
      partner.received.length = 0;
      await issue(seedRequest).expect(200);
      expect(JSON.parse(partner.received[0]!.body)).toEqual(seedRequest);
    });

    it('issues a token accepted as Authorization: Bearer', async () => {
      const { body } = await issue(seedRequest);
      const res = await me(recordSecret(body.data.token));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user: 'u-alice', authInfo: { tenant: 'default', tokenType: 'session-token' } });
    });

    it('stores only a hash of the token, and no password', async () => {
      const written: unknown[] = [];
      const create = store.sessions.create.bind(store.sessions);
      store.sessions.create = async (key, session) => {
        written.push(key, session);
        return create(key, session);
      };
      const token = recordSecret((await issue(seedRequest)).body.data.token as string);
      expect(written).toHaveLength(2);
      const stored = JSON.stringify(written);
      expect(stored).not.toContain(token.slice(5, 20));
      expect(leakedSecrets(stored)).toEqual([]);
      expect(written[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });
  });

  describe('with an access_token_identifier', () => {
    it('accepts authentication_code', async () => {
      const res = await issue({ access_token_identifier: { authentication_code: authenticationCode }, organisation: 'CRMDEMO' });
      expect(res.status).toBe(200);
      expect((await me(recordSecret(res.body.data.token))).body.user).toBe('u-alice');
    });

    it('accepts identifier with pass_code', async () => {
      const res = await issue({ access_token_identifier: { identifier: 'device-7', pass_code: passCode }, organisation: 'CRMDEMO' });
      expect(res.status).toBe(200);
      expect((await me(recordSecret(res.body.data.token))).body.user).toBe('u-bob');
    });

    it('refuses a wrong pass code with login_failed', async () => {
      const res = await issue({ access_token_identifier: { identifier: 'device-7', pass_code: 'nope' }, organisation: 'CRMDEMO' });
      expect(res.status).toBe(401);
      expect(res.body.status).toMatchObject({ code: 'login_failed', number: 10006 });
    });
  });

  describe('when a conditional rule is broken', () => {
    it.each<[string, unknown, string[]]>([
      ['organisation missing', { username: 'a', password: 'b' }, ['organisation']],
      ['username and password missing', { organisation: 'X' }, ['username', 'password']],
      ['password missing', { username: 'a', organisation: 'X' }, ['password']],
      ['identifier without pass_code', { access_token_identifier: { identifier: 'd' }, organisation: 'X' }, ['access_token_identifier.pass_code']],
      ['an empty access_token_identifier', { access_token_identifier: {}, organisation: 'X' }, ['access_token_identifier.authentication_code']],
      [
        'authentication_code and identifier together',
        { access_token_identifier: { authentication_code: 'c', identifier: 'd', pass_code: 'p' }, organisation: 'X' },
        ['access_token_identifier.identifier'],
      ],
      [
        'username with access_token_identifier',
        { username: 'a', password: 'b', access_token_identifier: { authentication_code: 'c' }, organisation: 'X' },
        ['username', 'password'],
      ],
      ['pass_code without identifier', { access_token_identifier: { authentication_code: 'c', pass_code: 'p' }, organisation: 'X' }, ['access_token_identifier.pass_code']],
      ['wrong types', { username: 5, password: ['x'], organisation: {} }, ['username', 'password', 'organisation']],
      ['empty strings', { username: '', password: '', organisation: '' }, ['username', 'password', 'organisation']],
    ])('answers 400 naming every field for %s', async (_name, body, fields) => {
      const res = await issue(body);
      expect(res.status).toBe(400);
      expect(res.body.status).toMatchObject({ code: 'invalid_request', number: 19002 });
      const named = (res.body.status.description as string).split('; ').map((part) => part.split(':')[0]);
      expect(named.sort()).toEqual([...fields].sort());
      expect(res.body.data).toBeNull();
    });

    it('answers 400 for a body that is not JSON, or malformed JSON', async () => {
      const form = await request(portal.app).post('/authentication/token').type('form').send({ username: 'a' });
      expect(form.status).toBe(400);
      const broken = await request(portal.app).post('/authentication/token').set('content-type', 'application/json').send('{"username":');
      expect(broken.status).toBe(400);
      expect(broken.body.status.code).toBe('invalid_request');
    });
  });

  describe('when the credentials are not accepted', () => {
    it('gives identical answers for an unknown user, a wrong password and a user unknown to the portal', async () => {
      const wrongPassword = await issue({ ...seedRequest, password: 'wrong' });
      const unknownUser = await issue({ ...seedRequest, username: 'nobody' });
      const unknownToPortal = await issue({ ...seedRequest, username: 'ghost', password });
      for (const res of [wrongPassword, unknownUser, unknownToPortal]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ status: { code: 'login_failed', number: 10006, message: 'Can not login.', description: null }, data: null });
      }
      expect(unknownUser.headers['content-length']).toBe(wrongPassword.headers['content-length']);
    });

    it('refuses a deactivated user with user_deactivated', async () => {
      const res = await issue({ username: 'carol', password, organisation: 'CRMDEMO' });
      expect(res.status).toBe(403);
      expect(res.body.status.code).toBe('user_deactivated');
    });

    it('answers 503 validator_unavailable when the verifier is down', async () => {
      const down = await startPartnerServer();
      const origin = down.origin;
      await down.close();
      createPortal({ commands: { VerifyCredentials: { url: `${origin}/verify`, body: '{"u":"{username}","p":"{password}"}' } } });
      const res = await issue(seedRequest);
      expect(res.status).toBe(503);
      expect(res.body.status).toMatchObject({ code: 'validator_unavailable', number: 10246 });
    });
  });

  describe('session tokens', () => {
    it('expire after one hour', async () => {
      const token = recordSecret((await issue(seedRequest)).body.data.token);
      clock += 59 * 60_000;
      expect((await me(token)).status).toBe(200);
      clock += 60_001;
      const expired = await me(token);
      expect(expired.status).toBe(401);
      expect(expired.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    });

    it('follow sessionTokens.ttlMs', async () => {
      createPortal({ sessionTokens: { ttlMs: 60_000 } });
      const token = recordSecret((await issue(seedRequest)).body.data.token);
      clock += 60_000;
      expect((await me(token)).status).toBe(401);
    });

    it('are different every time and carry at least 128 random bits', async () => {
      const tokens = new Set<string>();
      for (let i = 0; i < 20; i++) tokens.add(recordSecret((await issue(seedRequest)).body.data.token));
      expect(tokens.size).toBe(20);
      for (const token of tokens) expect(Buffer.from(token.slice(5), 'base64url').length).toBeGreaterThanOrEqual(16);
    });

    it('stop working at once after POST /authentication/logout', async () => {
      const token = recordSecret((await issue(seedRequest)).body.data.token);
      expect((await me(token)).status).toBe(200);
      const out = await request(portal.app).post('/authentication/logout').set('authorization', `Bearer ${token}`);
      expect(out.status).toBe(200);
      expect(out.body).toEqual({ status: { code: 'OK', message: null, description: null }, data: null });
      expect((await me(token)).status).toBe(401);
    });

    it('logout without a token answers 401 with a challenge', async () => {
      const res = await request(portal.app).post('/authentication/logout');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('stop working when the user is deactivated later', async () => {
      const token = recordSecret((await issue(seedRequest)).body.data.token);
      const alice = testUsers.find((user) => user.id === 'u-alice')!;
      alice.disabled = true;
      try {
        expect((await me(token)).status).toBe(401);
      } finally {
        alice.disabled = false;
      }
    });
  });

  describe('brute-force protection', () => {
    beforeEach(() => createPortal({ rateLimits: { tokenFailuresPerUsername: 3, tokenFailuresPerIp: 5, windowMs: 60_000 } }));

    it('answers 429 with Retry-After once a username has failed too often', async () => {
      for (let i = 0; i < 3; i++) expect((await issue({ ...seedRequest, password: `bad-${i}` })).status).toBe(401);
      const limited = await issue(seedRequest);
      expect(limited.status).toBe(429);
      expect(limited.body.status).toMatchObject({ code: 'rate_limited', number: 19003 });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
      clock += 60_001;
      expect((await issue(seedRequest)).status).toBe(200);
    });

    it('counts failures per client address across usernames', async () => {
      for (let i = 0; i < 5; i++) await issue({ ...seedRequest, username: `user-${i}` });
      expect((await issue({ ...seedRequest, username: 'bob', password })).status).toBe(429);
    });

    it('counts usernames case-insensitively and resets them on success', async () => {
      await issue({ ...seedRequest, username: 'MPADMINISTRATOR', password: 'x' });
      await issue({ ...seedRequest, password: 'y' });
      expect((await issue(seedRequest)).status).toBe(200);
      await issue({ ...seedRequest, password: 'z' });
      await issue({ ...seedRequest, password: 'w' });
      expect((await issue(seedRequest)).status).toBe(200);
    });
  });

  it('never puts a password, pass code or token into audit events', async () => {
    await issue(seedRequest);
    await issue({ ...seedRequest, password: recordSecret('wrong-password-1') });
    await issue({ access_token_identifier: { identifier: 'device-7', pass_code: passCode }, organisation: 'CRMDEMO' });
    expect(portal.audit.map((event) => event.outcome)).toEqual(['ok', 'login_failed', 'ok']);
    expect(portal.audit[0]).toMatchObject({ type: 'session-token', userId: 'u-alice', tenant: 'default' });
    expect(leakedSecrets(JSON.stringify(portal.audit))).toEqual([]);
  });
});

describe('hardening', () => {
  it('counts attempts before verifying, so parallel guesses cannot outrun the limit', async () => {
    let verifications = 0;
    createPortal({
      rateLimits: { tokenFailuresPerUsername: 3 },
      commands: {
        VerifyCredentials: {
          run: async () => {
            verifications++;
            await new Promise((resolve) => setTimeout(resolve, 100));
            return null;
          },
        },
      },
    });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => issue({ ...seedRequest, password: `guess-${i}` })));
    expect(verifications).toBe(3);
    expect(results.filter((res) => res.status === 429)).toHaveLength(27);
  });

  it('limits pass-code guesses per access-token identifier', async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 3 } });
    const guess = (pass_code: string, ip: string) =>
      request(portal.app).post('/authentication/token').set('x-forwarded-for', ip).send({ access_token_identifier: { identifier: 'device-7', pass_code }, organisation: 'X' });
    for (let i = 0; i < 3; i++) expect((await guess(`000${i}`, '192.0.2.1')).status).toBe(401);
    expect((await guess(passCode, '192.0.2.1')).status).toBe(429);
  });

  it('does not let failures from one network lock the user out of another', async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 3, tokenFailuresPerUsernameTotal: 30 } });
    const from = (ip: string, body: object) => request(portal.app).post('/authentication/token').set('x-forwarded-for', ip).send(body);
    for (let i = 0; i < 3; i++) await from('192.0.2.66', { ...seedRequest, password: `bad-${i}` });
    expect((await from('192.0.2.66', seedRequest)).status).toBe(429);
    expect((await from('198.51.100.5', seedRequest)).status).toBe(200);
  });

  it('does not let refused attempts from one network use up the name’s total', async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 3, tokenFailuresPerUsernameTotal: 10 } });
    for (let i = 0; i < 50; i++) {
      await request(portal.app).post('/authentication/token').set('x-forwarded-for', '192.0.2.66').send({ ...seedRequest, password: `bad-${i}` });
    }
    expect((await request(portal.app).post('/authentication/token').set('x-forwarded-for', '198.51.100.5').send(seedRequest)).status).toBe(200);
  });

  it('locks a name from every network once the total limit is reached', async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 100, tokenFailuresPerUsernameTotal: 4 } });
    for (let i = 0; i < 4; i++) {
      await request(portal.app).post('/authentication/token').set('x-forwarded-for', `192.0.2.${i + 10}`).send({ ...seedRequest, password: `bad-${i}` });
    }
    expect((await request(portal.app).post('/authentication/token').set('x-forwarded-for', '198.51.100.9').send(seedRequest)).status).toBe(429);
  });

  it('answers an unknown organisation like a wrong password when tenants are configured', async () => {
    createPortal({ tenants: { CRMDEMO: {}, OTHER: {} }, resolveTenant: () => 'CRMDEMO' });
    const known = await issue(seedRequest);
    expect(known.status).toBe(200);
    const unknown = await issue({ ...seedRequest, organisation: 'NOPE' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.status.code).toBe('login_failed');
  });

  it('takes as long for an unknown organisation as for a wrong password', async () => {
    createPortal({ tenants: { CRMDEMO: {}, OTHER: {} }, resolveTenant: () => 'CRMDEMO' });
    partner.behave((_received, res) => void setTimeout(() => json(res, 401, { error: 'invalid credentials' }), 150));
    const timed = async (organisation: string) => {
      const started = performance.now();
      const res = await issue({ ...seedRequest, password: 'wrong', organisation });
      expect(res.body.status.code).toBe('login_failed');
      return performance.now() - started;
    };
    try {
      for (let i = 0; i < 3; i++) await timed('CRMDEMO');
      // An answer without the partner call would come back in a few milliseconds.
      for (let i = 0; i < 3; i++) expect(await timed(`NOPE-${i}`)).toBeGreaterThan(120);
    } finally {
      partner.behave(verifyAccounts);
    }
  });

  it('counts an unknown organisation under its own name, like a tenant: shared counters would tell it apart', async () => {
    createPortal({ tenants: { CRMDEMO: {}, OTHER: {} }, resolveTenant: () => 'CRMDEMO', rateLimits: { tokenFailuresPerUsername: 3 } });
    const probe = (organisation: string) =>
      request(portal.app).post('/authentication/token').set('x-forwarded-for', '192.0.2.44').send({ username: 'probe', password: 'x', organisation });
    for (let i = 0; i < 3; i++) expect((await probe('NOPE-1')).status).toBe(401);
    expect((await probe('NOPE-1')).status).toBe(429);
    // Another name, known or not, answers alike: it has its own counters.
    expect((await probe('NOPE-2')).status).toBe(401);
    expect((await probe('OTHER')).status).toBe(401);
  });

  it("does not let a variant's own account reset a name's counter", async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 3, tokenFailuresPerUsernameTotal: 100 } });
    // The backend does not normalise: "ｍｐadministrator" is somebody else's account.
    accounts.set('ｍｐadministrator', { password: 'own', ContactId: 1002 });
    try {
      const from = (body: object) => request(portal.app).post('/authentication/token').set('x-forwarded-for', '192.0.2.45').send({ ...seedRequest, ...body });
      for (let i = 0; i < 2; i++) expect((await from({ password: `bad-${i}` })).status).toBe(401);
      expect((await from({ username: 'ｍｐadministrator', password: 'own' })).status).toBe(200);
      expect((await from({ password: 'bad-3' })).status).toBe(401);
      expect((await from({ password: 'bad-4' })).status).toBe(429);
    } finally {
      accounts.delete('ｍｐadministrator');
    }
  });

  it('counts spelling variants of a username as one name', async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 100, tokenFailuresPerUsernameTotal: 4 } });
    const variants = ['mpadministrator ', ' MPAdministrator', 'ＭＰＡＤＭＩＮＩＳＴＲＡＴＯＲ', 'mp\u200badministrator'];
    for (const [i, username] of variants.entries()) {
      expect((await request(portal.app).post('/authentication/token').set('x-forwarded-for', `192.0.2.${i + 10}`).send({ ...seedRequest, username })).status).toBe(401);
    }
    expect((await request(portal.app).post('/authentication/token').set('x-forwarded-for', '198.51.100.9').send(seedRequest)).status).toBe(429);
  });

  it('counts authentication-code guesses per tenant from all networks together', async () => {
    createPortal({ rateLimits: { tokenFailuresPerIp: 100, authenticationCodeFailuresPerTenant: 20 } });
    const guess = (code: string, ip: string) =>
      request(portal.app).post('/authentication/token').set('x-forwarded-for', ip).send({ access_token_identifier: { authentication_code: code }, organisation: 'CRMDEMO' });
    // Ten /64 networks, each well inside its own limit.
    for (let network = 0; network < 10; network++) {
      for (let i = 0; i < 2; i++) expect((await guess(`guess-${network}-${i}`, `2001:db8:${network}::${i + 1}`)).status).toBe(401);
    }
    expect((await guess('guess-next', '2001:db8:99::1')).status).toBe(429);
    // Passwords are not paused with it.
    expect((await issue(seedRequest)).status).toBe(200);
  });

  it('counts retries of one authentication code like a username', async () => {
    createPortal({ rateLimits: { tokenFailuresPerUsername: 3 } });
    const code = recordSecret('stolen-code-1');
    for (let i = 0; i < 3; i++) {
      const res = await request(portal.app).post('/authentication/token').set('x-forwarded-for', '192.0.2.7').send({ access_token_identifier: { authentication_code: code }, organisation: 'CRMDEMO' });
      expect(res.status).toBe(401);
    }
    const res = await request(portal.app).post('/authentication/token').set('x-forwarded-for', '192.0.2.7').send({ access_token_identifier: { authentication_code: code }, organisation: 'CRMDEMO' });
    expect(res.status).toBe(429);
  });

  it('keeps at most sessionTokens.maxPerUser live tokens per user, ending the oldest', async () => {
    createPortal({ sessionTokens: { maxPerUser: 2 } });
    const tokens: string[] = [];
    for (let i = 0; i < 3; i++) {
      tokens.push(recordSecret((await issue(seedRequest)).body.data.token));
      clock += 1;
    }
    expect((await me(tokens[0]!)).status).toBe(401);
    expect((await me(tokens[1]!)).status).toBe(200);
    expect((await me(tokens[2]!)).status).toBe(200);
  });

  it('answers 400 for a gzip body that is not gzip, without reaching the app error handler', async () => {
    const res = await request(portal.app)
      .post('/authentication/token')
      .set('content-type', 'application/json')
      .set('content-encoding', 'gzip')
      .send('definitely not gzip');
    expect(res.status, res.text).toBe(400);
    expect(res.body.status.code).toBe('invalid_request');
  });

  it('says which fields have the wrong type rather than calling them missing', async () => {
    const res = await issue({ username: ['alice'], password: 'x', organisation: 'X' });
    expect(res.body.status.description).toMatch(/^username: (?!is required)/);
    const array = await issue([1, 2]);
    expect(array.body.status.description).toBe('body: must be a JSON object');
  });
});
