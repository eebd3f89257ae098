import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mintApiTokenSecret } from '../src/api-tokens/api-token-secret.js';
import { BearerAuthentication } from '../src/bearer/bearer-authentication.js';
import { BearerRevocation } from '../src/bearer/bearer-revocation.js';
import { mintSessionToken } from '../src/credentials/session-token.js';
import { isLoginError, type LoginError } from '../src/errors/login-error.js';
import type { LoginWithTokenOptions } from '../src/options/login-with-token-options.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { SessionStore, StoredSession } from '../src/store/session-store.js';
import type { Store } from '../src/store/store.js';
import { storeKeys } from '../src/store/store-keys.js';
import { bearerParts, bearerRequest, type BearerParts, type BearerUser } from './support/bearer-services.js';
import { json, startPartnerServer, type PartnerServer } from './support/partner-server.js';
import { recordSecret } from './support/secrets.js';

let partner: PartnerServer;
beforeAll(async () => {
  partner = await startPartnerServer();
});
afterAll(() => partner.close());
beforeEach(() => {
  partner.received.length = 0;
  partner.behave((_received, res) => json(res, 200, { ContactId: 1001 }));
});

let parts: BearerParts;
let revocation: BearerRevocation;
afterEach(() => parts.close());

function build(options: Partial<LoginWithTokenOptions<BearerUser>> = {}, store?: Store): BearerRevocation {
  parts = bearerParts(
    { commands: { ValidateBearer: { method: 'GET', url: `${partner.origin}/introspect`, headers: { 'x-partner-token': 'Bearer {bearerToken}' } } }, ...options },
    store === undefined ? {} : { store },
  );
  revocation = new BearerRevocation(parts.services, parts.parsed);
  return revocation;
}

const revoke = (token: string, more: Parameters<typeof bearerRequest>[0] = {}) => revocation.revoke(bearerRequest({ token, ...more }));

async function failure(promise: Promise<unknown>): Promise<LoginError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(isLoginError(error)).toBe(true);
  return error as LoginError;
}

function stored(overrides: Partial<StoredSession> = {}): StoredSession {
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

async function sessionToken(): Promise<{ token: string; key: string }> {
  const token = recordSecret(mintSessionToken());
  const key = storeKeys.sessionToken(token);
  await parts.store.sessions.create(key, stored());
  return { token, key };
}

async function connection(overrides: Partial<StoredSession> = {}) {
  const id = recordSecret(randomUUID());
  const key = storeKeys.connection(id);
  const session = stored({ kind: 'connection', idleTimeoutMs: 600_000, ...overrides });
  await parts.store.sessions.create(key, session);
  const jwt = recordSecret(await parts.services.connectionJwt.sign({ sid: key, tenant: session.tenant, userId: session.userId }, session.expiresAt));
  return { id, key, jwt };
}

describe('BearerRevocation', () => {
  describe('revoke', () => {
    it('ends the session of a session token at once, and audits who it was', async () => {
      build();
      const { token, key } = await sessionToken();
      await revoke(token, { ip: '198.51.100.7' });
      expect(await parts.store.sessions.exists(key)).toBe(false);
      expect(parts.audit).toEqual([expect.objectContaining({ type: 'logout', outcome: 'ok', tenant: 'default', userId: 'u-alice', ip: '198.51.100.7', tokenHash: parts.services.tokenHash(token) })]);
      expect(JSON.stringify(parts.audit)).not.toContain(token);
    });

    it('ends a connection by its id, and its JWT dies with it', async () => {
      build();
      const { id, key, jwt } = await connection();
      const bearer = new BearerAuthentication(parts.services, parts.parsed);
      expect(await bearer.authenticate(bearerRequest({ token: jwt }))).toMatchObject({ info: { tokenType: 'connection-jwt' } });
      await revoke(id.toUpperCase());
      expect(await parts.store.sessions.exists(key)).toBe(false);
      await expect(bearer.authenticate(bearerRequest({ token: jwt }))).rejects.toMatchObject({ code: 'token_invalid' });
    });

    it('ends a connection by its JWT', async () => {
      build();
      const { key, jwt } = await connection();
      await revoke(jwt);
      expect(await parts.store.sessions.exists(key)).toBe(false);
      expect(parts.audit.at(-1)).toMatchObject({ outcome: 'ok', userId: 'u-alice' });
    });

    it('takes connectionId from the body when no Authorization header is sent, and the header over it when one is', async () => {
      build();
      const first = await connection();
      await revocation.revoke(bearerRequest({ method: 'POST', body: { connectionId: first.id } }));
      expect(await parts.store.sessions.exists(first.key)).toBe(false);
      const second = await connection();
      const third = await connection();
      await revocation.revoke(bearerRequest({ method: 'POST', token: second.id, body: { connectionId: third.id } }));
      expect(await parts.store.sessions.exists(second.key)).toBe(false);
      expect(await parts.store.sessions.exists(third.key)).toBe(true);
    });

    it('succeeds for an unknown or already revoked token, as RFC 7009 asks', async () => {
      build();
      const { token } = await sessionToken();
      await revoke(token);
      await revoke(token);
      await revoke(recordSecret(mintSessionToken()));
      expect(parts.audit.slice(1).map((event) => [event.outcome, event.reason, event.userId])).toEqual([
        ['ok', 'no live session for this token', undefined],
        ['ok', 'no live session for this token', undefined],
      ]);
    });

    it('rejects a request without a token with token_missing, and a malformed one with invalid_request, naming the realm', async () => {
      build({ bearer: { realm: 'billing' } });
      expect(await failure(revocation.revoke(bearerRequest()))).toMatchObject({ code: 'token_missing', headers: { 'www-authenticate': 'Bearer realm="billing"' } });
      const malformed = await failure(revocation.revoke(bearerRequest({ headers: { authorization: 'Bearer a b' } })));
      expect(malformed).toMatchObject({ code: 'invalid_request', headers: { 'www-authenticate': 'Bearer realm="billing", error="invalid_request"' } });
      expect(parts.audit).toHaveLength(0);
    });

    it('drops a partner token from the validation cache without telling the partner', async () => {
      build();
      const token = recordSecret('partner-issued-token-to-forget');
      const request = bearerRequest({ token });
      const remote = parts.services.remoteBearer;
      await remote.validate(request, 'default', token);
      expect(remote.size).toBe(1);
      await revoke(token);
      expect(remote.size).toBe(0);
      expect(partner.received).toHaveLength(1);
    });

    it('drops a partner token shaped like a UUID from the validation cache, with bearer.forwardUnknownUuids', async () => {
      build({ bearer: { forwardUnknownUuids: true } });
      const token = recordSecret(randomUUID());
      const bearer = new BearerAuthentication(parts.services, parts.parsed);
      expect(await bearer.authenticate(bearerRequest({ token }))).toMatchObject({ user: { id: 'u-alice' }, info: { tokenType: 'bearer' } });
      expect(partner.received).toHaveLength(1);
      await revoke(token);
      expect(parts.services.remoteBearer.size).toBe(0);
      partner.behave((_received, res) => json(res, 401, { active: false }));
      await expect(bearer.authenticate(bearerRequest({ token }))).rejects.toMatchObject({ code: 'token_invalid' });
      expect(partner.received).toHaveLength(2);
    });

    it('revokes nothing for a JWT forged under our key id that names a live connection', async () => {
      build();
      const victim = await connection();
      const kid = (parts.services.connectionJwt.publicJwk() as { kid: string }).kid;
      const at = Math.floor(parts.now() / 1000);
      const forged = recordSecret(
        await new SignJWT({ sid: victim.key, tid: 'default', sub: 'u-alice' })
          .setProtectedHeader({ alg: 'ES256', kid })
          .setIssuer('login-with-token')
          .setIssuedAt(at)
          .setExpirationTime(at + 300)
          .sign(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
      );
      await revoke(forged);
      expect(await parts.store.sessions.exists(victim.key)).toBe(true);
      expect(parts.audit.at(-1)).toMatchObject({ outcome: 'ok', reason: 'no live session for this token' });
      expect(partner.received).toHaveLength(0);
    });

    it('leaves an API token and the validation cache alone', async () => {
      build();
      const secret = recordSecret(mintApiTokenSecret());
      const remote = parts.services.remoteBearer;
      const partnerToken = recordSecret('cached-partner-token-stays');
      await remote.validate(bearerRequest({ token: partnerToken }), 'default', partnerToken);
      await revoke(secret);
      expect(remote.size).toBe(1);
      expect(parts.audit.at(-1)).toMatchObject({ outcome: 'ok', reason: 'no live session for this token' });
    });

    it('succeeds for a partner token when the request names no known tenant', async () => {
      build({ tenants: { acme: {}, globex: {} }, resolveTenant: () => 'initech' });
      await revoke(recordSecret('partner-token-without-tenant'));
      expect(parts.audit.at(-1)).toMatchObject({ type: 'logout', outcome: 'ok' });
    });

    it('rejects with store_unavailable, audited, when the session store fails', async () => {
      const memory = new MemoryStore();
      const down = () => Promise.reject(new Error('ECONNRESET'));
      const sessions: SessionStore = {
        create: (key, session) => memory.sessions.create(key, session),
        use: down,
        confirm: down,
        exists: down,
        revoke: down,
        listForUser: down,
      };
      build({}, { ledger: memory.ledger, apiTokens: memory.apiTokens, rateLimits: memory.rateLimits, sessions, close: () => memory.close() });
      try {
        const { token } = await sessionToken();
        expect(await failure(revoke(token))).toMatchObject({ code: 'store_unavailable', status: 503 });
        expect(parts.audit.at(-1)).toMatchObject({ type: 'logout', outcome: 'store_unavailable' });
      } finally {
        await memory.close();
      }
    });
  });
});
