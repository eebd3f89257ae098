import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Identity } from '../src/identity/identity.js';
import { isConnectionId } from '../src/logon/connection-id.js';
import { ConnectionJwt } from '../src/logon/connection-jwt.js';
import { logonOptionsSchema, type LogonOptions, type ParsedLogonOptions } from '../src/logon/logon-options.js';
import { openConnection } from '../src/logon/open-connection.js';
import { MemoryStore } from '../src/store/memory-store.js';
import type { SessionStore } from '../src/store/session-store.js';
import { SingleUse, type SingleUseToken } from '../src/store/single-use.js';
import { storeKeys } from '../src/store/store-keys.js';
import { recordSecret } from './support/secrets.js';

let clock: number;
let store: MemoryStore;
let singleUse: SingleUse;

beforeEach(() => {
  clock = Date.parse('2026-11-28T12:00:00Z');
  store = new MemoryStore({ now: () => clock });
  singleUse = new SingleUse(store.ledger, { reservationMs: 60_000 });
});
afterEach(() => store.close());

const identity: Identity = { contactEmail: 'alice@example.com', tenant: 'acme', tokenType: 'BE38C39F', claims: { upn: 'Alice@Example.com', groups: ['admins'] } };
const owner = (pendingSecondFactor = false) => ({ tenant: 'acme', userId: 'u-1', identity, pendingSecondFactor, createdAt: clock });
const logonOptions = (logon: LogonOptions<unknown> = {}) => logonOptionsSchema.parse(logon);
const jwtOf = (logon: ParsedLogonOptions) => new ConnectionJwt(logon.jwt, () => clock);
let minted = 0;
/** A single-use token's ledger entry, as the signed-sender verifier would hand it over. */
const oneTime = (): SingleUseToken => ({ key: storeKeys.signedSender(recordSecret(`eyJhbGciOiJFUzI1NiJ9.eyJqdGkiOiJ0ZXN0In0-${++minted}`)), rememberMs: 120_000 });

/** Opens a connection for u-1 under the redemption of `token`, as LogonWithToken does. */
async function open(
  logon: ParsedLogonOptions,
  options: { pending?: boolean; token?: SingleUseToken; sessions?: SessionStore; connectionJwt?: ConnectionJwt; then?: (connectionId: string) => Promise<void> } = {},
) {
  const connectionJwt = options.connectionJwt ?? jwtOf(logon);
  const opened = await singleUse.redeem(options.token, async (redemption) => {
    const connection = await openConnection({ sessions: options.sessions ?? store.sessions, connectionJwt }, logon, owner(options.pending), redemption);
    recordSecret(connection.connectionId);
    if (connection.jwt !== '') recordSecret(connection.jwt);
    await options.then?.(connection.connectionId);
    return connection;
  });
  return { ...opened, connectionJwt };
}

const connections = async () => (await store.sessions.listForUser('acme', 'u-1')).filter((entry) => entry.kind === 'connection');

describe('openConnection', () => {
  it('writes the connection under the hash of a fresh UUID v4, with the logon’s timeouts', async () => {
    const logon = logonOptions({ connectionTimeoutSeconds: 900, connectionMaxAgeSeconds: 7200 });
    const { connectionId } = await open(logon);
    expect(isConnectionId(connectionId)).toBe(true);
    expect(store.sessions.use(connectionId, 'acme')).toBeUndefined();
    expect(store.sessions.use(storeKeys.connection(connectionId), 'acme')).toEqual({
      kind: 'connection',
      tenant: 'acme',
      userId: 'u-1',
      identity: { contactId: undefined, contactEmail: 'alice@example.com', tokenType: 'BE38C39F' },
      createdAt: clock,
      expiresAt: clock + 7200_000,
      idleTimeoutMs: 900_000,
      pendingSecondFactor: false,
    });
  });

  it('keeps none of the verified claims in the store', async () => {
    const { connectionId } = await open(logonOptions());
    const stored = store.sessions.use(storeKeys.connection(connectionId), 'acme');
    expect(JSON.stringify(stored)).not.toContain('admins');
  });

  it('hands out a fresh id each time', async () => {
    const logon = logonOptions();
    const ids = new Set<string>();
    for (let index = 0; index < 5; index++) ids.add((await open(logon)).connectionId);
    expect(ids.size).toBe(5);
    expect(await connections()).toHaveLength(5);
  });

  it('signs a JWT bound to the connection that ends no later than the connection', async () => {
    const logon = logonOptions({ connectionTimeoutSeconds: 60, connectionMaxAgeSeconds: 90, jwt: { ttlSeconds: 300 } });
    const { connectionId, jwt, connectionJwt } = await open(logon);
    expect(await connectionJwt.verify(jwt)).toEqual({ sid: storeKeys.connection(connectionId), tenant: 'acme', userId: 'u-1' });
    clock += 90_000;
    expect(await connectionJwt.verify(jwt)).toBeUndefined();
  });

  it('withholds the JWT and holds the connection while a second factor is outstanding', async () => {
    const { connectionId, jwt } = await open(logonOptions(), { pending: true });
    expect(jwt).toBe('');
    expect(store.sessions.use(storeKeys.connection(connectionId), 'acme')?.pendingSecondFactor).toBe(true);
  });

  it('marks a single-use token used once the connection is open', async () => {
    const token = oneTime();
    await open(logonOptions(), { token });
    expect(await store.ledger.reserve(token.key, 1000)).toEqual({ status: 'used' });
    await expect(open(logonOptions(), { token })).rejects.toMatchObject({ code: 'token_invalid' });
    expect(await connections()).toHaveLength(1);
  });

  it('withdraws its connection when the session cap refuses it, without using up the token', async () => {
    const logon = logonOptions({ maxSessionsPerUser: 1 });
    await open(logon);
    const token = oneTime();
    await expect(open(logon, { token })).rejects.toMatchObject({ code: 'too_many_sessions' });
    expect(await connections()).toHaveLength(1);
    expect((await store.ledger.reserve(token.key, 1000)).status).toBe('reserved');
  });

  it('ends the user’s oldest connection at the maximum when the policy says so', async () => {
    const logon = logonOptions({ maxSessionsPerUser: 2, onTooManySessions: 'end-oldest' });
    const first = await open(logon);
    const second = await open(logon);
    const third = await open(logon);
    expect((await connections()).map((entry) => entry.key)).toEqual([second, third].map(({ connectionId }) => storeKeys.connection(connectionId)));
    expect(await store.sessions.exists(storeKeys.connection(first.connectionId))).toBe(false);
  });

  it('is ended again when the logon fails after it was opened', async () => {
    const token = oneTime();
    let wasOpen = false;
    const failing = open(logonOptions(), {
      token,
      then: async (connectionId) => {
        wasOpen = await store.sessions.exists(storeKeys.connection(connectionId));
        throw new Error('audit sink down');
      },
    });
    await expect(failing).rejects.toThrow('audit sink down');
    expect(wasOpen).toBe(true);
    expect(await connections()).toEqual([]);
    expect((await store.ledger.reserve(token.key, 1000)).status).toBe('reserved');
  });

  it('changes nothing, and leaves the token unused, when the JWT cannot be signed', async () => {
    const logon = logonOptions({ maxSessionsPerUser: 1, onTooManySessions: 'end-oldest' });
    const first = await open(logon);
    class FailingSigner extends ConnectionJwt {
      override sign(): Promise<string> {
        return Promise.reject(new Error('signer down'));
      }
    }
    const token = oneTime();
    await expect(open(logon, { token, connectionJwt: new FailingSigner(logon.jwt, () => clock) })).rejects.toThrow('signer down');
    // The cap never ran: the user's only connection was not ended for one that never opened.
    expect((await connections()).map((entry) => entry.key)).toEqual([storeKeys.connection(first.connectionId)]);
    expect((await store.ledger.reserve(token.key, 1000)).status).toBe('reserved');
  });

  it('leaves nothing behind, and the token unused, when the store fails half-way', async () => {
    const outage = new Error('connection reset');
    const real = store.sessions;
    // The write lands, then the store goes away before the cap can be checked.
    const failing: SessionStore = {
      create: (key, session) => real.create(key, session),
      use: (key, tenant) => real.use(key, tenant),
      confirm: (key) => real.confirm(key),
      exists: (key) => real.exists(key),
      revoke: (key) => real.revoke(key),
      listForUser: () => Promise.reject(outage),
    };
    const token = oneTime();
    await expect(open(logonOptions(), { token, sessions: failing })).rejects.toBe(outage);
    expect(await connections()).toEqual([]);
    expect((await store.ledger.reserve(token.key, 1000)).status).toBe('reserved');
  });
});
