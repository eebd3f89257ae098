import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { classifyOwnToken, resolveOwnToken } from '../src/bearer/own-tokens.js';
import { mintApiTokenSecret } from '../src/api-tokens/api-token-secret.js';
import { mintSessionToken } from '../src/credentials/session-token.js';
import { ConnectionJwt } from '../src/logon/connection-jwt.js';
import { connectionJwtOptionsSchema, type ConnectionJwtOptions } from '../src/logon/connection-jwt-options.js';
import { storeKeys } from '../src/store/store-keys.js';
import { recordSecret } from './support/secrets.js';

const start = Date.parse('2026-11-28T12:00:00Z');
let clock = start;
const now = () => clock;
const jwtFor = (options: ConnectionJwtOptions = {}) => new ConnectionJwt(connectionJwtOptionsSchema.parse(options), now);
const ours = jwtFor();
const connectionId = recordSecret(randomUUID());
const sid = storeKeys.connection(connectionId);
const signed = async (jwt = ours) => recordSecret(await jwt.sign({ sid, tenant: 'acme', userId: 'u-alice' }, start + 3_600_000));

/** A JWT of any issuer and key id, signed with a fresh key that is not ours. */
async function foreignJwt(kid: string, issuer: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const at = Math.floor(clock / 1000);
  return recordSecret(
    await new SignJWT({ sid, tid: 'acme', sub: 'u-alice' }).setProtectedHeader({ alg: 'ES256', kid }).setIssuer(issuer).setIssuedAt(at).setExpirationTime(at + 300).sign(privateKey),
  );
}
const ourKid = () => (ours.publicJwk() as { kid: string }).kid;

describe('classifyOwnToken', () => {
  it('recognises a session token by its prefix, in any case, keyed by the token as sent', () => {
    const token = recordSecret(mintSessionToken());
    expect(classifyOwnToken(token, ours)).toEqual({ kind: 'session-token', key: storeKeys.sessionToken(token) });
    const recased = `LwTs_${token.slice(5)}`;
    expect(classifyOwnToken(recased, ours)).toEqual({ kind: 'session-token', key: storeKeys.sessionToken(recased) });
  });

  it('refuses an API token in any spelling: it is exchanged at LogonWithToken, never presented as a bearer token', () => {
    const secret = recordSecret(mintApiTokenSecret());
    for (const variant of [secret, `LWTA_${secret.slice(5)}`, `${secret}=`]) expect(classifyOwnToken(variant, ours)).toMatchObject({ kind: 'refused' });
  });

  it('recognises a connection id in any case and with RFC 6750 padding, under one key', () => {
    for (const variant of [connectionId, connectionId.toUpperCase(), `${connectionId}=`, `${connectionId.toUpperCase()}==`]) {
      expect(classifyOwnToken(variant, ours)).toEqual({ kind: 'connection-id', key: sid });
    }
  });

  it('leaves UUIDs that are not version 4 and other opaque tokens to the partner', () => {
    expect(classifyOwnToken('6ba7b810-9dad-11d1-80b4-00c04fd430c8', ours)).toBeUndefined();
    expect(classifyOwnToken(recordSecret('partner-opaque-token-123'), ours)).toBeUndefined();
    expect(classifyOwnToken('lwts', ours)).toBeUndefined();
  });

  it('recognises a JWT under our key id without checking its signature yet', async () => {
    expect(classifyOwnToken(await signed(), ours)).toEqual({ kind: 'connection-jwt' });
    expect(classifyOwnToken(`${await signed()}=`, ours)).toEqual({ kind: 'connection-jwt' });
    expect(classifyOwnToken(await foreignJwt(ourKid(), 'https://attacker.example'), ours)).toEqual({ kind: 'connection-jwt' });
  });

  it("refuses a JWT of our issuer under another key, such as another instance's", async () => {
    expect(classifyOwnToken(await signed(jwtFor()), ours)).toMatchObject({ kind: 'refused' });
    expect(classifyOwnToken(await foreignJwt('retired-key', 'login-with-token'), ours)).toMatchObject({ kind: 'refused' });
  });

  it("leaves a partner's JWT to the partner, even when its key id looks like the ones this package derives", async () => {
    expect(classifyOwnToken(await foreignJwt('lwt-partnerkey0001', 'https://partner.example'), ours)).toBeUndefined();
    expect(classifyOwnToken(await signed(jwtFor({ issuer: 'https://partner-portal.example' })), ours)).toBeUndefined();
  });
});

describe('resolveOwnToken', () => {
  it('gives the claims of a valid connection JWT', async () => {
    clock = start;
    expect(await resolveOwnToken(await signed(), ours)).toEqual({ kind: 'connection-jwt', key: sid, userId: 'u-alice', tenant: 'acme' });
  });

  it('passes session tokens and connection ids through with their keys, and leaves foreign tokens undefined', async () => {
    const token = recordSecret(mintSessionToken());
    expect(await resolveOwnToken(token, ours)).toEqual({ kind: 'session-token', key: storeKeys.sessionToken(token) });
    expect(await resolveOwnToken(connectionId, ours)).toEqual({ kind: 'connection-id', key: sid });
    expect(await resolveOwnToken(recordSecret('partner-opaque-token-456'), ours)).toBeUndefined();
  });

  it('calls API tokens and JWTs of our issuer under another key invalid', async () => {
    expect(await resolveOwnToken(recordSecret(mintApiTokenSecret()), ours)).toEqual({ kind: 'invalid' });
    expect(await resolveOwnToken(await signed(jwtFor()), ours)).toEqual({ kind: 'invalid' });
  });

  it('calls a JWT forged under our key id invalid, so it can name nobody’s connection', async () => {
    expect(await resolveOwnToken(await foreignJwt(ourKid(), 'login-with-token'), ours)).toEqual({ kind: 'invalid' });
    const [header, payload] = (await signed()).split('.');
    expect(await resolveOwnToken(`${header}.${payload}.AAAA`, ours)).toEqual({ kind: 'invalid' });
  });

  it('refuses an HS256 JWT keyed with our public key (algorithm confusion)', async () => {
    const publicPem = createPublicKey({ key: ours.publicJwk() as never, format: 'jwk' }).export({ format: 'pem', type: 'spki' });
    const at = Math.floor(clock / 1000);
    const confused = recordSecret(
      await new SignJWT({ sid, tid: 'acme', sub: 'u-alice' })
        .setProtectedHeader({ alg: 'HS256', kid: ourKid() })
        .setIssuer('login-with-token')
        .setIssuedAt(at)
        .setExpirationTime(at + 300)
        .sign(new TextEncoder().encode(String(publicPem))),
    );
    expect(classifyOwnToken(confused, ours)).toEqual({ kind: 'connection-jwt' });
    expect(await resolveOwnToken(confused, ours)).toEqual({ kind: 'invalid' });
  });

  it('calls an expired connection JWT invalid', async () => {
    clock = start;
    const token = await signed();
    clock = start + 301_000;
    try {
      expect(await resolveOwnToken(token, ours)).toEqual({ kind: 'invalid' });
    } finally {
      clock = start;
    }
  });
});
